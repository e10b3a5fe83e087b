using System;

namespace PSNamespaces.Core.Threads;

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
/// Process.Start's signal thread): callers warm those up before entering namespaces. The
/// background-GC thread cannot be warmed up, so no background collection starts while it runs
/// (<see cref="BackgroundGc"/>).
/// </remarks>
internal static class NamespaceThread
{
    /// <summary>
    /// Runs work on a new thread, waits until that OS thread is gone, and rethrows what it threw
    /// with its stack.
    /// </summary>
    /// <param name="work">What to run there.</param>
    /// <param name="name">The thread's name, as ps -T shows it; null for none. Naming costs an open and a write of /proc/self/task/TID/comm, more than the rest of the thread's start.</param>
    /// <param name="maxStackSize">The thread's stack, 0 for the runtime's default; a few system calls need far less, and a smaller stack starts faster.</param>
    internal static T Run<T>(Func<T> work, string? name = "PSNamespaces", int maxStackSize = 0)
    {
        T result = default!;
        BackgroundGc.Suspend();
        try
        {
            DedicatedThread thread = DedicatedThread.Start(() => result = work(), name, maxStackSize);
            // Until the OS thread, still in the namespaces it entered, is gone, it keeps them alive
            // and shows in /proc/self/task: callers see every thread back in the session's.
            thread.Wait();
            thread.Failure?.Throw();
            return result;
        }
        finally
        {
            BackgroundGc.Resume();
        }
    }

    internal static void Run(Action work, string name = "PSNamespaces") =>
        Run<bool>(() => { work(); return true; }, name);
}
