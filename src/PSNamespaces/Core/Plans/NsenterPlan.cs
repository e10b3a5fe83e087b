using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSNamespaces.Core.Model;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>The slots of the target process's files a plan opened (-1: not opened).</summary>
internal readonly record struct ProcessFiles(int Directory, int Environ);

/// <summary>
/// The plan that runs a program inside existing namespaces, with nsenter's policy. The helper
/// opens each namespace itself and checks it is the one pwsh resolved: a pinned PID is opened
/// again with pidfd_open, its /proc/PID/ns entries compared with pwsh's and the process checked
/// alive, then all kinds joined with one setns(pidfd, flags); other namespaces are reopened
/// through /proc/PWSH/fd/N (pwsh's descriptors stay close-on-exec) and joined one by one.
/// </summary>
internal static class NsenterPlan
{
    // nsenter's order; the user namespace goes first or last (see Build).
    private static readonly NamespaceType[] s_joinOrder =
    {
        NamespaceType.Cgroup, NamespaceType.Ipc, NamespaceType.Uts, NamespaceType.Net,
        NamespaceType.Pid, NamespaceType.Mount, NamespaceType.Time,
    };

    internal static LaunchPlan Build(NsenterOptions options, LaunchCaller caller, NsenterFacts facts)
    {
        var plan = new LaunchPlan();
        JoinTarget target = options.Target;
        // An unprivileged caller gains its rights in the user namespace first; root gives its up last.
        bool userFirst = caller.Euid != 0;
        plan.Chdir(caller.Directory);
        ProcessFiles process;
        if (target.Pid is int pid && target.Pinned)
        {
            process = JoinPinnedProcess(plan, target, pid, options);
        }
        else
        {
            process = OpenProcessFiles(plan, target.Pid, options);
            JoinCgroup(plan, options);
            // A target that shares every namespace with pwsh (nsenter --all on such a process) leaves nothing to join.
            if (target.Namespaces.Count > 0)
            {
                JoinDescriptors(plan, target, caller.Pid, userFirst);
            }
        }

        if (options.NetnsName is not null)
        {
            AddNetnsExecSetup(plan, facts);
        }

        // The program must be a child to be in a joined PID namespace.
        if (target.Has(NamespaceType.Pid))
        {
            plan.Fork();
        }

        if (options.Root is not null)
        {
            plan.Chroot(options.Root);
        }

        if (options.WorkingDirectory is not null)
        {
            plan.Chdir(options.WorkingDirectory);
        }

        AddCredentials(plan, options, facts, process);
        if (options.TargetEnvironment)
        {
            plan.ReplaceEnvironment(process.Environ, $"/proc/{target.Pid}/environ");
        }

        if (options.ReadNamespaces)
        {
            // While the program's process waits before its exec: afterwards it may be gone.
            plan.Sync(SyncWork.ReadNamespaces, "read /proc/PID/ns", "read the program's namespaces");
        }

        plan.Exec(options.FilePath, options.ArgumentList);
        return plan;
    }

    /// <summary>
    /// nsenter's credentials: entering a user namespace sets uid and gid 0 unless preserved or
    /// given; supplementary groups are dropped whenever ids change, except in a user namespace
    /// whose setgroups is "deny", where setgroups(2) always fails.
    /// </summary>
    private static void AddCredentials(LaunchPlan plan, NsenterOptions options, NsenterFacts facts, ProcessFiles process)
    {
        bool user = options.Target.Has(NamespaceType.User);
        bool setCredentials = user && !options.PreserveCredentials;
        uint? uid = options.FollowUserId ? null : options.UserId ?? (setCredentials ? 0u : null);
        uint? gid = options.FollowGroupId ? null : options.GroupId ?? (setCredentials ? 0u : null);
        bool changes = uid is not null || gid is not null || options.FollowUserId || options.FollowGroupId;
        if (!options.PreserveCredentials && changes && (!user || (options.Target.Pid is not null && facts.TargetSetgroupsAllowed)))
        {
            plan.DropSupplementaryGroups();
        }

        string owner = $"owner of /proc/{options.Target.Pid}";
        if (options.FollowGroupId)
        {
            plan.SetGidOfOwner(process.Directory, owner);
        }
        else if (gid is uint g)
        {
            plan.SetGid(g);
        }

        if (options.FollowUserId)
        {
            plan.SetUidOfOwner(process.Directory, owner);
        }
        else if (uid is uint u)
        {
            plan.SetUid(u);
        }
    }

    /// <summary>
    /// All kinds at once with setns(pidfd, flags), after checking each is the one pwsh resolved.
    /// The process's own files are opened before the check too, so they are the pinned process's.
    /// </summary>
    private static ProcessFiles JoinPinnedProcess(LaunchPlan plan, JoinTarget target, int pid, NsenterOptions options)
    {
        string subject = pid.ToString(CultureInfo.InvariantCulture);
        int slot = plan.OpenPidfd(pid);
        int flags = 0;
        foreach (JoinNamespace ns in target.Namespaces)
        {
            plan.OpenNamespace($"/proc/{subject}/ns/{ns.Type.ProcName()}", ns.Device, ns.Inode, Nsfs.FormatId(ns.Type, ns.Inode), pid);
            flags |= ns.Type.CloneFlag();
        }

        ProcessFiles process = OpenProcessFiles(plan, pid, options);
        plan.CheckAlive(slot, pid);
        JoinCgroup(plan, options);
        if (target.Namespaces.Count > 0)
        {
            plan.NotDumpable();
            plan.Setns(slot, flags, subject + " " + string.Join(",", target.Namespaces.Select(ns => ns.Type.ProcName())));
        }

        return process;
    }

    /// <summary>
    /// /proc/PID (its owner is the process's euid/egid, what -S/-G follow set) and
    /// /proc/PID/environ, opened in pwsh's namespaces as nsenter opens them, read only later.
    /// </summary>
    private static ProcessFiles OpenProcessFiles(LaunchPlan plan, int? pid, NsenterOptions options)
    {
        int directory = -1, environ = -1;
        if (options.FollowUserId || options.FollowGroupId || options.TargetEnvironment)
        {
            string proc = "/proc/" + (pid ?? throw new System.ArgumentException("Following the target's credentials or environment needs a target process."))
                .ToString(CultureInfo.InvariantCulture);
            if (options.FollowUserId || options.FollowGroupId)
            {
                directory = plan.OpenFile(proc, LibC.O_RDONLY | LibC.O_DIRECTORY, "open", pid);
            }

            if (options.TargetEnvironment)
            {
                environ = plan.OpenFile(proc + "/environ", LibC.O_RDONLY, "open", pid);
            }
        }

        return new ProcessFiles(directory, environ);
    }

    /// <summary>
    /// nsenter --join-cgroup, but before any namespace is joined: where cgroup2 is mounted with
    /// nsdelegate (as systemd mounts it), the kernel refuses (ENOENT) a move made from inside the
    /// target's cgroup namespace when the mover's cgroup is outside its root; and pwsh's mount
    /// namespace is the one the paths were found in. The waiting parent of a fork
    /// moves too, as with nsenter; the program is its child and starts there.
    /// </summary>
    private static void JoinCgroup(LaunchPlan plan, NsenterOptions options)
    {
        foreach (string file in options.CgroupProcsFiles ?? System.Array.Empty<string>())
        {
            int slot = plan.OpenFile(file, LibC.O_WRONLY, "open(cgroup.procs)");
            plan.Write(slot, "0", "write(cgroup.procs)", file);
        }
    }

    /// <summary>Each of pwsh's descriptors reopened through /proc/PWSH/fd/N, checked, joined in order.</summary>
    private static void JoinDescriptors(LaunchPlan plan, JoinTarget target, int pwshPid, bool userFirst)
    {
        var slots = new Dictionary<NamespaceType, (int Slot, string Id)>();
        string pwsh = pwshPid.ToString(CultureInfo.InvariantCulture);
        foreach (JoinNamespace ns in target.Namespaces)
        {
            string path = $"/proc/{pwsh}/fd/{ns.Descriptor.ToString(CultureInfo.InvariantCulture)}";
            string id = Nsfs.FormatId(ns.Type, ns.Inode);
            slots[ns.Type] = (plan.OpenNamespace(path, ns.Device, ns.Inode, id), id);
        }

        plan.NotDumpable();
        IEnumerable<NamespaceType> order = userFirst
            ? s_joinOrder.Prepend(NamespaceType.User)
            : s_joinOrder.Append(NamespaceType.User);
        foreach (NamespaceType type in order)
        {
            if (slots.TryGetValue(type, out (int Slot, string Id) held))
            {
                plan.Setns(held.Slot, type.CloneFlag(), held.Id);
            }
        }
    }

    /// <summary>ip netns exec: nothing it mounts may reach the caller's mount namespace.</summary>
    private static void AddNetnsExecSetup(LaunchPlan plan, NsenterFacts facts)
    {
        plan.Unshare(NamespaceType.Mount.CloneFlag(), "mnt");
        plan.Propagation("/", MountPropagation.Slave);
        if (facts.SysIsMounted)
        {
            plan.Unmount("/sys");
        }

        // sysfs shows the network devices of the namespace its mounter is in: the joined one.
        // Where /sys is no mount point the sysfs goes over whatever holds /sys, and a read-only
        // filesystem cannot be shadowed by a read-write one.
        plan.Mount("sysfs", "/sys", !facts.SysIsMounted && facts.SysReadOnly ? Interop.Sys.MOUNT_ATTR_RDONLY : 0);
        foreach (EtcBind bind in facts.EtcBinds)
        {
            plan.Bind(bind.Source, bind.Target);
        }
    }
}
