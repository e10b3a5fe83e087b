using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// Waits up to timeoutMs for a pidfd to poll readable, which it does once its process (or,
    /// with PIDFD_THREAD, its thread) has exited. Returns true when it has.
    /// </summary>
    internal static bool PidfdExited(SafeFd pidfd, int timeoutMs)
    {
        pollfd p = new() { fd = pidfd.Fd, events = (short)LibC.POLLIN };
        while (true)
        {
            int n = LibC.poll(&p, 1, timeoutMs);
            if (n >= 0)
            {
                return n > 0;
            }

            int err = LibC.errno;
            if (err != Errno.EINTR)
            {
                throw new ErrnoException("poll", err, "pidfd");
            }
        }
    }
}
