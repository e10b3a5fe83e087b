using System;
using System.Collections.Generic;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Core.Workers;

/// <summary>
/// Keeps <see cref="NamespaceWorker{TState}"/>s between calls, keyed by the identity of the
/// namespaces they joined, so a loop of calls into one target pays for the thread and its state
/// once. A worker serves one renter at a time; concurrent calls into one target get one worker
/// each. An idle worker ends after <see cref="IdleTimeout"/>, and <see cref="ReleaseAll"/> ends
/// them all (the module calls it when it is removed).
/// </summary>
/// <remarks>
/// Reusing a worker for a new target with the same identity is exact: the worker holds its
/// namespaces alive, so an inode that matches is the same namespace, not a reused number.
/// </remarks>
internal sealed class NamespaceWorkerPool<TState> where TState : class, IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<NamespaceWorker<TState>>> _idle = new(StringComparer.Ordinal);
    private readonly HashSet<NamespaceWorker<TState>> _live = new();
    private readonly Queue<int> _ended = new();
    private readonly Func<NamespaceTarget, TState> _prepare;
    private int _generation;
    private int _idleCount;

    private const int EndedTidsKept = 64;

    internal NamespaceWorkerPool(Func<NamespaceTarget, TState> prepare, TimeSpan idleTimeout, int maxIdlePerTarget, int maxIdle)
    {
        _prepare = prepare;
        IdleTimeout = idleTimeout;
        MaxIdlePerTarget = maxIdlePerTarget;
        MaxIdle = maxIdle;
    }

    /// <summary>How long a worker nobody uses is kept.</summary>
    internal TimeSpan IdleTimeout { get; }

    /// <summary>How many idle workers are kept for one target; more end when their call does.</summary>
    internal int MaxIdlePerTarget { get; }

    /// <summary>
    /// How many idle workers are kept in all. A worker returned beyond it ends: the ones kept
    /// first stay, which serves a loop over a few targets, while a pass over many targets
    /// does not hold a runspace for each of them.
    /// </summary>
    internal int MaxIdle { get; }

    /// <summary>
    /// A worker in the target's namespaces for the caller alone: an idle one already there, or a
    /// new one that joins them. Takes ownership of <paramref name="target"/>. Hand it back with
    /// <see cref="Return"/>, or <see cref="NamespaceWorker{TState}.Retire"/> it.
    /// </summary>
    internal Rental Rent(NamespaceTarget target)
    {
        string identity = target.Identity;
        lock (_lock)
        {
            if (_idle.TryGetValue(identity, out List<NamespaceWorker<TState>>? idle) && idle.Count > 0)
            {
                NamespaceWorker<TState> reused = idle[^1];
                idle.RemoveAt(idle.Count - 1);
                _idleCount--;
                target.Dispose();
                return new Rental(reused, _generation);
            }
        }

        var worker = new NamespaceWorker<TState>(target, _prepare, IdleTimeout, TryRetireIdle, Exited);
        int generation;
        lock (_lock)
        {
            _live.Add(worker);
            generation = _generation;
        }

        worker.Start();
        return new Rental(worker, generation);
    }

    /// <summary>Keeps a worker whose work is done for the next call into its target, or ends it.</summary>
    internal void Return(Rental rental)
    {
        NamespaceWorker<TState> worker = rental.Worker;
        lock (_lock)
        {
            if (!worker.Broken && rental.Generation == _generation)
            {
                if (!_idle.TryGetValue(worker.Identity, out List<NamespaceWorker<TState>>? idle))
                {
                    idle = new List<NamespaceWorker<TState>>();
                    _idle[worker.Identity] = idle;
                }

                if (idle.Count < MaxIdlePerTarget && _idleCount < MaxIdle)
                {
                    idle.Add(worker);
                    _idleCount++;
                    return;
                }
            }
        }

        worker.Retire();
    }

    /// <summary>
    /// The TIDs of the worker threads: threads that are meant to be inside other namespaces. The
    /// latest ended ones are included, since a thread is still listed in /proc for a moment after
    /// its worker said it ended (TIDs are not reused that soon).
    /// </summary>
    internal HashSet<int> WorkerTids()
    {
        lock (_lock)
        {
            var tids = new HashSet<int>(_ended);
            foreach (NamespaceWorker<TState> worker in _live)
            {
                tids.Add(worker.Tid);
            }

            return tids;
        }
    }

    /// <summary>
    /// Ends every idle worker and waits (up to <paramref name="wait"/>) for their threads; workers
    /// busy now end when their call does.
    /// </summary>
    internal void ReleaseAll(TimeSpan wait)
    {
        var ending = new List<NamespaceWorker<TState>>();
        lock (_lock)
        {
            _generation++;
            foreach (List<NamespaceWorker<TState>> idle in _idle.Values)
            {
                ending.AddRange(idle);
            }

            _idle.Clear();
            _idleCount = 0;
        }

        RetireAndJoin(ending, wait);
    }

    /// <summary>
    /// Ends the idle workers inside the namespace <paramref name="namespaceId"/> ("net:[4026532180]")
    /// and waits (up to <paramref name="wait"/>) until their threads are gone, so that they no
    /// longer hold it: what Remove-Namespace does before it removes a namespace. Returns the TIDs
    /// of the workers busy in it now, which go on holding it until their call ends.
    /// </summary>
    internal List<int> ReleaseIdleIn(string namespaceId, TimeSpan wait)
    {
        var ending = new List<NamespaceWorker<TState>>();
        var busy = new List<int>();
        lock (_lock)
        {
            var emptied = new List<string>();
            foreach (KeyValuePair<string, List<NamespaceWorker<TState>>> entry in _idle)
            {
                if (Contains(entry.Key, namespaceId))
                {
                    ending.AddRange(entry.Value);
                    _idleCount -= entry.Value.Count;
                    emptied.Add(entry.Key);
                }
            }

            foreach (string identity in emptied)
            {
                _idle.Remove(identity);
            }

            foreach (NamespaceWorker<TState> worker in _live)
            {
                if (Contains(worker.Identity, namespaceId) && !ending.Contains(worker))
                {
                    busy.Add(worker.Tid);
                }
            }
        }

        RetireAndJoin(ending, wait);
        return busy;
    }

    /// <summary>Whether an identity ("mnt:[1] net:[2]") names the namespace ("net:[2]").</summary>
    private static bool Contains(string identity, string namespaceId) =>
        Array.IndexOf(identity.Split(' '), namespaceId) >= 0;

    private static void RetireAndJoin(List<NamespaceWorker<TState>> ending, TimeSpan wait)
    {
        foreach (NamespaceWorker<TState> worker in ending)
        {
            worker.Retire();
        }

        DateTime deadline = DateTime.UtcNow + wait;
        foreach (NamespaceWorker<TState> worker in ending)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            worker.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    private bool TryRetireIdle(NamespaceWorker<TState> worker)
    {
        lock (_lock)
        {
            if (_idle.TryGetValue(worker.Identity, out List<NamespaceWorker<TState>>? idle) && idle.Remove(worker))
            {
                _idleCount--;
                if (idle.Count == 0)
                {
                    _idle.Remove(worker.Identity);
                }

                return true;
            }

            return false;
        }
    }

    private void Exited(NamespaceWorker<TState> worker)
    {
        lock (_lock)
        {
            _live.Remove(worker);
            _ended.Enqueue(worker.Tid);
            if (_ended.Count > EndedTidsKept)
            {
                _ended.Dequeue();
            }
        }
    }

    /// <summary>A worker lent to one caller, and the pool generation it was lent in.</summary>
    internal readonly record struct Rental(NamespaceWorker<TState> Worker, int Generation);
}
