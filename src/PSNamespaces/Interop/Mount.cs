using Tmds.Linux;

namespace PSNamespaces.Interop;

/// <summary>Checked forms of mount(2), umount2(2) and unlink(2) for binds and propagation changes.</summary>
internal static unsafe partial class Sys
{
    /// <summary>
    /// mount(2) with no filesystem type and no data: a bind, or a propagation change when source
    /// is null. Returns 0 or the errno.
    /// </summary>
    internal static int TryMount(string? source, string target, ulong_t flags)
    {
        byte[]? sourcez = source is null ? null : NullTerminated(source);
        byte[] targetz = NullTerminated(target);
        fixed (byte* s = sourcez)
        fixed (byte* t = targetz)
        fixed (byte* none = "none\0"u8)
        {
            return LibC.mount(s, t, none, flags, null) == 0 ? 0 : LibC.errno;
        }
    }

    /// <summary>mount(2) that throws, naming subject (the path the user gave) rather than a /proc/self/fd path.</summary>
    internal static void Mount(string? source, string target, ulong_t flags, string subject)
    {
        int err = TryMount(source, target, flags);
        if (err != 0)
        {
            throw new ErrnoException("mount", err, subject);
        }
    }

    /// <summary>umount2(2); returns 0 or the errno.</summary>
    internal static int TryUmount2(string target, int flags)
    {
        fixed (byte* t = NullTerminated(target))
        {
            return LibC.umount2(t, flags) == 0 ? 0 : LibC.errno;
        }
    }

    /// <summary>unlinkat(2) of a file (not a directory); returns 0 or the errno.</summary>
    internal static int TryUnlinkAt(int dirfd, string path)
    {
        fixed (byte* p = NullTerminated(path))
        {
            return LibC.unlinkat(dirfd, p, 0) == 0 ? 0 : LibC.errno;
        }
    }

    /// <summary>mkdir(2); returns 0 or the errno.</summary>
    internal static int TryMkdir(string path, uint mode)
    {
        fixed (byte* p = NullTerminated(path))
        {
            return LibC.mkdir(p, (mode_t)mode) == 0 ? 0 : LibC.errno;
        }
    }

    /// <summary>
    /// The path that names an open descriptor's file through procfs. mount(2) given this path
    /// acts on exactly the file the descriptor holds: no path is looked up a second time, so no
    /// symlink swapped in meanwhile can redirect it.
    /// </summary>
    internal static string FdPath(SafeFd fd) =>
        "/proc/self/fd/" + fd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
