using System;

namespace PSNamespaces;

/// <summary>What happened to a namespace, as Watch-Namespace reports it.</summary>
public enum NamespaceChangeType
{
    /// <summary>A namespace appeared: a process or a bind mount holds it for the first time.</summary>
    Added,

    /// <summary>A namespace went away: its last holder went (for the kernel, when it can be asked; else, for what /proc and mountinfo show).</summary>
    Removed,

    /// <summary>A namespace already seen got a bind mount (ip netns add, New-Namespace -Path, unshare --net=FILE).</summary>
    Persisted,

    /// <summary>A bind mount of a namespace went, and the namespace lives on (a process or another holder still has it).</summary>
    Unpersisted,
}

/// <summary>What made the watcher look, where known.</summary>
public enum NamespaceEventCause
{
    /// <summary>A process forked (the process connector's PROC_EVENT_FORK): Pid is the child.</summary>
    Fork,

    /// <summary>A process exec'd (PROC_EVENT_EXEC), as unshare and nsenter do after changing namespaces.</summary>
    Exec,

    /// <summary>A process exited (PROC_EVENT_EXIT).</summary>
    Exit,

    /// <summary>An nsfs bind mount appeared in the watcher's mount table: MountPoint says where.</summary>
    Mount,

    /// <summary>An nsfs bind mount went from the watcher's mount table.</summary>
    Unmount,

    /// <summary>A periodic rescan of /proc found it (no process event: an in-place unshare or setns, or no process connector).</summary>
    Rescan,

    /// <summary>The kernel no longer has it, found by asking again after its last visible holder went (a descriptor closed, a child namespace was freed).</summary>
    Release,
}

/// <summary>One change Watch-Namespace saw.</summary>
public sealed class NamespaceEvent
{
    public NamespaceEvent(NamespaceChangeType changeType, Namespace ns, DateTime time, NamespaceEventCause cause, int? pid, string? mountPoint)
    {
        ChangeType = changeType;
        Namespace = ns;
        Time = time;
        Cause = cause;
        Pid = pid;
        MountPoint = mountPoint;
    }

    /// <summary>Added, Removed, Persisted or Unpersisted.</summary>
    public NamespaceChangeType ChangeType { get; }

    /// <summary>The namespace as Get-Namespace describes it; for Removed, as it was last seen.</summary>
    public Namespace Namespace { get; }

    /// <summary>When the watcher saw the change (local time).</summary>
    public DateTime Time { get; }

    /// <summary>What made the watcher look.</summary>
    public NamespaceEventCause Cause { get; }

    /// <summary>The process that forked, exec'd or exited, when that was the cause.</summary>
    public int? Pid { get; }

    /// <summary>The bind mount that appeared or went, when that was the cause.</summary>
    public string? MountPoint { get; }

    /// <summary>The namespace's kind.</summary>
    public NamespaceType Type => Namespace.Type;

    /// <summary>The namespace's identity as the kernel prints it: "net:[4026531840]".</summary>
    public string Id => Namespace.Id;

    public override string ToString() => ChangeType + " " + Namespace.Id;
}
