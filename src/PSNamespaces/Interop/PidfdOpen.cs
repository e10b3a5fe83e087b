using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    /// <summary>__NR_pidfd_open: the same number on every architecture (asm-generic/unistd.h).</summary>
    internal const int SYS_pidfd_open = 434;

    /// <summary>PIDFD_THREAD (= O_EXCL, Linux 6.9+): the pidfd names one thread, and polls readable when that thread exits.</summary>
    internal const uint PIDFD_THREAD = 0x80;

    /// <summary>
    /// pidfd_open(2) through syscall(2): glibc has a wrapper only since 2.36. A pidfd names one
    /// process, never a later one that reuses its PID. The descriptor is always close-on-exec.
    /// </summary>
    /// <returns>0, or the errno (ESRCH: no such process; EINVAL: flags this kernel does not know).</returns>
    internal static int TryPidfdOpen(int pid, out SafeFd pidfd, uint flags = 0)
    {
        int fd = (int)LibC.syscall(SYS_pidfd_open, pid, flags);
        if (fd < 0)
        {
            pidfd = new SafeFd();
            return LibC.errno;
        }

        pidfd = new SafeFd(fd);
        return 0;
    }
}
