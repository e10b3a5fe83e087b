using System;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    // The unified table's number (Linux 5.6+), the same on every architecture.
    internal const int SYS_openat2 = 437;

    /// <summary>RESOLVE_NO_SYMLINKS (linux/openat2.h): the lookup fails with ELOOP at any symlink on the way.</summary>
    internal const ulong RESOLVE_NO_SYMLINKS = 0x04;

    /// <summary>struct open_how (linux/openat2.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct open_how
    {
        internal ulong flags;
        internal ulong mode;
        internal ulong resolve;
    }

    /// <summary>openat2(2) with O_CLOEXEC always added; returns 0 or the errno.</summary>
    internal static int TryOpenAt2(int dirfd, ReadOnlySpan<byte> pathz, int flags, ulong resolve, out int fd)
    {
        var how = new open_how { flags = (ulong)(uint)(flags | LibC.O_CLOEXEC), resolve = resolve };
        fixed (byte* p = pathz)
        {
            fd = (int)LibC.syscall(SYS_openat2, dirfd, p, &how, sizeof(open_how));
        }

        return fd >= 0 ? 0 : LibC.errno;
    }
}
