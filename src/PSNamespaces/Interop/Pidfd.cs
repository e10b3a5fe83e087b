using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    // System call numbers of the unified table (Linux 5.1+), the same on every architecture.
    private const int SYS_pidfd_send_signal = 424;
    private const int SYS_pidfd_open = 434;
    internal const int SYS_pidfd_getfd = 438;

    /// <summary>PIDFD_THREAD (= O_EXCL, Linux 6.9+): the pidfd names one thread, and polls readable when that thread exits.</summary>
    internal const uint PIDFD_THREAD = 0x80;

    /// <summary>
    /// pidfd_open(2) (Linux 5.3+): a descriptor that refers to one process (with PIDFD_THREAD, one
    /// thread) for as long as it is open, whatever later happens to the number. Returns 0 or the errno.
    /// </summary>
    internal static int TryPidfdOpen(int pid, out SafeFd? pidfd, uint flags = 0)
    {
        int err = TryPidfdOpen(pid, out int fd, flags);
        pidfd = err == 0 ? new SafeFd(fd) : null;
        return err;
    }

    /// <summary>pidfd_open(2) as a raw descriptor the caller closes, for the /proc scan's per-process loop (no SafeFd per process).</summary>
    internal static int TryPidfdOpen(int pid, out int fd, uint flags = 0)
    {
        // pidfd_open's descriptors are always close-on-exec.
        fd = (int)LibC.syscall(SYS_pidfd_open, pid, flags);
        if (fd < 0)
        {
            fd = -1;
            return LibC.errno;
        }

        return 0;
    }

    /// <summary>Whether the process a pidfd pins is still alive: pidfd_send_signal with signal 0.</summary>
    internal static int TryPidfdAlive(SafeFd pidfd) => TryPidfdSignal(pidfd, 0);

    /// <summary>pidfd_send_signal(2): signals exactly the pinned process, never a reused PID. Returns 0 or the errno.</summary>
    internal static int TryPidfdSignal(SafeFd pidfd, int signal)
    {
        int rc = (int)LibC.syscall(SYS_pidfd_send_signal, pidfd.Fd, signal, 0, 0);
        return rc == 0 ? 0 : LibC.errno;
    }

    /// <summary>
    /// pidfd_getfd(2) (Linux 5.6+): a duplicate, in this process, of descriptor targetFd of the
    /// process a pidfd pins (close-on-exec, as the kernel always makes it); the only way to reach a
    /// socket another process holds, since opening /proc/PID/fd/N of a socket fails with ENXIO.
    /// Returns 0 or the errno; a raw descriptor the caller closes.
    /// </summary>
    internal static int TryPidfdGetfd(int pidfd, int targetFd, out int fd)
    {
        fd = (int)LibC.syscall(SYS_pidfd_getfd, pidfd, targetFd, 0);
        if (fd < 0)
        {
            fd = -1;
            return LibC.errno;
        }

        return 0;
    }
}
