// Core/Workers — PowerShell run inside namespaces (Invoke-InNamespace): a worker thread that
// starts in the session's namespaces, warms what it needs, then joins one target for good
// (NamespaceWorker); idle workers kept per namespace identity (NamespaceWorkerPool).
// Uses: Model, Threads, Targets.

using System;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Workers;

/// <summary>Work a <see cref="NamespaceWorker{TState}"/> runs inside its target's namespaces.</summary>
internal interface INamespaceWork<in TState>
{
    /// <summary>Runs on the worker's thread, inside the namespaces. Reports its own outcome; must not throw.</summary>
    void Run(TState state);

    /// <summary>The worker could not get ready (preparing, or joining the namespaces, failed), or <see cref="Run"/> threw.</summary>
    void Fail(Exception error);
}

/// <summary>
/// A dedicated thread that prepares its state, joins one target's namespaces, and then runs work
/// for that target only, one item at a time, until it is retired or has been idle for a while.
/// Unlike <see cref="NamespaceThread"/> it is kept between calls, because what runs there (a
/// PowerShell runspace) is expensive to create; like it, the thread is never handed anything
/// else: a thread that joined a target's namespaces can only end.
/// </summary>
/// <remarks>
/// The state is made before joining: after setns into a mount namespace every path (assemblies
/// the CLR loads lazily included) resolves in the target's filesystem. Everything the thread runs
/// after joining, and every thread it creates, is inside the target.
/// </remarks>
internal sealed class NamespaceWorker<TState> where TState : class, IDisposable
{
    private const int StackSize = 10_000_000;

    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly Func<NamespaceTarget, TState> _prepare;
    private readonly TimeSpan _idleTimeout;
    private readonly Func<NamespaceWorker<TState>, bool> _tryRetireIdle;
    private readonly Action<NamespaceWorker<TState>> _exited;
    private NamespaceTarget? _target;
    private INamespaceWork<TState>? _pending;
    private bool _retiring;

    /// <param name="target">The namespaces to join; the worker owns it and closes it once joined.</param>
    /// <param name="prepare">Makes the state for the target, on the worker's thread, before it joins.</param>
    /// <param name="idleTimeout">How long the worker waits for work before asking to retire.</param>
    /// <param name="tryRetireIdle">Asked after an idle timeout; true when no one can hand the worker work any more.</param>
    /// <param name="exited">Called on the worker's thread as it ends.</param>
    internal NamespaceWorker(
        NamespaceTarget target,
        Func<NamespaceTarget, TState> prepare,
        TimeSpan idleTimeout,
        Func<NamespaceWorker<TState>, bool> tryRetireIdle,
        Action<NamespaceWorker<TState>> exited)
    {
        _target = target;
        Identity = target.Identity;
        _prepare = prepare;
        _idleTimeout = idleTimeout;
        _tryRetireIdle = tryRetireIdle;
        _exited = exited;

        // PowerShell runs its own pipelines on threads with this much stack, so that deep
        // recursion in a script ends in its own error rather than a stack overflow of the process.
        _thread = new Thread(Main, StackSize)
        {
            IsBackground = true,
            Name = "PSNamespaces worker",
        };
    }

    /// <summary>The identity of the namespaces this worker is in (<see cref="NamespaceTarget.Identity"/>).</summary>
    internal string Identity { get; }

    /// <summary>The worker's TID, once its thread runs (0 before).</summary>
    internal int Tid { get; private set; }

    /// <summary>True once the worker failed to get ready or its work threw: it must not be reused.</summary>
    internal bool Broken { get; private set; }

    internal void Start() => _thread.Start();

    /// <summary>Hands the worker its next work. Only its renter calls this, once per rental.</summary>
    internal void Post(INamespaceWork<TState> work)
    {
        lock (_gate)
        {
            if (_pending is not null || _retiring)
            {
                throw new InvalidOperationException("The namespace worker is not free.");
            }

            _pending = work;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Ends the worker once the work it has been given is done.</summary>
    internal void Retire()
    {
        lock (_gate)
        {
            _retiring = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// Waits for the worker's thread to end and to be gone from /proc/self/task: Thread.Join
    /// returns when the managed work is done, a moment before the OS thread, still in the
    /// target's namespaces, exits.
    /// </summary>
    internal bool Join(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        if (!_thread.Join(timeout))
        {
            return false;
        }

        while (Tid != 0 && ThreadNamespaces.IsListed(Tid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }

    private void Main()
    {
        TState? state = null;
        Exception? startFailure = null;
        bool suspendedGc = false;
        try
        {
            Tid = Sys.gettid();
            List<NamespaceLink> inherited = ThreadNamespaces.WhereCallerDiffers();
            if (inherited.Count > 0)
            {
                // A thread created by a namespace worker (a nested call) inherits its namespaces:
                // as a worker it would join the target on top of them and be reused as if clean.
                throw new InvalidOperationException(
                    "The namespace worker was started from a thread that is inside other namespaces (" +
                    string.Join(", ", inherited.ConvertAll(NamespaceLinks.FileName)) +
                    "), such as the script block of another Invoke-InNamespace; call it from the session instead.");
            }

            RuntimeThreadWarmup.EnsureWarm();
            state = _prepare(_target!);
            BackgroundGc.Suspend();
            suspendedGc = true;
            NamespaceEntry.JoinOnThisThread(_target!);
        }
        catch (Exception ex)
        {
            startFailure = ex;
            Broken = true;
        }
        finally
        {
            _target!.Dispose();
            _target = null;
        }

        try
        {
            while (TakeWork() is INamespaceWork<TState> work)
            {
                if (startFailure is not null)
                {
                    work.Fail(startFailure);
                    break;
                }

                try
                {
                    work.Run(state!);
                }
                catch (Exception ex)
                {
                    Broken = true;
                    work.Fail(ex);
                    break;
                }
            }
        }
        finally
        {
            try
            {
                state?.Dispose();
            }
            catch (Exception)
            {
                // Nothing is left to report to, and an exception escaping a thread would end the
                // process; the state is dropped either way.
            }

            _exited(this);

            // Last, after the pool's bookkeeping (which may allocate): an allocation on this
            // thread once background collections are back could start one, and the thread the
            // runtime makes for it would be born here, in the target.
            if (suspendedGc)
            {
                BackgroundGc.Resume();
            }
        }
    }

    /// <summary>The next work, or null when the worker is to end (retired, or idle and let go by its pool).</summary>
    private INamespaceWork<TState>? TakeWork()
    {
        while (true)
        {
            lock (_gate)
            {
                // Monitor.Wait with a timeout blocks in the runtime's own wait; a Timer here would
                // create the timer thread from inside the namespaces if it did not exist yet.
                while (_pending is null && !_retiring)
                {
                    if (!Monitor.Wait(_gate, _idleTimeout))
                    {
                        break;
                    }
                }

                if (_pending is not null)
                {
                    INamespaceWork<TState> work = _pending;
                    _pending = null;
                    return work;
                }

                if (_retiring)
                {
                    return null;
                }
            }

            // Idle for a whole timeout. Ask outside our lock (the pool locks itself, then us): if
            // someone rented us meanwhile, their work is on its way.
            if (_tryRetireIdle(this))
            {
                return null;
            }
        }
    }
}
