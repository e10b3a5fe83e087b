using System;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Model;

/// <summary>
/// The ioctls of nsfs (linux/nsfs.h), asked of an open namespace descriptor. The Try forms return
/// 0 or an errno, for scans where a refusal (EPERM: the answer is outside the caller's namespace)
/// is an answer, not a failure.
/// </summary>
internal static unsafe class NamespaceIoctl
{
    /// <summary>_IO(0xb7, 0x1): a new descriptor for the user namespace that owns the namespace.</summary>
    internal const int NS_GET_USERNS = 0xb701;

    /// <summary>_IO(0xb7, 0x2): a new descriptor for the parent namespace (PID and user namespaces only).</summary>
    internal const int NS_GET_PARENT = 0xb702;

    /// <summary>_IO(0xb7, 0x3): the CLONE_NEW* flag of the namespace.</summary>
    internal const int NS_GET_NSTYPE = 0xb703;

    /// <summary>_IO(0xb7, 0x4): the owner uid of a user namespace, into a uid_t.</summary>
    internal const int NS_GET_OWNER_UID = 0xb704;

    /// <summary>
    /// _IOR(0xb7, 13, __u64) = 0x8008b70d: the 64-bit namespace id, Linux 6.18+. Older
    /// linux/nsfs.h (this machine's) lacks it; the kernel truncates the request to 32 bits, so
    /// the sign of the int does not matter.
    /// </summary>
    internal const int NS_GET_ID = unchecked((int)0x8008b70d);

    // Set once a kernel answers ENOTTY: it has no NS_GET_ID, and asking again per namespace is waste.
    private static volatile bool s_noNsGetId;

    /// <summary>
    /// The kind of the namespace fd refers to; throws when it cannot be told. <paramref name="expected"/>
    /// is what the caller's context says (a file under /run/netns is a network namespace): it is
    /// only used on kernels without NS_GET_NSTYPE, where setns checks it anyway.
    /// </summary>
    internal static NamespaceType GetType(SafeFd fd, string subject, NamespaceType? expected = null)
    {
        int err = TryGetType(fd.Fd, out NamespaceType type, expected);
        return err == 0 ? type : throw new ErrnoException("ioctl(NS_GET_NSTYPE)", err, subject);
    }

    /// <summary>NS_GET_NSTYPE as a <see cref="NamespaceType"/>; 0 or the errno (EINVAL for a kind this module does not know).</summary>
    internal static int TryGetType(int fd, out NamespaceType type, NamespaceType? expected = null)
    {
        type = default;
        int flag = ioctl(fd, NS_GET_NSTYPE);
        if (flag < 0)
        {
            int err = errno;
            // Before Linux 4.11 nsfs has no NS_GET_NSTYPE. A descriptor opened through
            // /proc/PID/ns/* has link text that names the kind ("net:[4026531840]"); one opened
            // through a bind mount shows its path, and only the caller's context can tell.
            if (err == Errno.ENOTTY && (TypeFromLinkText(fd) ?? expected) is NamespaceType fallback)
            {
                type = fallback;
                return 0;
            }

            return err;
        }

        if (NamespaceTypes.FromCloneFlag(flag) is not NamespaceType known)
        {
            return Errno.EINVAL;
        }

        type = known;
        return 0;
    }

    /// <summary>NS_GET_USERNS or NS_GET_PARENT: the related namespace as a new O_CLOEXEC descriptor (the kernel sets the flag).</summary>
    internal static int TryOpenRelated(int fd, int request, out int relatedFd)
    {
        relatedFd = ioctl(fd, request);
        return relatedFd >= 0 ? 0 : errno;
    }

    /// <summary>NS_GET_OWNER_UID of a user namespace; 0 or the errno (EINVAL for any other kind).</summary>
    internal static int TryGetOwnerUid(int fd, out uint uid)
    {
        uint value = 0;
        int rc = ioctl(fd, NS_GET_OWNER_UID, &value);
        uid = value;
        return rc == 0 ? 0 : errno;
    }

    /// <summary>NS_GET_ID, or null where the kernel does not have it (ENOTTY, probed once per process) or refuses it.</summary>
    internal static ulong? TryGetId(int fd) => TryReadId(fd, out ulong id) == 0 ? id : null;

    /// <summary>
    /// NS_GET_ID, or null only where the kernel does not have it; any other failure throws. For
    /// identity checks: an ioctl that failed for another reason says nothing about the namespace,
    /// and taking it for an old kernel would accept a namespace by its inode alone.
    /// </summary>
    /// <exception cref="ErrnoException">The kernel has NS_GET_ID, and it failed.</exception>
    internal static ulong? GetIdIfSupported(int fd, string subject)
    {
        int err = TryReadId(fd, out ulong id);
        return err switch
        {
            0 => id,
            // ENOTTY: nsfs before Linux 6.18 knows no such ioctl. EINVAL: how some kernels and
            // seccomp sandboxes refuse a request they do not know.
            Errno.ENOTTY or Errno.EINVAL => null,
            _ => throw new ErrnoException("ioctl(NS_GET_ID)", err, subject),
        };
    }

    // 0 or the errno; ENOTTY, once seen, is answered without asking again.
    private static int TryReadId(int fd, out ulong id)
    {
        id = 0;
        if (s_noNsGetId)
        {
            return Errno.ENOTTY;
        }

        ulong value = 0;
        if (ioctl(fd, NS_GET_ID, &value) == 0)
        {
            id = value;
            return 0;
        }

        int err = errno;
        if (err == Errno.ENOTTY)
        {
            s_noNsGetId = true;
        }

        return err;
    }

    private static NamespaceType? TypeFromLinkText(int fd)
    {
        Span<byte> text = stackalloc byte[64];
        byte[] path = Sys.NullTerminated("/proc/thread-self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Sys.TryReadLinkAt(AT_FDCWD, path, text, out int n) == 0 && n > 0 && Nsfs.TryParseLink(text[..n], out NamespaceType type, out _) ? type : null;
    }
}
