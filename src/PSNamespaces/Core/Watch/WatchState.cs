using System;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Watch;

/// <summary>
/// What the watcher knows, kept up to date incrementally: each process's ten /proc/PID/ns links,
/// each namespace's holders, and the nsfs mounts. A process event re-reads only that process; a
/// mount table change re-reads only mountinfo; a rescan re-reads every process but describes only
/// what is new. Every change to a namespace's holders becomes at most one event.
/// </summary>
internal sealed partial class WatchState : IDisposable
{
    private readonly ProcRoot _proc;
    private readonly UserNameCache _users = new();
    private readonly CgroupFile _cgroups = new();
    private readonly Dictionary<int, ulong[]> _links = new();
    private readonly Dictionary<ulong, TrackedNamespace> _namespaces = new();
    private readonly HashSet<(ulong Inode, string Path)> _mounts = new();
    private readonly HashSet<int>? _tree;
    private readonly NamespaceType[]? _types;
    private readonly List<NamespaceEvent> _events = new();
    private readonly List<TrackedNamespace> _pendingAdded = new();
    private bool _baseline = true;

    // How long an Added found by a process waits for a bind mount of the namespace. ip netns add
    // (and unshare --net=FILE) unshares, binds, exits: when the watcher reads the process between
    // the first two, the mount follows within microseconds on a machine that is not overloaded.
    // Held this long, the Added names it. Longer would cover ip preempted between the two (seen:
    // 4 and 60 ms on two loaded cores) but delays every namespace that is never bound (unshare -n
    // sleep) by as much, against a 50 ms latency budget; the rare late mount is a Persisted, which
    // a -Name watch shows as its Added (Commands/NameView). An exit or another change of the
    // namespace writes the Added at once.
    internal const int AddedHoldMs = 10;

    /// <param name="types">Only events of these kinds; null for all.</param>
    /// <param name="treeRoot">Only namespaces that processes of this tree are or were in; null for all.</param>
    internal WatchState(NamespaceType[]? types, int? treeRoot)
    {
        _types = types is { Length: > 0 } ? types : null;
        _proc = new ProcRoot();
        if (treeRoot is int root)
        {
            _tree = new HashSet<int> { root };
        }
    }

    /// <summary>How many namespaces and processes are known; for the message that says the watch started.</summary>
    internal (int Namespaces, int Processes) Size => (_namespaces.Count, _links.Count);

    /// <summary>How many namespaces live on with no visible holder; the watcher asks the kernel about them again soon.</summary>
    internal int LingeringCount { get; private set; }

    /// <summary>Learns what is there now, without events: what the watch starts from.</summary>
    internal void ReadBaseline(CancellationToken cancel)
    {
        if (_tree is not null)
        {
            AddDescendants();
        }

        Rescan(cancel);
        RefreshMounts();
        foreach (TrackedNamespace ns in _namespaces.Values)
        {
            if (ns.HasVisibleHolder)
            {
                ns.Sync(_proc, _users, _cgroups);
            }
        }

        _baseline = false;
    }

    /// <summary>
    /// Re-reads the one process an event names; an exited one is forgotten. readProcess false:
    /// a later event of the same batch names it too, so it is read then, or not at all when that
    /// is its exit (the kernel sends the exit event after releasing its namespaces).
    /// </summary>
    internal void Apply(ProcessEvent ev, bool readProcess = true)
    {
        NamespaceEventCause cause = ev.Kind switch
        {
            ProcessEventKind.Fork => NamespaceEventCause.Fork,
            ProcessEventKind.Exec => NamespaceEventCause.Exec,
            _ => NamespaceEventCause.Exit,
        };
        if (ev.Kind == ProcessEventKind.Fork && _tree is not null && _tree.Contains(ev.ParentPid))
        {
            _tree.Add(ev.Pid);
        }

        if (ev.Kind == ProcessEventKind.Exit)
        {
            Update(ev.Pid, default, -1, cause);
            _tree?.Remove(ev.Pid);
            return;
        }

        if (readProcess)
        {
            Reread(ev.Pid, cause);
            if (ev.Kind == ProcessEventKind.Exec)
            {
                RefreshCommand(ev.Pid);
            }
        }
    }

    /// <summary>After an exec: the namespaces whose description shows this process read its new command.</summary>
    private void RefreshCommand(int pid)
    {
        if (!_links.TryGetValue(pid, out ulong[]? links))
        {
            return;
        }

        for (int i = 0; i < links.Length; i++)
        {
            // pid_for_children and time_for_children name the process's own namespace once more.
            ulong inode = links[i];
            if (inode != 0 && Array.IndexOf(links, inode) == i && _namespaces.TryGetValue(inode, out TrackedNamespace? ns))
            {
                ns.Exec(pid, _proc, _users, _cgroups);
            }
        }
    }

    /// <summary>Re-reads every process: what no event told (an in-place unshare or setns), or everything when there are no events.</summary>
    internal void Rescan(CancellationToken cancel)
    {
        int[] pids = _proc.ListPids();
        var listed = new HashSet<int>(pids);
        foreach (int pid in pids)
        {
            cancel.ThrowIfCancellationRequested();
            if (_tree is not null && !_links.ContainsKey(pid) && !_tree.Contains(pid) &&
                ParentOf(pid) is int parent && _tree.Contains(parent))
            {
                _tree.Add(pid);
            }

            Reread(pid, NamespaceEventCause.Rescan);
        }

        var gone = new List<int>();
        foreach (int pid in _links.Keys)
        {
            if (!listed.Contains(pid))
            {
                gone.Add(pid);
            }
        }

        foreach (int pid in gone)
        {
            Update(pid, default, -1, NamespaceEventCause.Rescan);
        }
    }

    private void Reread(int pid, NamespaceEventCause cause)
    {
        Span<ulong> links = stackalloc ulong[NamespaceLinks.Count];
        if (cause == NamespaceEventCause.Rescan)
        {
            NoteRan(pid);
        }
        else
        {
            // Read at an event: the next recheck reads it again and notes its CPU time then.
            _ranFor.Remove(pid);
        }

        // Read for every process in a rescan: a raw descriptor, no SafeFd allocated per process.
        if (_proc.TryOpenProcess(pid, out int fd) != 0)
        {
            Update(pid, default, -1, cause);
            return;
        }

        try
        {
            // A process that cannot be read (gone, or refused as PID 1 is here) holds nothing we can see.
            bool read = ProcessNamespaceReader.TryReadLinks(fd, links, out _) == 0;
            Update(pid, read ? links : default, fd, cause);
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Moves a process's references from the namespaces it was in to those it is in now (none: it is gone).</summary>
    private void Update(int pid, ReadOnlySpan<ulong> now, int processFd, NamespaceEventCause cause)
    {
        _links.TryGetValue(pid, out ulong[]? before);
        if (now.IsEmpty)
        {
            _ranFor.Remove(pid);
        }

        if (now.IsEmpty && before is null)
        {
            return;
        }

        if (before is not null && !now.IsEmpty && now.SequenceEqual(before))
        {
            return;
        }

        bool inTree = _tree is not null && _tree.Contains(pid);
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            ulong inode = now.IsEmpty ? 0 : now[i];
            if (inode != 0 && (before is null || before[i] != inode))
            {
                AddLink(pid, (NamespaceLink)i, inode, now, processFd, cause, inTree);
            }
        }

        for (int i = 0; i < NamespaceLinks.Count && before is not null; i++)
        {
            ulong inode = before[i];
            if (inode != 0 && (now.IsEmpty || now[i] != inode))
            {
                RemoveLink(pid, (NamespaceLink)i, inode, before, cause);
            }
        }

        if (now.IsEmpty)
        {
            _links.Remove(pid);
            _tree?.Remove(pid);
        }
        else
        {
            _links[pid] = now.ToArray();
        }
    }

    private void AddLink(int pid, NamespaceLink link, ulong inode, ReadOnlySpan<ulong> links, int processFd, NamespaceEventCause cause, bool inTree)
    {
        NamespaceType type = NamespaceLinks.TypeOf(link);
        bool added = false;
        if (_namespaces.TryGetValue(inode, out TrackedNamespace? ns) && ns.Lingering && ns.Handle?.IsAlive() != true)
        {
            // The namespace we knew by this inode is gone, and nsfs gave its inode to a new one.
            ForgetLingering(ns);
            ns = null;
        }

        if (ns is null)
        {
            using SafeFd? fd = TrackedNamespace.TryOpen(processFd, link, inode);
            ns = fd is null ? TrackedNamespace.Undescribed(type, inode) : TrackedNamespace.Describe(type, inode, fd);
            _namespaces.Add(inode, ns);
            added = true;
        }

        ns.Links++;
        if (IsForChildren(link, out NamespaceLink own))
        {
            if (links[(int)own] != inode)
            {
                ns.ForChildren++;
            }
        }
        else
        {
            ns.Pids.Add(pid);
        }

        ns.InTree |= inTree;
        Relive(ns);
        if (added)
        {
            Emit(NamespaceChangeType.Added, ns, cause, pid, null, holdAdded: true);
        }
    }

    private void RemoveLink(int pid, NamespaceLink link, ulong inode, ulong[] links, NamespaceEventCause cause)
    {
        if (!_namespaces.TryGetValue(inode, out TrackedNamespace? ns))
        {
            return;
        }

        ns.Links--;
        if (IsForChildren(link, out NamespaceLink own))
        {
            if (links[(int)own] != inode)
            {
                ns.ForChildren--;
            }
        }
        else
        {
            ns.RemovePid(pid, _proc, _users, _cgroups);
        }

        if (!ns.HasVisibleHolder)
        {
            Release(ns, cause, pid, null);
        }
    }

    private static bool IsForChildren(NamespaceLink link, out NamespaceLink own)
    {
        own = link switch
        {
            NamespaceLink.PidForChildren => NamespaceLink.Pid,
            NamespaceLink.TimeForChildren => NamespaceLink.Time,
            _ => link,
        };
        return own != link;
    }

    /// <summary>True while an Added found by a process is held back (the mount table is worth reading again before the step ends).</summary>
    internal bool HasPendingAdded => _pendingAdded.Count > 0;

    /// <summary>When the first held-back Added is due (Environment.TickCount64); long.MaxValue for none.</summary>
    internal long NextAddedDue
    {
        get
        {
            long due = long.MaxValue;
            foreach (TrackedNamespace ns in _pendingAdded)
            {
                due = Math.Min(due, ns.PendingAdded?.Due ?? long.MaxValue);
            }

            return due;
        }
    }

    /// <summary>Takes the events found since the last call, with the held-back Added events that are due by now.</summary>
    internal List<NamespaceEvent> TakeEvents(long now)
    {
        foreach (TrackedNamespace ns in _pendingAdded)
        {
            if (ns.PendingAdded?.Due <= now)
            {
                WritePendingAdded(ns);
            }
        }

        _pendingAdded.RemoveAll(static ns => ns.PendingAdded is null);
        var taken = new List<NamespaceEvent>(_events);
        _events.Clear();
        return taken;
    }

    /// <summary>
    /// Adds an event, unless filtered out. holdAdded: an Added found by a process, held back for
    /// <see cref="AddedHoldMs"/> or until the next event of this namespace, so that a bind mount
    /// made right after the namespace is part of it.
    /// </summary>
    private void Emit(NamespaceChangeType change, TrackedNamespace ns, NamespaceEventCause cause, int? pid, string? mountPoint, bool holdAdded = false)
    {
        if (_baseline ||
            (_types is not null && Array.IndexOf(_types, ns.Namespace.Type) < 0) ||
            (_tree is not null && !ns.InTree))
        {
            return;
        }

        // A held-back Added of it is written first, as the namespace is before this change.
        WritePendingAdded(ns);
        if (holdAdded)
        {
            ns.PendingAdded = new PendingAdded(DateTime.Now, Environment.TickCount64 + AddedHoldMs, cause, pid, mountPoint);
            _pendingAdded.Add(ns);
            return;
        }

        _events.Add(new NamespaceEvent(change, ns.Snapshot(_proc, _users, _cgroups), DateTime.Now, cause, pid, mountPoint));
    }

    private void WritePendingAdded(TrackedNamespace ns)
    {
        if (ns.PendingAdded is { } p)
        {
            ns.PendingAdded = null;
            _events.Add(new NamespaceEvent(NamespaceChangeType.Added, ns.Snapshot(_proc, _users, _cgroups), p.Time, p.Cause, p.Pid, p.MountPoint));
        }
    }

    /// <summary>Adds the descendants of the -Pid tree's root, from every process's parent.</summary>
    private void AddDescendants()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (int pid in _proc.ListPids())
        {
            if (ParentOf(pid) is int parent)
            {
                if (!children.TryGetValue(parent, out List<int>? list))
                {
                    children[parent] = list = new List<int>();
                }

                list.Add(pid);
            }
        }

        var pending = new Stack<int>(_tree!);
        while (pending.Count > 0)
        {
            foreach (int child in children.GetValueOrDefault(pending.Pop()) ?? new List<int>())
            {
                if (_tree!.Add(child))
                {
                    pending.Push(child);
                }
            }
        }
    }

    private int? ParentOf(int pid)
    {
        // Read for every process of a rescan: a raw descriptor, no SafeFd allocated per process.
        if (_proc.TryOpenProcess(pid, out int fd) != 0)
        {
            return null;
        }

        try
        {
            return ProcessNamespaceReader.TryReadStat(fd, out int ppid, out _) == 0 ? ppid : null;
        }
        finally
        {
            close(fd);
        }
    }

    public void Dispose() => _proc.Dispose();
}
