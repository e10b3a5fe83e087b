using System;

namespace PSNamespaces.Core.Watch;

/// <summary>What to watch and how often to rescan.</summary>
/// <param name="Types">Only these kinds; null for all.</param>
/// <param name="TreeRoot">Only namespaces this process or its descendants are or were in; null for all.</param>
/// <param name="Interval">The period of the look at /proc for what no event announces; null for the defaults below.</param>
internal sealed record WatchOptions(NamespaceType[]? Types, int? TreeRoot, TimeSpan? Interval)
{
    /// <summary>
    /// With process events, the periodic look is only the safety net for what no event announces
    /// (a process that unshares or setns's without exec'ing), and reads the links only of the
    /// processes that ran since the last look (WatchState.RecheckProcessesThatRan): every 10 s
    /// costs an idle watch of 2,000 processes 2,000 small schedstat reads, far below 1% of a core.
    /// A longer default would only make such a change later to show, for little saving.
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
