using System;

namespace PSNamespaces.Core.Watch;

/// <summary>What to watch and how often to rescan.</summary>
/// <param name="Types">Only these kinds; null for all.</param>
/// <param name="TreeRoot">Only namespaces this process or its descendants are or were in; null for all.</param>
/// <param name="Interval">The period of the full rescan of /proc; null for the defaults below.</param>
internal sealed record WatchOptions(NamespaceType[]? Types, int? TreeRoot, TimeSpan? Interval)
{
    /// <summary>
    /// With process events, the rescan is only the safety net for what no event announces (a
    /// process that unshares or setns's without exec'ing): rare enough to look for every 10 s,
    /// which keeps an idle watch far below 1% of a core at a few thousand processes.
    /// </summary>
    internal static readonly TimeSpan RescanWithEvents = TimeSpan.FromSeconds(10);

    /// <summary>Without process events, the rescan is how changes are found at all.</summary>
    internal static readonly TimeSpan RescanWithoutEvents = TimeSpan.FromSeconds(2);
}

/// <summary>One record from the watcher to the pipeline thread: an event, a warning or a verbose line.</summary>
internal readonly record struct WatchRecord(NamespaceEvent? Event, string? Warning, string? Verbose)
{
    internal static WatchRecord OfEvent(NamespaceEvent ev) => new(ev, null, null);

    internal static WatchRecord OfWarning(string text) => new(null, text, null);

    internal static WatchRecord OfVerbose(string text) => new(null, null, text);
}
