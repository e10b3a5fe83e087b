using System;
using PSNamespaces.Core.Workers;

namespace PSNamespaces.Runspaces;

/// <summary>
/// The session-wide pool of namespace workers with a runspace each, shared by every runspace
/// that imported the module (ForEach-Object -Parallel included).
/// </summary>
internal static class NamespaceRunspaces
{
    /// <summary>
    /// Long enough for a loop or a pipeline of calls to keep its worker, short enough that a
    /// thread does not sit in a namespace long after its last use.
    /// </summary>
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long module removal waits for idle workers to end.</summary>
    internal static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(10);

    /// <summary>Concurrent calls into one target each get a worker; this many stay for later calls.</summary>
    internal const int MaxIdlePerTarget = 4;

    /// <summary>Idle workers kept in all, each with its runspace (megabytes, not kilobytes).</summary>
    internal const int MaxIdle = 8;

    internal static readonly NamespaceWorkerPool<NamespaceRunspace> Pool =
        new(NamespaceRunspace.Create, IdleTimeout, MaxIdlePerTarget, MaxIdle);
}
