using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>What Enter-Namespace asks for: the options of nsenter(1) and ip netns exec.</summary>
internal sealed class NsenterOptions
{
    /// <summary>The namespaces to join, already selected by kind.</summary>
    internal required NamespaceTarget Target { get; init; }

    /// <summary>Where the program starts when it joins no mount namespace: pwsh's location.</summary>
    internal required string CallerDirectory { get; init; }

    /// <summary>Fork after joining, so the program is in the joined PID namespace.</summary>
    internal bool Fork { get; init; }

    /// <summary>Join the user namespace before the others (an unprivileged caller gains its
    /// rights there first) rather than after them (root gives its rights up last).</summary>
    internal bool UserFirst { get; init; }

    /// <summary>With ip netns exec's setup: a private mount namespace, fresh /sys, these binds.</summary>
    internal IReadOnlyList<EtcBind>? NetnsBinds { get; init; }

    internal bool UnmountSys { get; init; }

    internal bool SysReadOnly { get; init; }

    internal string? Root { get; init; }

    internal string? WorkingDirectory { get; init; }

    internal bool DropSupplementaryGroups { get; init; }

    internal uint? UserId { get; init; }

    internal uint? GroupId { get; init; }

    /// <summary>Set the uid to the target process's (nsenter -S follow); needs <see cref="NamespaceTarget.Pid"/>.</summary>
    internal bool FollowUserId { get; init; }

    /// <summary>Set the gid to the target process's (nsenter -G follow).</summary>
    internal bool FollowGroupId { get; init; }

    /// <summary>Give the program the target process's environment (nsenter --env).</summary>
    internal bool TargetEnvironment { get; init; }

    /// <summary>The cgroup.procs files of the target's cgroups to join (nsenter --join-cgroup), or null.</summary>
    internal IReadOnlyList<string>? CgroupProcsFiles { get; init; }
}

/// <summary>The slots of the target process's files a plan opened (-1: not opened).</summary>
internal readonly record struct ProcessFiles(int Directory, int Environ);

/// <summary>
/// The plan that runs a program inside existing namespaces. The helper opens each namespace
/// itself and checks it is the one pwsh resolved: a pinned PID is opened again with pidfd_open,
/// its /proc/PID/ns entries compared with pwsh's and the process checked alive, then all kinds
/// joined with one setns(pidfd, flags); other namespaces are reopened through
/// /proc/PWSH/fd/N (pwsh's descriptors stay close-on-exec) and joined one by one.
/// </summary>
internal static class NsenterPlan
{
    // nsenter's order; the user namespace goes first or last (NsenterOptions.UserFirst).
    private static readonly NamespaceType[] s_joinOrder =
    {
        NamespaceType.Cgroup, NamespaceType.Ipc, NamespaceType.Uts, NamespaceType.Net,
        NamespaceType.Pid, NamespaceType.Mount, NamespaceType.Time,
    };

    internal static LaunchPlan Build(NsenterOptions options)
    {
        var plan = new LaunchPlan();
        NamespaceTarget target = options.Target;
        plan.Chdir(options.CallerDirectory);
        ProcessFiles process;
        if (target.Pid is int pid && target.Pidfd is not null)
        {
            process = JoinPinnedProcess(plan, target, pid, options);
        }
        else
        {
            process = OpenProcessFiles(plan, target.Pid, options);
            JoinCgroup(plan, options);
            // A target that shares every namespace with pwsh (nsenter --all on such a process) leaves nothing to join.
            if (target.Files.Count > 0)
            {
                JoinDescriptors(plan, target, options.UserFirst);
            }
        }

        if (options.NetnsBinds is not null)
        {
            AddNetnsExecSetup(plan, options);
        }

        if (options.Fork)
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

        if (options.DropSupplementaryGroups)
        {
            plan.DropSupplementaryGroups();
        }

        string owner = $"owner of /proc/{target.Pid}";
        if (options.FollowGroupId)
        {
            plan.SetGidOfOwner(process.Directory, owner);
        }
        else if (options.GroupId is uint gid)
        {
            plan.SetGid(gid);
        }

        if (options.FollowUserId)
        {
            plan.SetUidOfOwner(process.Directory, owner);
        }
        else if (options.UserId is uint uid)
        {
            plan.SetUid(uid);
        }

        if (options.TargetEnvironment)
        {
            plan.ReplaceEnvironment(process.Environ, $"/proc/{target.Pid}/environ");
        }

        return plan;
    }

    /// <summary>
    /// All kinds at once with setns(pidfd, flags), after checking each is the one pwsh resolved.
    /// The process's own files are opened before the check too, so they are the pinned process's.
    /// </summary>
    private static ProcessFiles JoinPinnedProcess(LaunchPlan plan, NamespaceTarget target, int pid, NsenterOptions options)
    {
        string subject = pid.ToString(CultureInfo.InvariantCulture);
        int slot = plan.OpenPidfd(pid);
        foreach (NamespaceFile file in target.Files.Values)
        {
            plan.OpenNamespace($"/proc/{subject}/ns/{file.Type.ProcName()}", Nsfs.Device, file.Inode, Nsfs.FormatId(file.Type, file.Inode));
        }

        ProcessFiles process = OpenProcessFiles(plan, pid, options);
        plan.CheckAlive(slot, pid);
        JoinCgroup(plan, options);
        if (target.Files.Count > 0)
        {
            plan.NotDumpable();
            plan.Setns(slot, target.CloneFlags, subject + " " + Kinds(target.Files.Keys));
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
                directory = plan.OpenFile(proc, LibC.O_RDONLY | LibC.O_DIRECTORY, "open");
            }

            if (options.TargetEnvironment)
            {
                environ = plan.OpenFile(proc + "/environ", LibC.O_RDONLY, "open");
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
    private static void JoinDescriptors(LaunchPlan plan, NamespaceTarget target, bool userFirst)
    {
        var slots = new Dictionary<NamespaceType, int>();
        string pwsh = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (NamespaceFile file in target.Files.Values)
        {
            string path = $"/proc/{pwsh}/fd/{file.Fd.Fd.ToString(CultureInfo.InvariantCulture)}";
            slots[file.Type] = plan.OpenNamespace(path, Nsfs.Device, file.Inode, Nsfs.FormatId(file.Type, file.Inode));
        }

        plan.NotDumpable();
        IEnumerable<NamespaceType> order = userFirst
            ? s_joinOrder.Prepend(NamespaceType.User)
            : s_joinOrder.Append(NamespaceType.User);
        foreach (NamespaceType type in order)
        {
            if (slots.TryGetValue(type, out int slot))
            {
                plan.Setns(slot, type.CloneFlag(), Nsfs.FormatId(type, target.Files[type].Inode));
            }
        }
    }

    /// <summary>ip netns exec: nothing it mounts may reach the caller's mount namespace.</summary>
    private static void AddNetnsExecSetup(LaunchPlan plan, NsenterOptions options)
    {
        plan.Unshare(NamespaceType.Mount.CloneFlag(), "mnt");
        plan.Propagation("/", (ulong)LibC.MS_SLAVE);
        if (options.UnmountSys)
        {
            plan.Unmount("/sys");
        }

        // sysfs shows the network devices of the namespace its mounter is in: the joined one.
        plan.Mount("sysfs", "/sys", options.SysReadOnly ? Sys.MOUNT_ATTR_RDONLY : 0);
        foreach (EtcBind bind in options.NetnsBinds!)
        {
            plan.Bind(bind.Source, bind.Target);
        }
    }

    private static string Kinds(IEnumerable<NamespaceType> types) => string.Join(",", types.Select(t => t.ProcName()));
}
