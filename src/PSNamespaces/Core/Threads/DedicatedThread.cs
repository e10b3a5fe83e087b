// Core/Threads — the kernel's rule that namespaces belong to threads, made safe for the CLR:
// a plain new thread owned and discarded by the core (DedicatedThread, NamespaceThread), never
// the pool; what namespaces each thread of pwsh is in (ThreadNamespaces); the runtime's lazily
// made threads started from the session's namespaces first (RuntimeThreadWarmup), and no
// background GC, whose thread cannot be made first, while a thread is outside them (BackgroundGc).
// Uses: Model, Proc.

using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Threads;

/// <summary>
/// A new OS thread that runs one piece of work and ends. <see cref="Wait"/> returns only once the
/// OS thread is gone, not merely its managed work: until then it still shows in /proc/self/task
/// and keeps alive the namespaces it was created in or entered, so a caller that checks its
/// threads afterwards (Invoke-InNamespace, the test suite) would see it.
/// </summary>
/// <remarks>
/// An OS thread is born in the namespaces of the thread that creates it, not the session's.
/// </remarks>
internal sealed class DedicatedThread
{
    private readonly Action _work;
    private readonly Thread _thread;
    private SafeFd? _exited;
    private int _tid;

    private DedicatedThread(Action work, string? name, int maxStackSize)
    {
        _work = work;
        _thread = new Thread(Body, maxStackSize) { IsBackground = true };
        if (name is not null)
        {
            _thread.Name = name;
        }
    }

    /// <summary>What the work threw, with its stack; null when it ran to its end. Read after <see cref="Wait"/>.</summary>
    internal ExceptionDispatchInfo? Failure { get; private set; }

    /// <summary>Starts work on a new thread.</summary>
    /// <param name="work">What to run there.</param>
    /// <param name="name">The thread's name, as ps -T shows it; null for none. Naming costs an open and a write of /proc/self/task/TID/comm, more than the rest of the thread's start.</param>
    /// <param name="maxStackSize">The thread's stack, 0 for the runtime's default; a few system calls need far less, and a smaller stack starts faster.</param>
    /// <exception cref="OutOfMemoryException">The kernel refused the thread (EINVAL after setns into a PID namespace, see <see cref="ThreadNamespaces.CallerCanCreateThreads"/>).</exception>
    internal static DedicatedThread Start(Action work, string? name, int maxStackSize = 0)
    {
        var thread = new DedicatedThread(work, name, maxStackSize);
        thread._thread.Start();
        return thread;
    }

    /// <summary>Waits until the work is done and the OS thread has exited.</summary>
    internal void Wait()
    {
        _thread.Join();
        if (_exited is not null)
        {
            // Join returns when the managed work is done; the OS thread exits a moment later.
            using (_exited)
            {
                Sys.PidfdExited(_exited, 5000);
            }

            _exited = null;
        }
        else if (_tid != 0)
        {
            // Before Linux 6.9 there is no thread pidfd: watch /proc/self/task instead. The id can
            // only go to a new thread once this one is gone; should that happen between two looks,
            // the deadline ends the wait.
            long deadline = Environment.TickCount64 + 5000;
            while (ThreadNamespaces.IsListed(_tid) && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(1);
            }
        }
    }

    private void Body()
    {
        try
        {
            // Opened by the thread itself, so it names this thread and never a later one that
            // reuses its id. Before Linux 6.9 (no PIDFD_THREAD) there is none.
            _tid = Sys.gettid();
            Sys.TryPidfdOpen(_tid, out _exited, Sys.PIDFD_THREAD);

            _work();
        }
        catch (Exception ex)
        {
            Failure = ExceptionDispatchInfo.Capture(ex);
        }
    }
}
