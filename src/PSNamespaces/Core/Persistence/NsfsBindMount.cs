using System;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Persistence;

/// <summary>
/// A namespace held by a file: the nsfs bind mount that `unshare --net=FILE` and `ip netns add`
/// make. It keeps the namespace alive with no process in it, until it is unmounted.
/// </summary>
internal static class NsfsBindMount
{
    /// <summary>
    /// Creates the empty file a namespace will be bound onto. O_CREAT|O_EXCL: nothing that already
    /// exists is ever mounted over, and a symlink in the last component is refused, never followed.
    /// Mode 0, as iproute2 makes it: the file is only a mount point.
    /// </summary>
    /// <param name="directoryFd">The directory name is relative to, or AT_FDCWD.</param>
    /// <param name="name">The file, relative to directoryFd or absolute.</param>
    /// <param name="path">The full path, for messages.</param>
    /// <exception cref="NamespaceTargetException">The file exists, or its directory does not.</exception>
    internal static SafeFd CreateFile(int directoryFd, string name, string path)
    {
        int err = Sys.TryOpenAt(directoryFd, Sys.NullTerminated(name), LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW, out int fd);
        if (err == 0)
        {
            return new SafeFd(fd);
        }

        throw err switch
        {
            Errno.EEXIST => NamespaceTargetException.Exists(path, KindOf(directoryFd, name)),
            Errno.ENOENT => NamespaceTargetException.NoDirectory(path),
            _ => new ErrnoException("open", err, path),
        };
    }

    /// <summary>
    /// Binds the namespace an nsfs descriptor holds onto a file made by <see cref="CreateFile"/>.
    /// Both go through /proc/self/fd: the bind reaches exactly the namespace and the file we hold.
    /// The calling thread's mount namespace gets the mount, so the caller must be in the
    /// session's (a mount namespace may only be bound in an older one than itself).
    /// </summary>
    internal static void Bind(SafeFd namespaceFd, SafeFd target, string path) =>
        Sys.Mount(Sys.FdPath(namespaceFd), Sys.FdPath(target), LibC.MS_BIND, path);

    /// <summary>
    /// The unique id (Linux 6.8+) of the mount a bind just made on directory/name, so the mount
    /// table can be read from it on; 0 when the kernel has none, or when what is there now is not
    /// a mount of this namespace (unmounted or mounted over since).
    /// </summary>
    internal static ulong MountIdOf(int directoryFd, string name, ulong inode) =>
        Sys.TryStatxMountId(directoryFd, Sys.NullTerminated(name), out ulong found, out bool mountRoot, out ulong mountId) == 0 &&
        found == inode && mountRoot ? mountId : 0;

    /// <summary>
    /// Unmounts a namespace file (lazily, as `ip netns delete` does) and deletes it, never through
    /// a symlink: neither the file nor any directory on its path may be one, since a link there
    /// would decide which namespace is unmounted and which file deleted (DIR/link/NAME with link
    /// pointing at /run/netns). What is checked is what is unmounted and unlinked: the file's
    /// descriptor and its directory's, never the path looked up again. What else holds the
    /// namespace keeps it alive.
    /// </summary>
    /// <param name="path">The file's absolute path.</param>
    /// <returns>The namespace the file held, with its handle to ask later whether it lives on.</returns>
    /// <exception cref="ErrnoException">ENOENT: no such file; ELOOP: a symlink on the way; EBUSY: still a mount point after the unmount.</exception>
    /// <exception cref="NotANamespaceException">The file exists but holds no namespace; it is left alone.</exception>
    internal static RemovedNamespace Remove(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        int err = Sys.TryOpenAt2(LibC.AT_FDCWD, Sys.NullTerminated(System.IO.Path.GetDirectoryName(path) ?? "/"), LibC.O_PATH | LibC.O_DIRECTORY, Sys.RESOLVE_NO_SYMLINKS, out int raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, path);
        }

        using var directory = new SafeFd(raw);
        err = Sys.TryOpenAt(directory.Fd, Sys.NullTerminated(name), LibC.O_PATH | LibC.O_NOFOLLOW, out raw);
        if (err != 0)
        {
            throw new ErrnoException("open", err, path);
        }

        RemovedNamespace removed;
        using (var found = new SafeFd(raw))
        {
            if (NamespaceFile.IsSymbolicLink(found))
            {
                throw new ErrnoException("open", Errno.ELOOP, path);
            }

            using (NamespaceFile file = NamespaceFile.Reopen(found, path))
            {
                removed = new RemovedNamespace(file.Type, file.Inode, path, NamespaceHandle.TryGet(file.Fd));
            }

            // /proc/self/fd/N is followed to the mount the descriptor holds, not looked up by
            // name: UMOUNT_NOFOLLOW would stop at the /proc link itself (EINVAL).
            err = Sys.TryUmount2(Sys.FdPath(found), LibC.MNT_DETACH);
            if (err != 0)
            {
                throw new ErrnoException("umount2", err, path);
            }
        }

        err = Sys.TryUnlinkAt(directory.Fd, name);
        if (err != 0)
        {
            throw new ErrnoException("unlink", err, path);
        }

        return removed;
    }

    /// <summary>Undoes a bind made here, after a later step failed: unmount, then the caller unlinks.</summary>
    internal static void Unbind(string path) => Sys.TryUmount2(path, LibC.MNT_DETACH | LibC.UMOUNT_NOFOLLOW);

    /// <summary>What is already at a path that O_EXCL refused.</summary>
    private static NamespaceTargetKind KindOf(int directoryFd, string name)
    {
        int err = Sys.TryStatxAt(directoryFd, Sys.NullTerminated(name), LibC.AT_SYMLINK_NOFOLLOW, Sys.STATX_TYPE, out statx stx);
        if (err != 0)
        {
            return NamespaceTargetKind.Exists;
        }

        return (stx.stx_mode & LibC.S_IFMT) switch
        {
            var m when m == LibC.S_IFLNK => NamespaceTargetKind.SymbolicLink,
            var m when m == LibC.S_IFDIR => NamespaceTargetKind.Directory,
            _ => NamespaceTargetKind.Exists,
        };
    }
}

/// <summary>A namespace whose file was removed; Handle (null before Linux 6.18) tells whether it lives on.</summary>
internal sealed record RemovedNamespace(NamespaceType Type, ulong Inode, string Path, NamespaceHandle? Handle);

/// <summary>Why a file cannot receive a namespace.</summary>
public enum NamespaceTargetKind
{
    /// <summary>A file (or a namespace) is already there.</summary>
    Exists,

    /// <summary>The path is a symbolic link; namespaces are never mounted through one.</summary>
    SymbolicLink,

    /// <summary>The path is a directory.</summary>
    Directory,

    /// <summary>The directory the file would be in does not exist.</summary>
    NoDirectory,
}

/// <summary>A path that cannot receive a namespace; nothing was created or changed.</summary>
public sealed class NamespaceTargetException : InvalidOperationException
{
    private NamespaceTargetException(string path, NamespaceTargetKind kind, string message)
        : base(message)
    {
        Path = path;
        Kind = kind;
    }

    /// <summary>The path that was refused.</summary>
    public string Path { get; }

    /// <summary>Why.</summary>
    public NamespaceTargetKind Kind { get; }

    internal static NamespaceTargetException Exists(string path, NamespaceTargetKind kind) => kind switch
    {
        NamespaceTargetKind.SymbolicLink => new(path, kind, $"'{path}' is a symbolic link: a namespace is never mounted through one. Give the path it points to."),
        NamespaceTargetKind.Directory => new(path, kind, $"'{path}' is a directory: a namespace is persisted on a file, which is created."),
        _ => new(path, kind, $"'{path}' already exists: a namespace is persisted on a new file, and nothing existing is mounted over."),
    };

    internal static NamespaceTargetException NoDirectory(string path) =>
        new(path, NamespaceTargetKind.NoDirectory, $"Cannot create '{path}': the directory '{System.IO.Path.GetDirectoryName(path)}' does not exist.");
}
