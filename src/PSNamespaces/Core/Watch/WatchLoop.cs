using System;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Watch;

/// <summary>
/// The watcher's event sources and what each makes it do, one poll at a time: the process
/// connector (re-read the PIDs it names), POLLPRI on mountinfo (re-read the nsfs mounts),
/// RTNLGRP_NSID (ask again about namespaces that live on unseen), an eventfd that stops it, and
/// timers for the periodic rescan, for asking about lingering namespaces again and for writing
/// an Added held back for its bind mount.
/// </summary>
/// <remarks>
/// Everything is opened by the thread that runs the loop, so it is that thread's view: its
/// /proc and mount table (its root and mount namespace), and its network namespace for the
/// sockets. No namespace descriptor is kept between two events: namespaces are remembered by
/// inode and file handle, which hold nothing.
/// </remarks>
internal sealed unsafe class WatchLoop : IDisposable
{
    // How soon a namespace that outlived its last visible holder is asked about again, doubling
    // each time: a network namespace's owner is freed by a kernel worker a few ms after it.
    private const int FirstLingerCheckMs = 10;
    private const int ExitLingerCheckMinimumMs = 20;

    // How long process events gather before they are read (see Step): latency for throughput.
    private const int GatherEventsMs = 5;

    private readonly WatchOptions _options;
    private readonly int _wakeFd;
    private readonly Action<WatchRecord> _write;
    private WatchState? _state;
    private ProcessEventSocket? _processEvents;
    private NsidEventSocket? _nsidEvents;
    private SafeFd? _mountTable;
    private long _intervalMs;
    private long _nextRescan;
    private long _lingerDelay;
    private long _nextLingerCheck = long.MaxValue;
    private long _lastExitCheck;
    private int _lingeringBefore;
    private readonly List<ProcessEvent> _batch = new();
    private readonly Dictionary<int, int> _lastEvent = new();

    internal WatchLoop(WatchOptions options, int wakeFd, Action<WatchRecord> write)
    {
        _options = options;
        _wakeFd = wakeFd;
        _write = write;
    }

    /// <summary>Opens the sources, then reads what is there (no events for it).</summary>
    internal void Open(CancellationToken cancel)
    {
        // Sources first, baseline second: a change during the baseline is then queued, not lost.
        _processEvents = ProcessEventSocket.TryOpen(out string? whyNot);
        if (_processEvents is not null && !ProcIsInitialPidNamespace())
        {
            // Events number processes as the initial PID namespace does; this /proc does not.
            _processEvents.Dispose();
            _processEvents = null;
            whyNot = "/proc here belongs to another PID namespace than the process connector's";
        }

        _mountTable = Sys.Open("/proc/thread-self/mountinfo", O_RDONLY);
        _nsidEvents = NsidEventSocket.TryOpen();
        _intervalMs = (long)(_options.Interval ?? (_processEvents is null ? WatchOptions.RescanWithoutEvents : WatchOptions.RescanWithEvents)).TotalMilliseconds;
        _state = new WatchState(_options.Types, _options.TreeRoot);
        _state.ReadBaseline(cancel);
        _nextRescan = Environment.TickCount64 + _intervalMs;
        if (_processEvents is null)
        {
            _write(WatchRecord.OfWarning(
                $"No process events ({whyNot}): rescanning /proc every {_intervalMs / 1000.0:0.###} s instead (-Interval), so a namespace that comes and goes between two rescans is not seen."));
        }

        (int namespaces, int processes) = _state.Size;
        _write(WatchRecord.OfVerbose(
            $"Watching {namespaces} namespaces of {processes} processes; process events {(_processEvents is null ? "off" : "on")}, rescan every {_intervalMs / 1000.0:0.###} s."));
    }

    /// <summary>Waits for the next event or timer (at most maxWaitMs; -1 for no limit) and handles it. False once stopped.</summary>
    internal bool Step(int maxWaitMs, CancellationToken cancel)
    {
        WatchState state = _state!;
        long now = Environment.TickCount64;
        long due = Math.Min(Math.Min(_nextRescan, _nextLingerCheck), state.NextAddedDue);
        int timeout = (int)Math.Clamp(due - now, 0, int.MaxValue);
        if (maxWaitMs >= 0)
        {
            timeout = Math.Min(timeout, maxWaitMs);
        }

        pollfd* fds = stackalloc pollfd[4];
        fds[0] = new pollfd { fd = _wakeFd, events = POLLIN };
        fds[1] = new pollfd { fd = _processEvents?.Fd ?? -1, events = POLLIN };
        fds[2] = new pollfd { fd = _mountTable!.Fd, events = POLLPRI };
        fds[3] = new pollfd { fd = _nsidEvents?.Fd ?? -1, events = POLLIN };
        // A signal ends the wait early (SIGCONT after Ctrl+Z and fg, SIGCHLD for pwsh's children):
        // a step with nothing to do, and the next works out its timeout again.
        int err = Sys.TryPoll(fds, 4, timeout, out _);
        if (err != 0)
        {
            return err == EINTR ? true : throw new ErrnoException("poll", err, "watch");
        }

        if ((fds[0].revents & POLLIN) != 0)
        {
            return false;
        }

        // The mount table is read before the process events are applied, and again after them
        // while an Added they found is held back: ip netns add (and unshare --net=FILE) makes a
        // namespace, binds it and exits within a millisecond, and the events of that process
        // must not be judged against a mount table older than they are. Without this, the
        // namespace was Added nameless by the process, then Persisted (or Removed at the exit,
        // then Added again by the mount).
        bool rescan = false, checkLingering = false;
        bool mountsChanged = (fds[2].revents & (POLLPRI | POLLERR)) != 0;
        _batch.Clear();
        if ((fds[1].revents & POLLIN) != 0)
        {
            // Let the events of the next few ms gather first: a short-lived process's fork, exec
            // and exit then come in one batch, and it is not read at all (its namespaces are
            // gone by its exit event), and a busy machine wakes the watcher a few hundred times
            // a second at most, not once per process event.
            pollfd stop = new() { fd = _wakeFd, events = POLLIN };
            if (Sys.Poll(&stop, 1, GatherEventsMs, "watch") > 0)
            {
                return false;
            }

            _processEvents!.Drain(_batch.Add, out rescan);
            // Every mount change made before the last exit drained is pending on the table now.
            mountsChanged |= MountTableChanged();
        }

        if (mountsChanged)
        {
            state.RefreshMounts();
        }

        // A process is read once per batch, at its last fork or exec, and not at all when its
        // exit is in the batch too.
        _lastEvent.Clear();
        for (int i = 0; i < _batch.Count; i++)
        {
            _lastEvent[_batch[i].Pid] = i;
        }

        for (int i = 0; i < _batch.Count; i++)
        {
            ProcessEvent ev = _batch[i];
            state.Apply(ev, readProcess: ev.Kind != ProcessEventKind.Exit && _lastEvent[ev.Pid] == i);
            checkLingering |= ev.Kind == ProcessEventKind.Exit;
        }

        if (state.HasPendingAdded && MountTableChanged())
        {
            // A namespace a process made may have been bound meanwhile: its Added names the mount.
            state.RefreshMounts();
        }

        if ((fds[3].revents & POLLIN) != 0 && _nsidEvents!.Drain())
        {
            state.CheckLingering();
        }

        now = Environment.TickCount64;
        if (rescan || now >= _nextRescan)
        {
            // With process events, new and exited processes are known, and only an in-place
            // unshare or setns is left to find: among the processes that ran since the last look.
            if (rescan || _processEvents is null)
            {
                state.Rescan(cancel);
            }
            else
            {
                state.RecheckProcessesThatRan(cancel);
            }

            state.RefreshMounts();
            state.CheckLingering();
            _nextRescan = now + _intervalMs;
        }

        // An exit may have closed the last descriptor of a lingering namespace; at most every few ms.
        if ((checkLingering && now - _lastExitCheck >= ExitLingerCheckMinimumMs) || now >= _nextLingerCheck)
        {
            _lastExitCheck = now;
            state.CheckLingering();
            _lingerDelay = Math.Min(_lingerDelay * 2, _intervalMs);
            _nextLingerCheck = now + _lingerDelay;
        }

        if (state.LingeringCount > _lingeringBefore)
        {
            _lingerDelay = FirstLingerCheckMs;
            _nextLingerCheck = now + _lingerDelay;
        }
        else if (state.LingeringCount == 0)
        {
            _nextLingerCheck = long.MaxValue;
        }

        _lingeringBefore = state.LingeringCount;
        foreach (NamespaceEvent ev in state.TakeEvents(Environment.TickCount64))
        {
            _write(WatchRecord.OfEvent(ev));
        }

        return true;
    }

    /// <summary>
    /// Whether the mount table changed since the last poll of it (which the kernel counts per
    /// open file): asked without waiting.
    /// </summary>
    private bool MountTableChanged()
    {
        pollfd fd = new() { fd = _mountTable!.Fd, events = POLLPRI };
        return Sys.Poll(&fd, 1, 0, "mountinfo") > 0 && (fd.revents & (POLLPRI | POLLERR)) != 0;
    }

    /// <summary>
    /// Whether the /proc this thread sees is the initial PID namespace's, as the process
    /// connector's numbers are: /proc/self names this process by the PID the kernel gives it there.
    /// The connector answered, so this process is in the initial PID namespace.
    /// </summary>
    private static bool ProcIsInitialPidNamespace() => Proc.ProcMount.ForeignProblem() is null;

    public void Dispose()
    {
        _processEvents?.Dispose();
        _nsidEvents?.Dispose();
        _mountTable?.Dispose();
        _state?.Dispose();
    }
}
