using System;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Model;

/// <summary>
/// A namespace opened from a path (/proc/PID/ns/net, a bind mount, /run/netns/NAME). A path given as
/// a namespace must be one: fstatfs must report NSFS_MAGIC, or it is refused.
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
    /// <param name="extraFlags">More open flags: O_NOFOLLOW where a symlink must be refused.</param>
    internal static NamespaceFile OpenAt(int dirfd, string relativePath, string subject, NamespaceType? expected = null, int extraFlags = 0)
    {
        int err = Sys.TryOpenAt(dirfd, Sys.NullTerminated(relativePath), LibC.O_RDONLY | extraFlags, out int raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, subject);
        }

        var fd = new SafeFd(raw);
        try
        {
            if (Sys.FilesystemType(fd, subject) != Sys.NSFS_MAGIC)
            {
                throw new NotANamespaceException(subject);
            }

            NamespaceType type = NamespaceIoctl.GetType(fd, subject, expected);
            err = Sys.TryFstatx(fd.Fd, Sys.STATX_INO, out statx stx);
            if (err != 0)
            {
                throw new ErrnoException("statx", err, subject);
            }

            return new NamespaceFile(fd, type, stx.stx_ino);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

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
