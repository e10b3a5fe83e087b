using static Tmds.Linux.LibC;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    /// <summary>socket(2) with SOCK_CLOEXEC always added, as an owned descriptor, or throws (function names the socket's kind).</summary>
    internal static SafeFd Socket(int domain, int type, int protocol, string function, string? subject)
    {
        int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
        return fd >= 0 ? new SafeFd(fd) : throw ErrnoException.FromLast(function, subject);
    }

    /// <summary>SIOCGSKNS from linux/sockios.h (Linux 4.9+).</summary>
    internal const int SIOCGSKNS = 0x894C;

    /// <summary>
    /// ioctl(SIOCGSKNS): a descriptor (close-on-exec) of the network namespace a socket belongs to,
    /// which the socket holds alive whatever namespace its process is in now. Needs CAP_NET_ADMIN
    /// over that namespace. Returns 0 or the errno; a raw descriptor the caller closes.
    /// </summary>
    internal static int TrySocketNetworkNamespace(int socketFd, out int nsFd)
    {
        nsFd = ioctl(socketFd, SIOCGSKNS);
        if (nsFd < 0)
        {
            nsFd = -1;
            return errno;
        }

        return 0;
    }
}
