using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    // System call numbers of the unified table (Linux 5.1+), the same on every architecture.
    private const int SYS_pidfd_send_signal = 424;
    private const int SYS_pidfd_open = 434;

    /// <summary>
    /// pidfd_open(2) (Linux 5.3+): a descriptor that refers to one process for as long as it is
    /// open, whatever later happens to the PID number. Returns 0 or the errno.
    /// </summary>
    internal static int TryPidfdOpen(int pid, out SafeFd? pidfd)
    {
        // pidfd_open's descriptors are always close-on-exec.
        int fd = (int)LibC.syscall(SYS_pidfd_open, pid, 0);
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
