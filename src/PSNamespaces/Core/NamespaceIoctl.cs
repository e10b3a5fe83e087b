using PSNamespaces.Interop;

namespace PSNamespaces.Core;

/// <summary>The ioctls of nsfs (linux/nsfs.h), asked of an open namespace descriptor.</summary>
internal static class NamespaceIoctl
{
    /// <summary>_IO(0xb7, 0x3): the CLONE_NEW* flag of the namespace.</summary>
    internal const int NS_GET_NSTYPE = 0xb703;

    /// <summary>The kind of the namespace fd refers to; throws when it is not a namespace.</summary>
    internal static NamespaceType GetType(SafeFd fd, string subject)
    {
        int flag = Tmds.Linux.LibC.ioctl(fd.Fd, NS_GET_NSTYPE);
        if (flag < 0)
        {
            throw ErrnoException.FromLast("ioctl(NS_GET_NSTYPE)", subject);
        }

        return NamespaceTypes.FromCloneFlag(flag) ??
            throw new ErrnoException("ioctl(NS_GET_NSTYPE)", Errno.EINVAL, subject);
    }
}
