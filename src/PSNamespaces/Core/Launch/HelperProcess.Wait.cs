using System;
using System.Threading;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;
/// <summary>The running program: waited for, its output read line by line, Ctrl+C forwarded as SIGINT or SIGKILL, its exit code.</summary>
internal sealed unsafe partial class HelperProcess
{
    /// <summary>
    /// Waits for the program to end and returns its exit code as a shell reports it (128 + N for
    /// signal N); null when it cannot be known (someone else reaped the helper). While waiting,
    /// output is read and handed on line by line; a cancellation (Ctrl+C) sends SIGINT, and SIGKILL
    /// a few seconds later if the program is still there.
    /// </summary>
    internal int? WaitForExit(CancellationToken cancel, SafeFd? output = null, Action<string>? onLine = null)
    {
        if (_reaped)
        {
            return _exitCode;
        }

        var lines = onLine is null ? null : new OutputLines(onLine);
        using var stop = new SafeFd(eventfd(0, EFD_CLOEXEC));
        using CancellationTokenRegistration registration = cancel.Register(() =>
        {
            ulong one = 1;
            write(stop.Fd, &one, sizeof(ulong));
        });

        pollfd* fds = stackalloc pollfd[3];
        fds[0] = new pollfd { fd = _pidfd?.Fd ?? -1, events = POLLIN };
        fds[1] = new pollfd { fd = stop.Fd, events = POLLIN };
        fds[2] = new pollfd { fd = output?.Fd ?? -1, events = POLLIN };
        byte* buffer = stackalloc byte[4096];
        long killAt = long.MaxValue;
        while (true)
        {
            int timeout = killAt == long.MaxValue ? -1 : (int)Math.Max(0, killAt - Environment.TickCount64);
            if (_pidfd is null)
            {
                timeout = timeout < 0 ? PollWithoutPidfdMilliseconds : Math.Min(timeout, PollWithoutPidfdMilliseconds);
            }

            // A signal (SIGCHLD for every other child of pwsh, SIGCONT, SIGWINCH) ends the poll
            // early; the loop works out the time left again.
            int err = Sys.TryPoll(fds, 3, timeout, out _);
            if (err == EINTR)
            {
                continue;
            }

            if (err != 0)
            {
                throw new ErrnoException("poll", err, "exec helper");
            }

            if (fds[2].revents != 0 && !ReadOutput(fds[2].fd, buffer, lines))
            {
                fds[2].fd = -1;
            }

            if (fds[1].revents != 0)
            {
                // poll skips negative descriptors: the interrupt is sent once.
                fds[1].fd = -1;
                Interrupt();
                killAt = Environment.TickCount64 + (long)s_interruptGrace.TotalMilliseconds;
            }

            if (Environment.TickCount64 >= killAt)
            {
                Kill();
                killAt = long.MaxValue;
            }

            if (fds[0].revents != 0 || (_pidfd is null && TryReap()))
            {
                break;
            }
        }

        // What the program wrote before it ended is in the pipe; a descendant that still holds
        // the pipe open must not keep us waiting.
        if (fds[2].fd >= 0)
        {
            pollfd drain = new() { fd = fds[2].fd, events = POLLIN };
            while (Sys.Poll(&drain, 1, 0) > 0 && ReadOutput(drain.fd, buffer, lines))
            {
            }
        }

        lines?.Flush();
        return Reap();
    }

    private static bool ReadOutput(int fd, byte* buffer, OutputLines? lines)
    {
        nint n;
        do
        {
            n = (nint)read(fd, buffer, 4096);
        }
        while (n < 0 && errno == EINTR);

        if (n <= 0)
        {
            return false;
        }

        lines?.Add(new ReadOnlySpan<byte>(buffer, (int)n));
        return true;
    }

    private int? Reap()
    {
        if (!_reaped)
        {
            Wait(0);
        }

        return _exitCode;
    }

    /// <summary>Reaps the helper if it has ended (waitpid WNOHANG); for a helper without a pidfd.</summary>
    private bool TryReap() => Wait(Sys.WNOHANG);

    private bool Wait(int options)
    {
        // An error (ECHILD: reaped elsewhere) ends the wait too, with no exit code to report.
        if (Sys.TryWaitpid(Pid, options, out int reaped, out int status) == 0 && reaped == 0)
        {
            return false;
        }

        _reaped = true;
        _exitCode = reaped == Pid ? Sys.ShellExitCode(status) : null;
        return true;
    }

    /// <summary>
    /// SIGINT, as Ctrl+C: to the helper, which forwards it to a forked program. A forked program
    /// that would never see it is killed at once instead of after the grace period.
    /// </summary>
    internal void Interrupt()
    {
        if (_programPidfd is not null && !_reaped && DropsInterrupt(_programPidfd))
        {
            Sys.TryPidfdSignal(_programPidfd, SIGKILL);
            return;
        }

        Signal(_pidfd, Pid, SIGINT);
    }

    /// <summary>
    /// Whether the program is PID 1 of its PID namespace with no SIGINT handler — the kernel drops
    /// a signal to a namespace's init that it has no handler for — and has no children, which a
    /// terminal's Ctrl+C reaches directly and which may use the grace period to finish. Read by
    /// PID, so the pidfd must show the program still alive afterwards: else the PID may be
    /// another's. False whenever it cannot be told: then the SIGINT is sent as usual.
    /// </summary>
    private bool DropsInterrupt(SafeFd programPidfd)
    {
        Span<byte> status = stackalloc byte[8192];
        if (Sys.TryReadSmallFileAt(AT_FDCWD, System.Text.Encoding.ASCII.GetBytes($"/proc/{ProgramPid}/status\0"), status, out int length) != 0 ||
            length == 0 || !new ProcStatusText(status[..length]).IsInitWithoutHandler(SIGINT))
        {
            return false;
        }

        Span<byte> children = stackalloc byte[16];
        return Sys.TryReadSmallFileAt(AT_FDCWD, System.Text.Encoding.ASCII.GetBytes($"/proc/{ProgramPid}/task/{ProgramPid}/children\0"), children, out int childrenLength) == 0 &&
               childrenLength == 0 && Sys.TryPidfdAlive(programPidfd) == 0;
    }

    /// <summary>SIGKILL to the program; a forked program's helper then exits with 137.</summary>
    internal void Kill()
    {
        if (_programPidfd is not null)
        {
            Sys.TryPidfdSignal(_programPidfd, SIGKILL);
        }
        else
        {
            Signal(_pidfd, ProgramPid, SIGKILL);
        }
    }

    private void Signal(SafeFd? pidfd, int pid, int signal)
    {
        if (pidfd is not null)
        {
            Sys.TryPidfdSignal(pidfd, signal);
        }
        else if (!_reaped)
        {
            LibC.kill(pid, signal);
        }
    }
}
