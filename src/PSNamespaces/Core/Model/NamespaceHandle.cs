using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Model;

/// <summary>
/// A file handle of a namespace (name_to_handle_at on nsfs, Linux 6.18+). It names the namespace
/// without holding it: once the last holder is gone, open_by_handle_at fails with ESTALE. That
/// answers "does anything still hold it?" in two system calls, where naming the holders means
/// reading every process's /proc entry.
/// </summary>
internal sealed unsafe class NamespaceHandle
{
    private const int HeaderSize = 8; // struct file_handle: handle_bytes, handle_type, then f_handle[]
    private readonly byte[] _handle;

    private NamespaceHandle(byte[] handle) => _handle = handle;

    /// <summary>The handle of the namespace behind an nsfs descriptor, or null where the kernel gives none.</summary>
    internal static NamespaceHandle? TryGet(SafeFd namespaceFd)
    {
        byte[] buffer = new byte[HeaderSize + LibC.MAX_HANDLE_SZ];
        int mountId;
        fixed (byte* b = buffer)
        fixed (byte* empty = "\0"u8)
        {
            ((file_handle*)b)->handle_bytes = (uint)LibC.MAX_HANDLE_SZ;
            // EOPNOTSUPP before Linux 6.18: nsfs had no file handles.
            return LibC.name_to_handle_at(namespaceFd.Fd, empty, (file_handle*)b, &mountId, LibC.AT_EMPTY_PATH) == 0
                ? new NamespaceHandle(buffer)
                : null;
        }
    }

    /// <summary>True while something holds the namespace, false once it is gone, null when the kernel will not say (no CAP_DAC_READ_SEARCH).</summary>
    internal bool? IsAlive()
    {
        // open_by_handle_at needs a descriptor on the handle's filesystem: any nsfs file will do.
        if (Sys.TryOpenAt(LibC.AT_FDCWD, "/proc/thread-self/ns/net\0"u8, LibC.O_RDONLY, out int fd) != 0)
        {
            return null;
        }

        using var nsfs = new SafeFd(fd);
        fixed (byte* b = _handle)
        {
            fd = LibC.open_by_handle_at(nsfs.Fd, (file_handle*)b, LibC.O_RDONLY | LibC.O_CLOEXEC);
        }

        if (fd < 0)
        {
            return LibC.errno == Errno.ESTALE ? false : null;
        }

        // Opened only to learn that it can be.
        new SafeFd(fd).Dispose();
        return true;
    }
}
