using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    // System call numbers of the unified table (Linux 5.1+), the same on every architecture.
    private const int SYS_pidfd_send_signal = 424;
    private const int SYS_pidfd_open = 434;

    /// <summary>PIDFD_THREAD (= O_EXCL, Linux 6.9+): the pidfd names one thread, and polls readable when that thread exits.</summary>
    internal const uint PIDFD_THREAD = 0x80;

    /// <summary>
    /// pidfd_open(2) (Linux 5.3+): a descriptor that refers to one process (with PIDFD_THREAD, one
    /// thread) for as long as it is open, whatever later happens to the number. Returns 0 or the errno.
    /// </summary>
    internal static int TryPidfdOpen(int pid, out SafeFd? pidfd, uint flags = 0)
    {
        // pidfd_open's descriptors are always close-on-exec.
        int fd = (int)LibC.syscall(SYS_pidfd_open, pid, flags);
        if (fd < 0)
        {
            pidfd = null;
            return LibC.errno;
        }

        pidfd = new SafeFd(fd);
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
}
