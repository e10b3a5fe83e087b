using System;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// poll(2). Our own import because Tmds.LibC declares poll and ppoll without SetLastError:
    /// after a failure its errno is whatever an earlier call left (often 0), so an EINTR — which
    /// pwsh's threads get for every child that exits (SIGCHLD), and on SIGCONT and SIGWINCH; poll
    /// is never restarted, whatever SA_RESTART says — read as "poll: Success" and ended the wait.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    private static partial int poll(pollfd* fds, nuint nfds, int timeout);

    /// <summary>
    /// One poll(2); returns 0 or the errno — EINTR included, for a caller whose loop works out
    /// its own next timeout — and in ready the number of descriptors with events.
    /// </summary>
    internal static int TryPoll(pollfd* fds, int count, int timeoutMs, out int ready)
    {
        int n = poll(fds, (nuint)count, timeoutMs);
        ready = n > 0 ? n : 0;
        return n >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// poll(2) that goes on through signals until an event or until timeoutMs (-1: no limit) has
    /// passed since the call, each retry with the time left; returns the number of descriptors
    /// with events (0: the time ran out), or throws for any other error.
    /// </summary>
    internal static int Poll(pollfd* fds, int count, int timeoutMs, string? subject = null)
    {
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        int timeout = timeoutMs;
        while (true)
        {
            int err = TryPoll(fds, count, timeout, out int ready);
            if (err == 0)
            {
                return ready;
            }

            if (err != Errno.EINTR)
            {
                throw new ErrnoException("poll", err, subject);
            }

            if (deadline != long.MaxValue)
            {
                timeout = (int)Math.Max(0, deadline - Environment.TickCount64);
            }
        }
    }

    /// <summary>
    /// Waits up to timeoutMs for a pidfd to poll readable, which it does once its process (or,
    /// with PIDFD_THREAD, its thread) has exited. Returns true when it has.
    /// </summary>
    internal static bool PidfdExited(SafeFd pidfd, int timeoutMs)
    {
        pollfd p = new() { fd = pidfd.Fd, events = (short)LibC.POLLIN };
        return Poll(&p, 1, timeoutMs, "pidfd") > 0;
    }
}
