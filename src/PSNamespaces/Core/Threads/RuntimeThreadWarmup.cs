using System;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSNamespaces.Core.Threads;

/// <summary>
/// Makes the runtime create its lazily-started threads from a thread that is in the session's
/// namespaces. An OS thread inherits the namespaces of the thread that creates it, and .NET
/// creates several threads on first need from whichever thread needs them: the timer thread on
/// the first timer, the signal-handling thread on the first Process.Start or signal registration,
/// the socket engine on the first asynchronous pipe or socket operation (every native command's
/// output is read that way), and thread-pool workers when work is queued and none is free. Made
/// from inside a namespace worker, such a thread would serve the whole session from inside the
/// target. Call only from a thread in the session's namespaces.
/// </summary>
internal static class RuntimeThreadWarmup
{
    private static readonly object s_lock = new();
    private static bool s_warm;

    /// <summary>Starts the timer, signal-handling and socket-engine threads if they are not running yet (once per process).</summary>
    internal static void EnsureWarm()
    {
        lock (s_lock)
        {
            if (s_warm)
            {
                return;
            }

            // Scheduling a timer starts the timer thread; it outlives the timer.
            new Timer(static _ => { }, null, TimeSpan.FromDays(1), Timeout.InfiniteTimeSpan).Dispose();

            // The first signal registration starts the signal-handling thread Process.Start needs.
            // SIGCONT's default action happens whatever handler is registered.
            if (OperatingSystem.IsLinux())
            {
                PosixSignalRegistration.Create(PosixSignal.SIGCONT, static _ => { }).Dispose();
            }

            // An asynchronous read on a pipe goes through the socket engine, which starts its
            // event-loop threads on first use; they run for the life of the process.
            using (var reader = new AnonymousPipeServerStream(PipeDirection.In))
            using (var writer = new AnonymousPipeClientStream(PipeDirection.Out, reader.ClientSafePipeHandle))
            {
                byte[] buffer = new byte[1];
                System.Threading.Tasks.ValueTask<int> read = reader.ReadAsync(buffer);
                writer.WriteByte(1);
                read.AsTask().GetAwaiter().GetResult();
            }

            s_warm = true;
        }
    }

    /// <summary>
    /// Makes sure the thread pool has at least its minimum number of worker threads. Idle pool
    /// threads end after about 20 seconds; when none is left, the next queued work item creates
    /// one from the queuing thread, which must not be a namespace worker. Cheap when the pool is
    /// already that large.
    /// </summary>
    internal static void EnsurePoolThreads()
    {
        ThreadPool.GetMinThreads(out int minimum, out _);
        if (ThreadPool.ThreadCount >= minimum)
        {
            return;
        }

        // Each item waits until all have started, so each gets its own thread. Not disposed: an
        // item that starts after the wait gave up still uses them.
        var started = new CountdownEvent(minimum);
        var release = new ManualResetEventSlim();
        for (int i = 0; i < minimum; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    started.Signal();
                    release.Wait(TimeSpan.FromSeconds(1));
                },
                null);
        }

        started.Wait(TimeSpan.FromSeconds(1));
        release.Set();
    }
}
