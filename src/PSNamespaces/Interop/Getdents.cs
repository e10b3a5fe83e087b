using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// getdents64(2): reads raw directory entries into a caller's buffer. Tmds.LibC lacks it; glibc
    /// exports it since 2.30. Used for /proc so that no string is made for an entry we skip.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getdents64", SetLastError = true)]
    internal static partial nint getdents64(int fd, byte* dirp, nuint count);

    /// <summary>Offsets in struct linux_dirent64 (d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name).</summary>
    internal const int DirentRecLenOffset = 16;
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;
    internal const byte DT_DIR = 4;
}
