namespace PSNamespaces.Interop;

internal static partial class Sys
{
    // MOUNT_ATTR_* from linux/mount.h, for fsmount(2) in the exec helper's mount step.
    internal const ulong MOUNT_ATTR_RDONLY = 0x1;
    internal const ulong MOUNT_ATTR_NOSUID = 0x2;
    internal const ulong MOUNT_ATTR_NODEV = 0x4;
    internal const ulong MOUNT_ATTR_NOEXEC = 0x8;

    /// <summary>STATX_ATTR_MOUNT_ROOT from linux/stat.h (Linux 5.8+): the path is the root of a mount.</summary>
    internal const ulong STATX_ATTR_MOUNT_ROOT = 0x2000;
}
