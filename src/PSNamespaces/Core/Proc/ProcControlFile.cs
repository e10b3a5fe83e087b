using System.Globalization;
using System.Text;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Proc;

/// <summary>
/// The files under /proc/PID that configure a new namespace from outside: uid_map, gid_map,
/// setgroups, timens_offsets. They are written only when they are real procfs files: a /proc
/// replaced by something else in pwsh's mount namespace is refused, not written to.
/// </summary>
internal static unsafe class ProcControlFile
{
    /// <summary>Writes text in one write(2), as the kernel requires for id maps.</summary>
    internal static void Write(int pid, string name, string text)
    {
        string path = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/" + name;
        using SafeFd fd = Sys.OpenAt(LibC.AT_FDCWD, path, LibC.O_WRONLY | LibC.O_NOFOLLOW);
        if (Sys.FilesystemType(fd, path) != Sys.PROC_SUPER_MAGIC)
        {
            throw new ErrnoException("fstatfs", Errno.EXDEV, path + " is not on procfs");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text);
        nint n;
        fixed (byte* b = bytes)
        {
            n = (nint)LibC.write(fd.Fd, b, bytes.Length);
        }

        if (n < 0)
        {
            throw ErrnoException.FromLast("write", path);
        }
    }
}
