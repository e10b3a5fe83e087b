using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace PSNamespaces.Core;

/// <summary>
/// Runs work on a dedicated OS thread that is discarded afterwards. Namespaces belong to threads
/// (unshare and setns change only the calling thread), and the CLR is multithreaded: any
/// namespace change made on a pool thread or the pipeline thread would outlive the operation and
/// leak into unrelated work. So every unshare/setns in this module happens here, never on the
/// thread pool, a Task or PowerShell's pipeline thread.
/// </summary>
/// <remarks>
/// An OS thread created from a namespaced thread inherits its namespaces. Work run here must not
/// make the runtime create threads that outlive it (thread-pool growth, timers, the first
/// Process.Start's signal thread): callers warm those up before entering namespaces.
/// </remarks>
internal static class NamespaceThread
{
    /// <summary>Runs work on a new thread, waits for it, and rethrows what it threw with its stack.</summary>
    internal static T Run<T>(Func<T> work, string name = "PSNamespaces")
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    internal static void Run(Action work, string name = "PSNamespaces") =>
        Run<bool>(() => { work(); return true; }, name);
}
