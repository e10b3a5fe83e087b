using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Watch;

internal sealed partial class WatchState
{
    // How long an Added found by a process waits for a bind mount of the namespace. ip netns add
    // (and unshare --net=FILE) unshares, binds, exits: when the watcher reads the process between
    // the first two, the mount follows within microseconds on a machine that is not overloaded.
    // Held this long, the Added names it. Longer would cover ip preempted between the two (seen:
    // 4 and 60 ms on two loaded cores) but delays every namespace that is never bound (unshare -n
    // sleep) by as much, against a 50 ms latency budget; the rare late mount is a Persisted, which
    // a -Name watch shows as its Added (Commands/NameView). An exit or another change of the
    // namespace writes the Added at once.
    internal const int AddedHoldMs = 10;

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
}
