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
/// It never enters a namespace, and is created when the module is imported, on the thread that
/// imports it: a thread in pwsh's own namespaces. A thread inherits its creator's namespaces, so
/// it must never be created from a namespace worker (a first launch inside Invoke-InNamespace
/// would otherwise start every later helper from that target): that is refused.
/// </remarks>
internal static class SpawnerThread
{
    private static readonly object s_lock = new();
    private static readonly Queue<Action> s_work = new();
    private static Thread? s_thread;

    /// <summary>Starts the thread, once; called as the module is imported.</summary>
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
