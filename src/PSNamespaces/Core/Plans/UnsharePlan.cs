using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>What New-Namespace -FilePath asks for: the options of unshare(1).</summary>
internal sealed class UnshareOptions
{
    internal required IReadOnlyCollection<NamespaceType> Types { get; init; }

    /// <summary>Where the program starts when no root or working directory is given: pwsh's location.</summary>
    internal required string CallerDirectory { get; init; }

    internal bool MountProc { get; init; }

    internal MountPropagation Propagation { get; init; }

    internal string? Root { get; init; }

    internal string? WorkingDirectory { get; init; }

    internal IReadOnlyList<IdMapRange>? UidMap { get; init; }

    internal IReadOnlyList<IdMapRange>? GidMap { get; init; }

    internal SetGroupsMode? SetGroups { get; init; }

    internal long? MonotonicOffset { get; init; }

    internal long? BoottimeOffset { get; init; }

    internal uint? UserId { get; init; }

    internal uint? GroupId { get; init; }

    /// <summary>The signal the program gets when pwsh dies; 0 for none.</summary>
    internal int KillSignal { get; init; }

    /// <summary>
    /// Run by pwsh while the program's process waits after the fork (PID 1 of a new PID
    /// namespace), given its PID: binds the new namespaces on files (New-Namespace -FilePath with -Path or -Name).
    /// </summary>
    internal System.Action<int>? Persist { get; init; }
}

/// <summary>
/// The plan that runs a program in new namespaces, in the order unshare(1) does it: unshare all
/// kinds at once (a new user namespace first, so it owns the others), let pwsh write the id maps
/// and time offsets from outside, fork so the program is PID 1 of a new PID namespace (and in a
/// new time namespace, which also applies only to children), then set propagation, root, working
/// directory, a fresh /proc and credentials.
/// </summary>
internal static class UnsharePlan
{
    internal static LaunchPlan Build(UnshareOptions options)
    {
        var plan = new LaunchPlan();
        int flags = 0;
        foreach (NamespaceType type in options.Types)
        {
            flags |= type.CloneFlag();
        }

        bool forks = options.Types.Contains(NamespaceType.Pid) || options.Types.Contains(NamespaceType.Time);
        int pwsh = System.Environment.ProcessId;
        plan.Chdir(options.CallerDirectory);
        if (options.KillSignal != 0 && forks)
        {
            // The helper waits for the program; if pwsh dies, the helper dies, and the program's
            // own parent-death signal follows.
            plan.ParentDeathSignal(LibC.SIGKILL, pwsh);
        }

        plan.Unshare(flags, string.Join(",", options.Types.Select(t => t.ProcName())));
        if (options.UidMap is not null || options.GidMap is not null || options.SetGroups is not null ||
            options.MonotonicOffset is not null || options.BoottimeOffset is not null)
        {
            plan.Sync("write", pid => WriteFromOutside(pid, options));
        }

        if (forks)
        {
            plan.Fork();
        }

        if (options.Persist is not null)
        {
            // After the fork, as util-linux binds --pid=FILE: a PID namespace can be bound only
            // once its PID 1 lives. Before the exec, so a program that ends at once is no race.
            plan.Sync("mount", options.Persist);
        }

        bool newMount = options.Types.Contains(NamespaceType.Mount);
        if (newMount && options.Propagation != MountPropagation.Unchanged)
        {
            plan.Propagation("/", PropagationFlag(options.Propagation));
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
                plan.Propagation("/proc", (ulong)LibC.MS_PRIVATE);
            }

            plan.Mount("proc", "/proc", Sys.MOUNT_ATTR_NOSUID | Sys.MOUNT_ATTR_NODEV | Sys.MOUNT_ATTR_NOEXEC);
        }

        if (options.GroupId is uint gid)
        {
            if (options.SetGroups != SetGroupsMode.Deny)
            {
                plan.DropSupplementaryGroups();
            }

            plan.SetGid(gid);
        }

        if (options.UserId is uint uid)
        {
            plan.SetUid(uid);
        }

        if (options.KillSignal != 0)
        {
            // Last: a change of credentials clears the parent-death signal. Without a fork the
            // parent is pwsh, and it must still be there once the signal is armed.
            plan.ParentDeathSignal(options.KillSignal, forks ? 0 : pwsh);
        }

        return plan;
    }

    internal static ulong PropagationFlag(MountPropagation propagation) => propagation switch
    {
        MountPropagation.Shared => (ulong)LibC.MS_SHARED,
        MountPropagation.Slave => (ulong)LibC.MS_SLAVE,
        _ => (ulong)LibC.MS_PRIVATE,
    };

    /// <summary>
    /// Done by pwsh while the helper waits, from the parent user namespace: a process inside the
    /// new one could only map its own id, pwsh can write any map its privileges allow.
    /// </summary>
    private static void WriteFromOutside(int pid, UnshareOptions options)
    {
        if (options.SetGroups is SetGroupsMode mode)
        {
            ProcControlFile.Write(pid, "setgroups", mode == SetGroupsMode.Deny ? "deny" : "allow");
        }

        if (options.UidMap is not null)
        {
            ProcControlFile.Write(pid, "uid_map", IdMapRange.Format(options.UidMap));
        }

        if (options.GidMap is not null)
        {
            ProcControlFile.Write(pid, "gid_map", IdMapRange.Format(options.GidMap));
        }

        if (options.MonotonicOffset is not null || options.BoottimeOffset is not null)
        {
            string offsets = string.Create(CultureInfo.InvariantCulture,
                $"monotonic {options.MonotonicOffset ?? 0} 0\nboottime {options.BoottimeOffset ?? 0} 0\n");
            ProcControlFile.Write(pid, "timens_offsets", offsets);
        }
    }
}
