using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>struct statfs as glibc lays it out on 64-bit Linux; only f_type is read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct statfs
    {
        internal long f_type;
        internal long f_bsize;
        internal ulong f_blocks, f_bfree, f_bavail, f_files, f_ffree;
        internal ulong f_fsid;
        internal long f_namelen, f_frsize, f_flags;
        internal fixed long f_spare[4];
    }

    /// <summary>NSFS_MAGIC from linux/magic.h: the filesystem of every namespace file.</summary>
    internal const long NSFS_MAGIC = 0x6e736673;

    /// <summary>PROC_SUPER_MAGIC from linux/magic.h.</summary>
    internal const long PROC_SUPER_MAGIC = 0x9fa0;

    [LibraryImport(Libraries.Libc, EntryPoint = "fstatfs", SetLastError = true)]
    internal static partial int fstatfs(int fd, statfs* buf);
}
