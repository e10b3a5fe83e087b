using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Watch;

namespace PSNamespaces.Commands;

/// <summary>
/// What Watch-Namespace -Name shows: the named network namespaces whose name matches. A
/// namespace enters this view when it first carries a matching name, which is written as Added
/// even when the watcher saw the namespace earlier without a name and now reports Persisted: a
/// process that unshares and then bind-mounts (ip netns add, preempted between the two on a busy
/// machine) would otherwise reach a -Name watch only as Persisted, and a script waiting for
/// Added would miss it.
/// </summary>
internal sealed class NameView
{
    private readonly WildcardPattern[] _patterns;
    private readonly HashSet<(NamespaceType, ulong)> _shown = new();

    internal NameView(WildcardPattern[] patterns) => _patterns = patterns;

    /// <summary>The event as this view shows it, or null when it is not about a namespace in the view.</summary>
    internal NamespaceEvent? Filter(NamespaceEvent ev)
    {
        var key = (ev.Namespace.Type, ev.Namespace.Inode);
        if (!Matches(ev.Namespace.Name))
        {
            return null;
        }

        if (ev.ChangeType is NamespaceChangeType.Removed or NamespaceChangeType.Unpersisted)
        {
            _shown.Remove(key);
            return ev;
        }

        if (ev.ChangeType == NamespaceChangeType.Persisted && !_shown.Contains(key))
        {
            ev = new NamespaceEvent(NamespaceChangeType.Added, ev.Namespace, ev.Time, ev.Cause, ev.Pid, ev.MountPoint);
        }

        _shown.Add(key);
        return ev;
    }

    private bool Matches(string? name)
    {
        if (name is null)
        {
            return false;
        }

        foreach (WildcardPattern pattern in _patterns)
        {
            if (pattern.IsMatch(name))
            {
                return true;
            }
        }

        return false;
    }
}
