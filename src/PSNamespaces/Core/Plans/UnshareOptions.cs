using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// What New-Namespace -FilePath was given, parameter for parameter (the options of unshare(1)),
/// before any policy: <see cref="UnsharePolicy"/> resolves them into <see cref="UnshareSettings"/>.
/// </summary>
internal sealed class UnshareOptions
{
    internal required IReadOnlyList<NamespaceType> Types { get; init; }

    internal required string FilePath { get; init; }

    internal IReadOnlyList<string> ArgumentList { get; init; } = Array.Empty<string>();

    internal bool MountProc { get; init; }

    internal bool MapRootUser { get; init; }

    internal bool MapCurrentUser { get; init; }

    internal bool MapAuto { get; init; }

    internal uint? MapUser { get; init; }

    internal uint? MapGroup { get; init; }

    /// <summary>-UidMap as given: ranges, or the one word "auto".</summary>
    internal IReadOnlyList<string>? UidMap { get; init; }

    internal IReadOnlyList<string>? GidMap { get; init; }

    internal SetGroupsMode? SetGroups { get; init; }

    internal MountPropagation Propagation { get; init; } = MountPropagation.Private;

    /// <summary>The new root, as a full path in pwsh's view.</summary>
    internal string? Root { get; init; }

    internal string? WorkingDirectory { get; init; }

    internal long? MonotonicOffset { get; init; }

    internal long? BoottimeOffset { get; init; }

    internal uint? UserId { get; init; }

    internal uint? GroupId { get; init; }

    internal bool KillChild { get; init; }

    /// <summary>-KillChildSignal as given ("SIGTERM", "TERM", "15").</summary>
    internal string? KillChildSignal { get; init; }

    /// <summary>-Path with -FilePath: one file per -Type to bind the new namespaces on; null when not given.</summary>
    internal IReadOnlyList<string>? PersistPaths { get; init; }

    /// <summary>-Name with -FilePath: the name to bind the new network namespace under; null when not given.</summary>
    internal IReadOnlyList<string>? PersistNames { get; init; }

    /// <summary>Read the program's namespaces before its exec (-PassThru, -NoWait).</summary>
    internal bool ReadNamespaces { get; init; }

    /// <summary>Where -MapAuto reads the user's subordinate uids.</summary>
    internal string SubuidPath { get; init; } = SubordinateIds.SubuidPath;

    /// <summary>Where -MapAuto reads the user's subordinate gids.</summary>
    internal string SubgidPath { get; init; } = SubordinateIds.SubgidPath;
}

/// <summary>New-Namespace -FilePath's options once resolved: every value the plan is built from.</summary>
internal sealed class UnshareSettings
{
    internal required UnshareOptions Options { get; init; }

    internal required LaunchCaller Caller { get; init; }

    /// <summary>The kinds to create, implied ones added (User for id maps, Time for offsets, Mount for -MountProc), in enum order.</summary>
    internal required IReadOnlyList<NamespaceType> Types { get; init; }

    internal IReadOnlyList<IdMapRange>? UidMap { get; init; }

    internal IReadOnlyList<IdMapRange>? GidMap { get; init; }

    internal SetGroupsMode? SetGroups { get; init; }

    /// <summary>The signal the program gets when pwsh dies; 0 for none.</summary>
    internal int KillSignal { get; init; }

    /// <summary>The kinds bound on files after the fork, in the order of the files; null for none.</summary>
    internal IReadOnlyList<NamespaceType>? PersistTypes { get; init; }

    /// <summary>The files they are bound on, as given (-Path) or /run/netns/NAME (-Name).</summary>
    internal IReadOnlyList<string>? PersistFiles { get; init; }
}
