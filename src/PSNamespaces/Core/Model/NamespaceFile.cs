using System;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Model;

/// <summary>
/// A namespace opened from a path (/proc/PID/ns/net, a bind mount, /run/netns/NAME). A path given as
/// a namespace must be one: fstatfs must report NSFS_MAGIC, or it is refused before it is opened.
/// </summary>
internal sealed class NamespaceFile : IDisposable
{
    private NamespaceFile(SafeFd fd, NamespaceType type, ulong inode)
    {
        Fd = fd;
        Type = type;
        Inode = inode;
    }

    internal SafeFd Fd { get; }

    internal NamespaceType Type { get; }

    internal ulong Inode { get; }

    /// <summary>Opens path (following a /proc magic link, as nsenter does) and checks it is a namespace.</summary>
    /// <exception cref="ErrnoException">open fails.</exception>
    /// <exception cref="NotANamespaceException">The file is not on nsfs.</exception>
    /// <param name="path">The file.</param>
    /// <param name="expected">The kind the caller's context implies, used only where the kernel cannot say.</param>
    internal static NamespaceFile Open(string path, NamespaceType? expected = null) => OpenAt(LibC.AT_FDCWD, path, path, expected);

    /// <summary>Opens a path relative to a directory descriptor (a /proc/PID directory) as a namespace.</summary>
    /// <param name="dirfd">The directory, or AT_FDCWD.</param>
    /// <param name="relativePath">The file.</param>
    /// <param name="subject">The path for messages.</param>
    /// <param name="expected">The kind the caller's context implies, used only where the kernel cannot say.</param>
    /// <param name="extraFlags">More open flags: O_NOFOLLOW where a symlink must be refused (ELOOP).</param>
    /// <remarks>
    /// The path is first only looked up (O_PATH), which opens nothing: a FIFO would block a real
    /// open until a writer came, and a device's open runs its driver (a terminal can become the
    /// controlling one, a tape rewinds). Only a file on nsfs is then opened, through the looked-up
    /// descriptor (<see cref="Reopen"/>), so what was checked is what is opened.
    /// </remarks>
    internal static NamespaceFile OpenAt(int dirfd, string relativePath, string subject, NamespaceType? expected = null, int extraFlags = 0)
    {
        int err = Sys.TryOpenAt(dirfd, Sys.NullTerminated(relativePath), LibC.O_PATH | extraFlags, out int raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, subject);
        }

        using var found = new SafeFd(raw);
        if ((extraFlags & LibC.O_NOFOLLOW) != 0 && IsSymbolicLink(found))
        {
            // O_PATH|O_NOFOLLOW opens a symlink itself instead of failing; the caller asked for open's ELOOP.
            throw new ErrnoException("open", Errno.ELOOP, subject);
        }

        return Reopen(found, subject, expected);
    }

    /// <summary>
    /// Opens one of the calling thread's own /proc/thread-self/ns/* links, with no O_PATH look-up
    /// first: a /proc magic link to a namespace opens no FIFO or device, so the look-up guards
    /// nothing there and would cost an open and a close on every namespace made. It is still
    /// refused unless it is on nsfs.
    /// </summary>
    /// <exception cref="ErrnoException">open fails.</exception>
    /// <exception cref="NotANamespaceException">The file is not on nsfs (/proc is not procfs).</exception>
    internal static NamespaceFile OpenOwn(string link, NamespaceType expected)
    {
        int err = Sys.TryOpenAt(LibC.AT_FDCWD, Sys.NullTerminated(link), LibC.O_RDONLY, out int raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, link);
        }

        var fd = new SafeFd(raw);
        try
        {
            if (Sys.FilesystemType(fd, link) != Sys.NSFS_MAGIC)
            {
                throw new NotANamespaceException(link);
            }

            return Described(fd, link, expected);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The namespace behind a descriptor that only names a file (O_PATH): refused unless the file
    /// is on nsfs, then opened for real through /proc/self/fd (setns and the nsfs ioctls refuse an
    /// O_PATH descriptor with EBADF). An nsfs file has no open side effects, and the reopen reaches
    /// exactly the file the descriptor names, not whatever its path names now.
    /// </summary>
    /// <exception cref="NotANamespaceException">The file is not on nsfs.</exception>
    internal static NamespaceFile Reopen(SafeFd found, string subject, NamespaceType? expected = null)
    {
        if (Sys.FilesystemType(found, subject) != Sys.NSFS_MAGIC)
        {
            throw new NotANamespaceException(subject);
        }

        int err = Sys.TryOpenAt(LibC.AT_FDCWD, Sys.NullTerminated(Sys.FdPath(found)), LibC.O_RDONLY, out int raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, subject);
        }

        var fd = new SafeFd(raw);
        try
        {
            return Described(fd, subject, expected);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>An open nsfs descriptor with its kind and inode; the caller disposes fd if this throws.</summary>
    private static NamespaceFile Described(SafeFd fd, string subject, NamespaceType? expected)
    {
        NamespaceType type = NamespaceIoctl.GetType(fd, subject, expected);
        int err = Sys.TryFstatx(fd.Fd, Sys.STATX_INO, out statx stx);
        if (err != 0)
        {
            throw new ErrnoException("statx", err, subject);
        }

        return new NamespaceFile(fd, type, stx.stx_ino);
    }

    /// <summary>Whether a descriptor opened O_PATH|O_NOFOLLOW names a symbolic link.</summary>
    internal static bool IsSymbolicLink(SafeFd found) =>
        Sys.TryFstatx(found.Fd, Sys.STATX_TYPE, out statx stx) == 0 && (stx.stx_mode & LibC.S_IFMT) == LibC.S_IFLNK;

    public void Dispose() => Fd.Dispose();
}

/// <summary>A path that exists but is not a namespace file (fstatfs is not NSFS_MAGIC).</summary>
public sealed class NotANamespaceException : ArgumentException
{
    internal NotANamespaceException(string path)
        : base($"'{path}' is not a namespace: it is not on nsfs (a /proc/PID/ns/* entry or a bind mount of one).")
    {
        Path = path;
    }

    /// <summary>The path that was refused.</summary>
    public string Path { get; }
}
