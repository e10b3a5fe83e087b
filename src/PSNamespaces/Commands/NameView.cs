using System;
using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Watch;

namespace PSNamespaces.Commands;

/// <summary>
/// What Watch-Namespace -Name shows: the named network namespaces with a name that matches. Each
/// event is judged by the names the namespace had before it and has after it, so a namespace
/// enters the view when it first carries a matching name, which is written as Added even when
/// the watcher saw it earlier without one and reports Persisted: a process that unshares and then
/// bind-mounts (ip netns add, preempted between the two on a busy machine; ip netns attach) would
/// otherwise reach a -Name watch only as Persisted, and a script waiting for Added would miss it.
/// </summary>
/// <remarks>
/// Judged from the event, not from what this view wrote before: a namespace already named when
/// the watch started is in the view without any event, and a second name for it is a Persisted,
/// not an Added. The one thing remembered is which namespaces have been in the view, so that one
/// that lost its name (ip netns delete while a process is in it) still gets its Removed.
/// </remarks>
internal sealed class NameView
{
    private readonly NetnsNameMatcher[] _names;

    // Network namespaces (by inode) this view has written an event about, until their Removed.
    private readonly HashSet<ulong> _seen = new();

    internal NameView(NetnsNameMatcher[] names) => _names = names;

    /// <summary>The event as this view shows it, or null when it is not about a namespace in the view.</summary>
    internal NamespaceEvent? Filter(NamespaceEvent ev)
    {
        Namespace ns = ev.Namespace;
        if (ns.Type != NamespaceType.Net)
        {
            // /run/netns may hold other kinds too (unshare --uts=/run/netns/X): names are ip's, for network namespaces.
            return null;
        }

        // The mount that came or went, when that was the change: its name is the difference
        // between before and after. NsfsPaths are the mounts after the change, or for a Removed
        // those it had when it went (the bind mount that went last, if that was its last holder).
        string? changed = ev.ChangeType is NamespaceChangeType.Persisted or NamespaceChangeType.Unpersisted ? NameOf(ev.MountPoint) : null;
        bool otherMatch = AnyOtherMatches(ns.NsfsPaths, changed);
        bool changedMatches = changed is not null && Matches(changed);
        // Forgotten at its Removed, and at an Added too: nsfs reuses inodes, so that is another namespace.
        bool seen = ev.ChangeType is NamespaceChangeType.Added or NamespaceChangeType.Removed && _seen.Remove(ns.Inode);

        (bool before, bool after) = ev.ChangeType switch
        {
            NamespaceChangeType.Added => (false, otherMatch),
            // Also when it lost its names before its last process went (after an Unpersisted):
            // a script waiting for the Removed of a name gets it. Within one step an unmount can
            // be read before the exit of a process that held the namespace, as for
            // `ip netns exec X cmd; ip netns delete X`: Unpersisted, then Removed.
            NamespaceChangeType.Removed => (otherMatch || seen, false),
            NamespaceChangeType.Persisted => (otherMatch, otherMatch || changedMatches),
            _ => (otherMatch || changedMatches, otherMatch), // Unpersisted
        };

        // Not about the view, or about a mount that is not a matching name of a namespace that
        // stays in it (a second name that does not match, a bind mount elsewhere).
        if ((!before && !after) || (before && after && !changedMatches))
        {
            return null;
        }

        if (ev.ChangeType != NamespaceChangeType.Removed)
        {
            _seen.Add(ns.Inode);
        }

        if (!before && ev.ChangeType != NamespaceChangeType.Added)
        {
            return new NamespaceEvent(NamespaceChangeType.Added, ns, ev.Time, ev.Cause, ev.Pid, ev.MountPoint);
        }

        return ev;
    }

    /// <summary>Whether a /run/netns name among the paths, other than <paramref name="except"/>, matches.</summary>
    private bool AnyOtherMatches(string[] paths, string? except)
    {
        foreach (string path in paths)
        {
            if (NameOf(path) is string name && name != except && Matches(name))
            {
                return true;
            }
        }

        return false;
    }

    private static string? NameOf(string? path) => NetnsNameMatcher.NameOf(path);

    private bool Matches(string name)
    {
        foreach (NetnsNameMatcher matcher in _names)
        {
            if (matcher.Matches(name))
            {
                return true;
            }
        }

        return false;
    }
}
