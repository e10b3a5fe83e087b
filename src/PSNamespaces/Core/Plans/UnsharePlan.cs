using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// The plan that runs a program in new namespaces, in the order unshare(1) does it: unshare all
/// kinds at once (a new user namespace first, so it owns the others), let pwsh write the id maps
/// and time offsets from outside, fork so the program is PID 1 of a new PID namespace (and in a
/// new time namespace, which also applies only to children), then set propagation, root, working
/// directory, a fresh /proc and credentials.
/// </summary>
internal static class UnsharePlan
{
    internal static LaunchPlan Build(UnshareSettings settings)
    {
        UnshareOptions options = settings.Options;
        IReadOnlyList<NamespaceType> types = settings.Types;
        var plan = new LaunchPlan();
        int flags = 0;
        foreach (NamespaceType type in types)
        {
            flags |= type.CloneFlag();
        }

        bool forks = types.Contains(NamespaceType.Pid) || types.Contains(NamespaceType.Time);
        int pwsh = settings.Caller.Pid;
        plan.Chdir(settings.Caller.Directory);
        if (settings.KillSignal != 0 && forks)
        {
            // The helper waits for the program; if pwsh dies, the helper dies, and the program's
            // own parent-death signal follows.
            plan.ParentDeathSignal(LibC.SIGKILL, pwsh);
        }

        plan.Unshare(flags, string.Join(",", types.Select(t => t.ProcName())));
        List<ProcFileWrite> writes = WritesFromOutside(settings);
        if (writes.Count > 0)
        {
            // From the parent user namespace: a process inside the new one could only map its
            // own id, pwsh can write any map its privileges allow.
            plan.Sync(SyncWork.WriteProcFiles, "write",
                "write " + string.Join(", ", writes.Select(w => w.Name + " " + LaunchPlan.Quote(w.Text.TrimEnd('\n').Replace("\n", ", ", System.StringComparison.Ordinal)))), writes);
        }

        if (forks)
        {
            plan.Fork();
        }

        if (settings.PersistTypes is IReadOnlyList<NamespaceType> persisted)
        {
            // After the fork, as util-linux binds --pid=FILE: a PID namespace can be bound only
            // once its PID 1 lives. Before the exec, so a program that ends at once is no race.
            plan.Sync(SyncWork.Persist, "mount",
                $"bind {string.Join(",", persisted.Select(t => t.ProcName()))} on {string.Join(", ", settings.PersistFiles!.Select(LaunchPlan.Quote))}");
        }

        bool newMount = types.Contains(NamespaceType.Mount);
        if (newMount && options.Propagation != MountPropagation.Unchanged)
        {
            plan.Propagation("/", options.Propagation);
        }

        if (options.Root is not null)
        {
            plan.Chroot(options.Root);
        }

        if (options.WorkingDirectory is not null)
        {
            plan.Chdir(options.WorkingDirectory);
        }

        if (options.MountProc)
        {
            // A fresh proc on a /proc that still propagates would appear in the original namespace too.
            if (options.Root is null && options.Propagation != MountPropagation.Private)
            {
                plan.Propagation("/proc", MountPropagation.Private);
            }

            plan.Mount("proc", "/proc", Sys.MOUNT_ATTR_NOSUID | Sys.MOUNT_ATTR_NODEV | Sys.MOUNT_ATTR_NOEXEC);
        }

        if (options.GroupId is uint gid)
        {
            if (settings.SetGroups != SetGroupsMode.Deny)
            {
                plan.DropSupplementaryGroups();
            }

            plan.SetGid(gid);
        }

        if (options.UserId is uint uid)
        {
            plan.SetUid(uid);
        }

        if (settings.KillSignal != 0)
        {
            // Last: a change of credentials clears the parent-death signal. Without a fork the
            // parent is pwsh, and it must still be there once the signal is armed.
            plan.ParentDeathSignal(settings.KillSignal, forks ? 0 : pwsh);
        }

        if (options.ReadNamespaces)
        {
            // While the program's process waits before its exec: afterwards it may be gone.
            plan.Sync(SyncWork.ReadNamespaces, "read /proc/PID/ns", "read the program's namespaces");
        }

        plan.Exec(options.FilePath, options.ArgumentList);
        return plan;
    }

    /// <summary>What pwsh writes into the new user and time namespaces' control files, in the order the kernel needs.</summary>
    private static List<ProcFileWrite> WritesFromOutside(UnshareSettings settings)
    {
        var writes = new List<ProcFileWrite>();
        if (settings.SetGroups is SetGroupsMode mode)
        {
            // Before gid_map: an unprivileged gid map is refused while setgroups is allowed.
            writes.Add(new ProcFileWrite("setgroups", mode == SetGroupsMode.Deny ? "deny" : "allow"));
        }

        if (settings.UidMap is not null)
        {
            writes.Add(new ProcFileWrite("uid_map", IdMapRange.Format(settings.UidMap)));
        }

        if (settings.GidMap is not null)
        {
            writes.Add(new ProcFileWrite("gid_map", IdMapRange.Format(settings.GidMap)));
        }

        UnshareOptions options = settings.Options;
        if (options.MonotonicOffset is not null || options.BoottimeOffset is not null)
        {
            writes.Add(new ProcFileWrite("timens_offsets", string.Create(CultureInfo.InvariantCulture,
                $"monotonic {options.MonotonicOffset ?? 0} 0\nboottime {options.BoottimeOffset ?? 0} 0\n")));
        }

        return writes;
    }
}
