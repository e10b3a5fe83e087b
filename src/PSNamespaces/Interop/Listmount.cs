using System;
using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace PSNamespaces.Interop;

// listmount(2) and statmount(2) (Linux 6.8+): the caller's mounts by 64-bit unique id, so that a
// reader can ask about the few mounts made after a given one instead of reading all of mountinfo.
internal static unsafe partial class Sys
{
    // The unified table's numbers (Linux 6.8+), the same on every architecture.
    private const int SYS_statmount = 457;
    private const int SYS_listmount = 458;

    /// <summary>STATX_MNT_ID_UNIQUE (Linux 6.8+): stx_mnt_id is the mount's 64-bit id that is never reused.</summary>
    internal const uint STATX_MNT_ID_UNIQUE = 0x4000;

    /// <summary>LSMT_ROOT: listmount's "the root of the caller's mount namespace".</summary>
    private const ulong LSMT_ROOT = ulong.MaxValue;

    private const ulong STATMOUNT_SB_BASIC = 0x01;
    private const ulong STATMOUNT_MNT_ROOT = 0x08;
    private const ulong STATMOUNT_MNT_POINT = 0x10;

    // struct mnt_id_req's first version (MNT_ID_REQ_SIZE_VER0): size, spare, mnt_id, param.
    [StructLayout(LayoutKind.Sequential)]
    private struct mnt_id_req
    {
        internal uint size;
        internal uint spare;
        internal ulong mnt_id;
        internal ulong param;
    }

    // Offsets in struct statmount (linux/mount.h), stable since 6.8; its strings follow at 512.
    private const int StatmountMask = 8;
    private const int StatmountSbMagic = 24;
    private const int StatmountMntRoot = 104;
    private const int StatmountMntPoint = 108;
    private const int StatmountStrings = 512;

    // struct statx: stx_mnt_id is at 0x90, past the fields Tmds.LibC's statx declares.
    private const int StatxSize = 256;
    private const int StatxMask = 0;
    private const int StatxAttributes = 8;
    private const int StatxIno = 32;
    private const int StatxMntId = 0x90;

    /// <summary>
    /// statx(2) of a path relative to dirfd, not following a last symlink, for its inode, whether
    /// it is a mount's root (STATX_ATTR_MOUNT_ROOT) and its mount's unique id. Returns 0 or the
    /// errno; EOPNOTSUPP when the kernel gives no unique id (before Linux 6.8).
    /// </summary>
    internal static int TryStatxMountId(int dirfd, ReadOnlySpan<byte> pathz, out ulong inode, out bool mountRoot, out ulong mountId)
    {
        byte* buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        int rc;
        fixed (byte* p = pathz)
        {
            rc = LibC.statx(dirfd, p, LibC.AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID_UNIQUE, (statx*)buffer);
        }

        inode = *(ulong*)(buffer + StatxIno);
        mountRoot = (*(ulong*)(buffer + StatxAttributes) & STATX_ATTR_MOUNT_ROOT) != 0;
        mountId = *(ulong*)(buffer + StatxMntId);
        if (rc != 0)
        {
            return LibC.errno;
        }

        return (*(uint*)(buffer + StatxMask) & STATX_MNT_ID_UNIQUE) != 0 ? 0 : Errno.EOPNOTSUPP;
    }

    /// <summary>
    /// listmount(2) of the caller's mount namespace from its root: the unique ids greater than
    /// <paramref name="after"/>, ascending. Returns 0 or the errno (ENOSYS before Linux 6.8).
    /// </summary>
    internal static int TryListMounts(ulong after, Span<ulong> ids, out int count)
    {
        var req = new mnt_id_req { size = (uint)sizeof(mnt_id_req), mnt_id = LSMT_ROOT, param = after };
        long rc;
        fixed (ulong* p = ids)
        {
            rc = (long)LibC.syscall(SYS_listmount, &req, p, ids.Length, 0);
        }

        count = rc >= 0 ? (int)rc : 0;
        return rc >= 0 ? 0 : LibC.errno;
    }

    /// <summary>
    /// statmount(2) of one mount by unique id: its superblock's magic, its root within that
    /// filesystem (for nsfs, "net:[4026532...]") and its mount point as the caller sees it.
    /// Returns 0 or the errno (ENOENT once it is unmounted; EOVERFLOW when buffer is too small).
    /// </summary>
    internal static int TryStatMount(ulong mountId, byte[] buffer, out ulong magic, out string root, out string mountPoint)
    {
        magic = 0;
        root = mountPoint = string.Empty;
        var req = new mnt_id_req { size = (uint)sizeof(mnt_id_req), mnt_id = mountId, param = STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT };
        long rc;
        fixed (byte* b = buffer)
        {
            rc = (long)LibC.syscall(SYS_statmount, &req, b, buffer.Length, 0);
        }

        if (rc < 0)
        {
            return LibC.errno;
        }

        ReadOnlySpan<byte> s = buffer;
        ulong mask = BitConverter.ToUInt64(s[StatmountMask..]);
        if ((mask & (STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT)) != (STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT))
        {
            return Errno.EOPNOTSUPP;
        }

        magic = BitConverter.ToUInt64(s[StatmountSbMagic..]);
        root = StringAt(s, BitConverter.ToUInt32(s[StatmountMntRoot..]));
        mountPoint = StringAt(s, BitConverter.ToUInt32(s[StatmountMntPoint..]));
        return 0;
    }

    private static string StringAt(ReadOnlySpan<byte> statmount, uint offset)
    {
        ReadOnlySpan<byte> text = statmount[(StatmountStrings + (int)offset)..];
        int end = text.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
    }
}
