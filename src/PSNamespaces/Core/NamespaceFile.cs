using System;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core;

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
    /// <param name="path">The file.</param>
    /// <param name="extraFlags">More open flags: O_NOFOLLOW where a symlink must be refused.</param>
    /// <exception cref="ErrnoException">open fails, or EINVAL when the file is not a namespace.</exception>
    internal static NamespaceFile Open(string path, int extraFlags = 0)
    {
        SafeFd fd = Sys.Open(path, LibC.O_RDONLY | extraFlags);
        try
        {
            if (Sys.FilesystemType(fd, path) != Sys.NSFS_MAGIC)
            {
                throw new NotANamespaceException(path);
            }

            NamespaceType type = NamespaceIoctl.GetType(fd, path);
            int err = Sys.TryFstatx(fd.Fd, Sys.STATX_INO, out statx stx);
            if (err != 0)
            {
                throw new ErrnoException("statx", err, path);
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

    /// <summary>Closes every file of a partly filled array.</summary>
    internal static void DisposeAll(NamespaceFile?[] files)
    {
        foreach (NamespaceFile? file in files)
        {
            file?.Dispose();
        }
    }
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
