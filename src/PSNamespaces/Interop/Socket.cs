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
}
