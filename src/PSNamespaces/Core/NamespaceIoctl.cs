using System;
using PSNamespaces.Interop;

namespace PSNamespaces.Core;

/// <summary>The ioctls of nsfs (linux/nsfs.h), asked of an open namespace descriptor.</summary>
internal static class NamespaceIoctl
{
    /// <summary>_IO(0xb7, 0x3): the CLONE_NEW* flag of the namespace.</summary>
    internal const int NS_GET_NSTYPE = 0xb703;

    /// <summary>
    /// The kind of the namespace fd refers to; throws when it cannot be told. <paramref name="expected"/>
    /// is what the caller's context says (a file under /run/netns is a network namespace): it is
    /// only used on kernels without NS_GET_NSTYPE, where setns checks it anyway.
    /// </summary>
    internal static NamespaceType GetType(SafeFd fd, string subject, NamespaceType? expected = null)
    {
        int flag = Tmds.Linux.LibC.ioctl(fd.Fd, NS_GET_NSTYPE);
        if (flag < 0)
        {
            int err = Errno.Last;
            // Before Linux 4.11 nsfs has no NS_GET_NSTYPE. A descriptor opened through
            // /proc/PID/ns/* has link text that names the kind ("net:[4026531840]"); one opened
            // through a bind mount shows its path, and only the caller's context can tell.
            if (err == Errno.ENOTTY && (TypeFromLinkText(fd) ?? expected) is NamespaceType known)
            {
                return known;
            }

            throw new ErrnoException("ioctl(NS_GET_NSTYPE)", err, subject);
        }

        return NamespaceTypes.FromCloneFlag(flag) ??
            throw new ErrnoException("ioctl(NS_GET_NSTYPE)", Errno.EINVAL, subject);
    }

    private static NamespaceType? TypeFromLinkText(SafeFd fd)
    {
        Span<byte> text = stackalloc byte[64];
        byte[] path = Sys.NullTerminated("/proc/thread-self/fd/" + fd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int n = Sys.ReadLinkAt(Tmds.Linux.LibC.AT_FDCWD, path, text);
        int colon = n > 0 ? text[..n].IndexOf((byte)':') : -1;
        if (colon <= 0)
        {
            return null;
        }

        Span<char> name = stackalloc char[colon];
        for (int i = 0; i < colon; i++)
        {
            name[i] = (char)text[i];
        }

        return NamespaceTypes.TryParse(name, out NamespaceType type) ? type : null;
    }
}
