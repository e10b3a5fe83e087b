using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Model;

/// <summary>
/// The PID-translation ioctls of nsfs (linux/nsfs.h, Linux 6.11+), asked of a PID namespace's
/// descriptor. Their argument is the PID itself, not a pointer, and the answer is the return
/// value: ESRCH when the process is not visible on the other side.
/// </summary>
internal static unsafe class PidNamespaceIoctl
{
    /// <summary>_IOR(0xb7, 0x6, int): a PID as seen in the namespace → the PID the caller sees.</summary>
    internal const int NS_GET_PID_FROM_PIDNS = unchecked((int)0x8004b706);

    /// <summary>_IOR(0xb7, 0x7, int): as NS_GET_PID_FROM_PIDNS, but answers the thread-group leader.</summary>
    internal const int NS_GET_TGID_FROM_PIDNS = unchecked((int)0x8004b707);

    /// <summary>_IOR(0xb7, 0x8, int): a PID the caller sees → the PID it has in the namespace.</summary>
    internal const int NS_GET_PID_IN_PIDNS = unchecked((int)0x8004b708);

    /// <summary>_IOR(0xb7, 0x9, int): as NS_GET_PID_IN_PIDNS, but answers the thread-group leader.</summary>
    internal const int NS_GET_TGID_IN_PIDNS = unchecked((int)0x8004b709);

    // Set once a kernel answers ENOTTY (before 6.11): asking again per PID is waste.
    private static volatile bool s_unsupported;

    /// <summary>
    /// One translation: 0 and the PID, or the errno — ESRCH (not visible there), EINVAL (not a
    /// PID namespace), ENOTTY (the kernel has no such ioctl; remembered for the next call).
    /// </summary>
    internal static int TryTranslate(int pidNamespaceFd, int request, int pid, out int result)
    {
        result = 0;
        if (s_unsupported)
        {
            return Errno.ENOTTY;
        }

        int rc = ioctl(pidNamespaceFd, request, (void*)(nint)pid);
        if (rc > 0)
        {
            result = rc;
            return 0;
        }

        int err = rc == 0 ? Errno.ESRCH : errno;
        if (err == Errno.ENOTTY)
        {
            s_unsupported = true;
        }

        return err;
    }
}
