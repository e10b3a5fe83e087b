using System;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Threads;
using PSNamespaces.Core.Workers;

namespace PSNamespaces.Runspaces;

/// <summary>
/// One call of a script block into one target, seen from the caller's pipeline thread: rent a
/// worker in the target's namespaces and hand it the invocation; afterwards give the worker back,
/// or let it go when a stopped block does not end in time, and look for threads the block created
/// inside the namespaces.
/// </summary>
internal sealed class NamespaceRun
{
    // The runtime thread that any thread may start when it needs one, a worker included: the
    // JIT's tiered compilation, which does only the runtime's own work and ends after 4 idle
    // seconds, so no warm-up keeps it from being started again from inside. (The background-GC
    // thread, which lived on, is kept from starting while a worker is inside: BackgroundGc; one
    // found inside is reported like any other thread.)
    private static readonly string[] s_selfEndingRuntimeThreads = { ".NET Tiered Com" };

    private readonly NamespaceWorkerPool<NamespaceRunspace> _pool;
    private readonly ScriptInvocation _invocation;
    private readonly IReadOnlyCollection<NamespaceLink> _links;
    private readonly HashSet<int> _threadsBefore;
    private readonly NamespaceWorkerPool<NamespaceRunspace>.Rental _rental;
    private bool _ended;

    /// <summary>Starts the invocation in the target (which the run takes ownership of).</summary>
    internal NamespaceRun(NamespaceWorkerPool<NamespaceRunspace> pool, NamespaceTarget target, ScriptInvocation invocation)
    {
        _pool = pool;
        _invocation = invocation;
        _links = target.Links;
        try
        {
            _threadsBefore = new HashSet<int>(ThreadNamespaces.ListThreads());

            // Native commands the block runs read their output on pool threads: when none is
            // free the worker would create one, inside the namespaces. Have enough made from here.
            RuntimeThreadWarmup.EnsurePoolThreads();
        }
        catch
        {
            target.Dispose();
            throw;
        }

        _rental = pool.Rent(target);
        _rental.Worker.Post(invocation);
    }

    /// <summary>The block's records until it ends; stop waiting with the token.</summary>
    internal IEnumerable<StreamRecord> Records(CancellationToken stop)
    {
        foreach (StreamRecord record in _invocation.Records(stop))
        {
            yield return record;
        }

        _ended = true;
    }

    /// <summary>
    /// Ends the run: a block whose records were not all taken (Ctrl+C, a downstream Select-Object
    /// -First, a write that threw) is stopped first. A worker that ended its call goes back to the
    /// pool; one still busy after <paramref name="stopWait"/> is retired and ends when the block
    /// does, and the caller goes on. Returns the threads created during the call that are inside
    /// the target's namespaces without being workers.
    /// </summary>
    internal List<StrayThread> Finish(TimeSpan stopWait)
    {
        if (!_ended)
        {
            _invocation.Stop();
            _ended = _invocation.WaitForEnd(stopWait);
        }

        if (_ended)
        {
            _pool.Return(_rental);
        }
        else
        {
            _rental.Worker.Retire();
        }

        var created = new List<int>();
        HashSet<int> workers = _pool.WorkerTids();
        foreach (int tid in ThreadNamespaces.ListThreads())
        {
            if (!_threadsBefore.Contains(tid) && !workers.Contains(tid))
            {
                created.Add(tid);
            }
        }

        List<StrayThread> strays = created.Count == 0 ? new List<StrayThread>() : ThreadNamespaces.FindStrays(created, _links);
        strays.RemoveAll(static s => Array.IndexOf(s_selfEndingRuntimeThreads, ThreadNamespaces.CommandOf(s.Tid)) >= 0);
        return strays;
    }
}
