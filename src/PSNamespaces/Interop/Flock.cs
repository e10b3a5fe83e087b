using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    /// <summary>LOCK_EX from sys/file.h: an exclusive lock.</summary>
    internal const int LOCK_EX = 2;

    /// <summary>LOCK_UN from sys/file.h: release the lock.</summary>
    internal const int LOCK_UN = 8;

    /// <summary>
    /// flock(2); Tmds.LibC lacks it. iproute2 takes this lock on /run/netns while it turns the
    /// directory into a shared mount, so two creators never stack mounts on it (Debian bug 949235).
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    /// <summary>
    /// flock(2) on a descriptor, retried when a signal interrupts the wait for the lock (any
    /// handler in the process installed without SA_RESTART does; taken for a failure, the caller
    /// would go on unlocked); returns 0 or the errno.
    /// </summary>
    internal static int TryFlock(SafeFd fd, int operation)
    {
        int err;
        do
        {
            err = flock(fd.Fd, operation) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        while (err == Errno.EINTR);

        return err;
    }
}
