using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace PSNamespaces.Core;

/// <summary>
/// The one thread every exec helper is started from. PR_SET_PDEATHSIG fires when the *thread*
/// that started a child exits, not the process: a helper started from a pipeline thread or a
/// <see cref="NamespaceThread"/> would be killed as soon as that thread ended. This thread lives
/// as long as pwsh, so "the parent died" means pwsh died.
/// </summary>
/// <remarks>
/// It never enters a namespace, and is created on first use from a thread in pwsh's own
/// namespaces (cmdlets run on the pipeline thread), so the helpers start from those.
/// </remarks>
internal static class SpawnerThread
{
    private static readonly object s_lock = new();
    private static readonly Queue<Action> s_work = new();
    private static Thread? s_thread;

    /// <summary>Runs work on the spawner thread and waits for it; rethrows what it threw.</summary>
    internal static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        lock (s_lock)
        {
            if (s_thread is null)
            {
                s_thread = new Thread(Loop) { IsBackground = true, Name = "PSNamespaces spawner" };
                s_thread.Start();
            }

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
