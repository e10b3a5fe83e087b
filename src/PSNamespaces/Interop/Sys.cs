using System;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Interop;

/// <summary>
/// Checked wrappers over the raw calls, in the one convention of this layer: a Try* form
/// returns 0 or the errno (never -1, never -errno) and gives its results in out parameters; the
/// form without Try throws <see cref="ErrnoException"/>. Try* is for callers to whom a failure is
/// an answer (a process gone mid-scan, a feature the kernel lacks).
/// </summary>
internal static unsafe partial class Sys
{
    internal const int O_RDONLY = 0;

    /// <summary>openat(2) with O_CLOEXEC always added: no descriptor of ours leaks into a child.</summary>
    internal static int TryOpenAt(int dirfd, ReadOnlySpan<byte> pathz, int flags, out int fd)
    {
        fixed (byte* p = pathz)
        {
            fd = openat(dirfd, p, flags | O_CLOEXEC, 0);
        }

        return fd >= 0 ? 0 : errno;
    }

    /// <summary>openat(2) of a path given as a .NET string; O_CLOEXEC always added.</summary>
    internal static SafeFd OpenAt(int dirfd, string path, int flags, string function = "open")
    {
        int err = TryOpenAt(dirfd, NullTerminated(path), flags, out int fd);
        if (err != 0)
        {
            throw new ErrnoException(function, err, path);
        }

        return new SafeFd(fd);
    }

    internal static SafeFd Open(string path, int flags) => OpenAt(AT_FDCWD, path, flags);

    /// <summary>readlinkat(2) into a caller's buffer; returns 0 or the errno, the text's length in length.</summary>
    internal static int TryReadLinkAt(int dirfd, ReadOnlySpan<byte> pathz, Span<byte> buffer, out int length)
    {
        nint n;
        fixed (byte* p = pathz)
        fixed (byte* b = buffer)
        {
            n = (nint)readlinkat(dirfd, p, b, buffer.Length);
        }

        length = n >= 0 ? (int)n : 0;
        return n >= 0 ? 0 : errno;
    }

    /// <summary>
    /// Reads a small file relative to dirfd into buffer, retrying reads interrupted by a signal;
    /// returns 0 or the errno, the bytes read in length (buffer.Length: the file may be longer).
    /// </summary>
    /// <remarks>
    /// The descriptor stays a raw int closed here: this is called once per process in the /proc
    /// scan, where a SafeFd would be one finalizable object per process.
    /// </remarks>
    internal static int TryReadSmallFileAt(int dirfd, ReadOnlySpan<byte> pathz, Span<byte> buffer, out int length)
    {
        length = 0;
        int err = TryOpenAt(dirfd, pathz, O_RDONLY, out int fd);
        if (err != 0)
        {
            return err;
        }

        try
        {
            while (length < buffer.Length)
            {
                nint n;
                fixed (byte* b = buffer[length..])
                {
                    n = (nint)read(fd, b, buffer.Length - length);
                }

                if (n < 0)
                {
                    int e = errno;
                    if (e == Errno.EINTR)
                    {
                        continue;
                    }

                    return e;
                }

                if (n == 0)
                {
                    break;
                }

                length += (int)n;
            }

            return 0;
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>statx(2) of the file a descriptor refers to (AT_EMPTY_PATH); returns 0 or errno.</summary>
    internal static int TryFstatx(int fd, uint mask, out statx result)
    {
        statx stx;
        int rc;
        fixed (byte* empty = "\0"u8)
        {
            rc = LibC.statx(fd, empty, AT_EMPTY_PATH, mask, &stx);
        }

        result = stx;
        return rc == 0 ? 0 : errno;
    }

    /// <summary>statx(2) of a path relative to dirfd; symlinks are followed unless flags say not.</summary>
    internal static int TryStatxAt(int dirfd, ReadOnlySpan<byte> pathz, int flags, uint mask, out statx result)
    {
        statx stx;
        int rc;
        fixed (byte* p = pathz)
        {
            rc = LibC.statx(dirfd, p, flags, mask, &stx);
        }

        result = stx;
        return rc == 0 ? 0 : errno;
    }

    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_NLINK = 0x4;
    internal const uint STATX_UID = 0x8;
    internal const uint STATX_INO = 0x100;
    internal const uint STATX_SIZE = 0x200;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>fstatfs(2) f_type of a descriptor, or throws.</summary>
    internal static long FilesystemType(SafeFd fd, string subject)
    {
        statfs sfs;
        if (fstatfs(fd.Fd, &sfs) != 0)
        {
            throw ErrnoException.FromLast("fstatfs", subject);
        }

        return sfs.f_type;
    }

    /// <summary>A NUL-terminated UTF-8 copy of a path for the *at calls (refuses embedded NUL).</summary>
    internal static byte[] NullTerminated(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A path cannot contain a NUL character.", nameof(path));
        }

        int n = System.Text.Encoding.UTF8.GetByteCount(path);
        byte[] bytes = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
