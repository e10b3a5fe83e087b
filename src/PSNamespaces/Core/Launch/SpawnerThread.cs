using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSNamespaces.Core.Threads;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// The one thread every exec helper is started from. PR_SET_PDEATHSIG fires when the *thread*
/// that started a child exits, not the process: a helper started from a pipeline thread or a
/// <see cref="NamespaceThread"/> would be killed as soon as that thread ended. This thread lives
/// as long as pwsh, so "the parent died" means pwsh died.
/// </summary>
/// <remarks>
/// It never enters a namespace. Not every session launches a program, so it is created on first
/// need, from a thread in pwsh's own namespaces: the first launch's, or a namespace worker's while
/// it prepares its runspace, before it joins its target (so that a first launch inside
/// Invoke-InNamespace finds the thread already made). A thread inherits its creator's
/// namespaces, so it must never be created from a thread that joined a target (every later
/// helper would start from that target): that is refused.
/// </remarks>
internal static class SpawnerThread
{
    private static readonly object s_lock = new();
    private static readonly Queue<Action> s_work = new();
    private static Thread? s_thread;

    /// <summary>Starts the thread, once; called before a namespace worker joins its target, and by the first <see cref="Run{T}"/>.</summary>
    /// <exception cref="InvalidOperationException">The calling thread is not in pwsh's namespaces.</exception>
    internal static void Start()
    {
        lock (s_lock)
        {
            StartLocked();
        }
    }

    /// <summary>Runs work on the spawner thread and waits for it; rethrows what it threw.</summary>
    internal static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        lock (s_lock)
        {
            StartLocked();
            s_work.Enqueue(() =>
            {
                try
                {
                    result = work();
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
                finally
                {
                    done.Set();
                }
            });
            Monitor.Pulse(s_lock);
        }

        done.Wait();
        failure?.Throw();
        return result;
    }

    private static void StartLocked()
    {
        if (s_thread is not null)
        {
            return;
        }

        if (ThreadNamespaces.WhereCallerDiffers() is { Count: > 0 } differing)
        {
            throw new InvalidOperationException(
                $"The exec helpers' starter thread cannot be created from a thread in other namespaces ({string.Join(", ", differing)}): import PSNamespaces in the session first.");
        }

        s_thread = new Thread(Loop) { IsBackground = true, Name = "PSNamespaces spawner" };
        s_thread.Start();
    }

    private static void Loop()
    {
        while (true)
        {
            Action next;
            lock (s_lock)
            {
                while (s_work.Count == 0)
                {
                    Monitor.Wait(s_lock);
                }

                next = s_work.Dequeue();
            }

            next();
        }
    }
}
