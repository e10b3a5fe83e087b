// Core/Watch — Watch-Namespace: what the kernel says moved (the process connector's fork, exec
// and exit; POLLPRI on mountinfo; RTNLGRP_NSID), an incremental state that re-reads only those
// PIDs and mounts and turns the difference into Added/Removed/Persisted/Unpersisted events
// (WatchState, TrackedNamespace), and the watcher thread that hands them to the pipeline.
// Uses: Model, Proc, Attribution, Threads, Inventory.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Watch;

/// <summary>
/// A running watch: a <see cref="WatchLoop"/> on a dedicated thread, its records handed to the
/// caller's pipeline thread through a bounded queue (the only thread allowed to write them). A
/// pipeline that reads slowly makes the loop wait; the kernel then drops process events and says
/// so, and the loop rescans instead of missing them.
/// </summary>
/// <remarks>
/// The thread is created by the caller, so it is born in the caller's namespaces: inside
/// Invoke-InNamespace, the target's. After setns into a PID namespace the kernel refuses the
/// caller new threads; the loop then runs on the caller's thread between reads
/// (<see cref="Records"/>).
/// </remarks>
internal sealed unsafe class NamespaceWatcher : IDisposable
{
    private const int QueueCapacity = 1024;

    // Inline, a step waits at most this long before the caller looks at its stop token again.
    private const int InlineStepMs = 100;

    private readonly BlockingCollection<WatchRecord> _records;
    private readonly CancellationTokenSource _stop = new();
    private readonly SafeFd _wake;
    private readonly WatchLoop _loop;
    private readonly DedicatedThread? _thread;
    private ExceptionDispatchInfo? _failure;
    private bool _disposed;

    private NamespaceWatcher(WatchOptions options)
    {
        int wake = eventfd(0, EFD_CLOEXEC);
        if (wake < 0)
        {
            throw ErrnoException.FromLast("eventfd", "watch");
        }

        _wake = new SafeFd(wake);

        bool threaded = ThreadNamespaces.CallerCanCreateThreads();
        // Inline, the caller both fills and empties the queue: it must never wait on it.
        _records = threaded ? new BlockingCollection<WatchRecord>(QueueCapacity) : new BlockingCollection<WatchRecord>();
        _loop = new WatchLoop(options, _wake.Fd, record => _records.Add(record, _stop.Token));
        if (threaded)
        {
            _thread = DedicatedThread.Start(Run, "PSNamespaces watch");
        }
    }

    /// <summary>Starts watching.</summary>
    internal static NamespaceWatcher Start(WatchOptions options) => new(options);

    /// <summary>
    /// The records as they come, until <paramref name="stop"/> is cancelled. A failure of the
    /// watch (a system call that should not fail) is thrown from here.
    /// </summary>
    internal IEnumerable<WatchRecord> Records(CancellationToken stop)
    {
        if (_thread is null)
        {
            return RunInline(stop);
        }

        return Consume(stop);
    }

    private IEnumerable<WatchRecord> Consume(CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _stop.Token);
        IEnumerator<WatchRecord> records = _records.GetConsumingEnumerable(linked.Token).GetEnumerator();
        while (true)
        {
            try
            {
                if (!records.MoveNext())
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            yield return records.Current;
        }

        // Ended by the caller (a timeout, -Count, Ctrl+C) or by the loop failing: either way the
        // thread is told to stop and is gone before the failure, if any, is thrown.
        Stop();
        _thread!.Wait();
        _failure?.Throw();
    }

    private void Stop()
    {
        _stop.Cancel();
        ulong one = 1;
        write(_wake.Fd, &one, sizeof(ulong));
    }

    private IEnumerable<WatchRecord> RunInline(CancellationToken stop)
    {
        _loop.Open(stop);
        while (!stop.IsCancellationRequested && _loop.Step(InlineStepMs, stop))
        {
            while (_records.TryTake(out WatchRecord record))
            {
                yield return record;
            }
        }
    }

    private void Run()
    {
        try
        {
            _loop.Open(_stop.Token);
            while (_loop.Step(-1, _stop.Token))
            {
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped while waiting for room in the queue, or mid-rescan.
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            // The thread that opened the sockets closes them, before it ends.
            _loop.Dispose();
            _records.CompleteAdding();
        }
    }

    /// <summary>Stops the loop and waits until its thread is gone and every descriptor it opened is closed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stop();
        if (_thread is not null)
        {
            _thread.Wait();
        }
        else
        {
            _loop.Dispose();
        }

        _wake.Dispose();
        _stop.Dispose();
    }
}
