using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>One nsfs bind mount in a mount namespace: a file that holds a namespace (its path as a process in that mount namespace sees it).</summary>
internal readonly record struct NsfsMount(NamespaceType Type, ulong Inode, string MountPoint);

/// <summary>The nsfs mounts of a mountinfo file (what lsns shows as NSFS for the caller's).</summary>
internal static class NsfsMounts
{
    /// <summary>Every nsfs mount in the calling thread's mount namespace; with onlyInode, only those of that namespace.</summary>
    /// <param name="onlyInode">0 for all; else the one namespace wanted (no string is made for the other mounts).</param>
    internal static List<NsfsMount> Read(ulong onlyInode = 0)
    {
        var mounts = new List<NsfsMount>();
        int err = TryRead(LibC.AT_FDCWD, "/proc/thread-self/mountinfo\0"u8, mounts, onlyInode);
        return err == 0 ? mounts : throw new ErrnoException("open", err, "/proc/thread-self/mountinfo");
    }

    /// <summary>
    /// Adds the nsfs mounts of the mountinfo file at pathz (relative to dirFd: "mountinfo" of an
    /// open /proc/PID shows that process's mount namespace, its paths as seen from its root).
    /// Returns 0 or the errno.
    /// </summary>
    internal static int TryRead(int dirFd, ReadOnlySpan<byte> pathz, List<NsfsMount> mounts, ulong onlyInode = 0)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int length, err;
            // mountinfo has no size up front: read again into a bigger buffer until it fits.
            while ((err = Sys.TryReadSmallFileAt(dirFd, pathz, buffer, out length)) == 0 && length == buffer.Length)
            {
                int size = buffer.Length * 4;
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(size);
            }

            if (err != 0)
            {
                return err;
            }

            ReadOnlySpan<byte> text = buffer.AsSpan(0, length);
            while (!text.IsEmpty)
            {
                int end = text.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? text : text[..end];
                text = end < 0 ? default : text[(end + 1)..];
                if (TryParse(line, out NsfsMount mount, onlyInode))
                {
                    mounts.Add(mount);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return 0;
    }

    /// <summary>
    /// The mounts of one namespace among those made since (and including) the mount with unique id
    /// <paramref name="firstMountId"/>, through listmount and statmount: for a namespace this
    /// process has just made and bound, its one bind mount and the copies mount propagation made
    /// of it in the caller's mount namespace (a peer of /run/netns elsewhere: mount --rbind /run
    /// /mnt). Those are all it can have: no bind of it can predate ours unless someone raced to
    /// bind the new namespace from our thread's /proc entry. Null where this cannot be read so
    /// (before Linux 6.8, or on 6.8–6.9, whose listmount lists only the root's own children: then
    /// our mount is not among those listed); the caller reads mountinfo instead.
    /// </summary>
    internal static List<NsfsMount>? ReadSince(ulong firstMountId, ulong inode)
    {
        var mounts = new List<NsfsMount>();
        Span<ulong> ids = stackalloc ulong[32];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            ulong after = firstMountId - 1;
            bool first = true;
            while (true)
            {
                if (Sys.TryListMounts(after, ids, out int count) != 0 || (first && (count == 0 || ids[0] != firstMountId)))
                {
                    return null;
                }

                first = false;
                foreach (ulong id in ids[..count])
                {
                    int err;
                    ulong magic;
                    string root, mountPoint;
                    while ((err = Sys.TryStatMount(id, buffer, out magic, out root, out mountPoint)) == Errno.EOVERFLOW)
                    {
                        int size = buffer.Length * 4;
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(size);
                    }

                    // ENOENT: unmounted since it was listed, as if read a moment later.
                    if (err == Errno.ENOENT)
                    {
                        continue;
                    }

                    if (err != 0)
                    {
                        return null;
                    }

                    if (magic == (ulong)Sys.NSFS_MAGIC &&
                        Nsfs.TryParseLink(Encoding.UTF8.GetBytes(root), out NamespaceType type, out ulong found) && found == inode)
                    {
                        mounts.Add(new NsfsMount(type, found, mountPoint));
                    }
                }

                if (count < ids.Length)
                {
                    return mounts;
                }

                after = ids[count - 1];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A mountinfo line of an nsfs mount: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - nsfs SOURCE SUPEROPTIONS",
    /// where ROOT is the namespace ("net:[4026532...]").
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> line, out NsfsMount mount, ulong onlyInode = 0)
    {
        mount = default;
        int separator = line.IndexOf(" - nsfs "u8);
        if (separator < 0)
        {
            return false;
        }

        // Skip ID, PARENT and MAJ:MIN; then ROOT and MOUNTPOINT.
        ReadOnlySpan<byte> rest = line[..separator];
        for (int skip = 0; skip < 3; skip++)
        {
            int space = rest.IndexOf((byte)' ');
            if (space < 0)
            {
                return false;
            }

            rest = rest[(space + 1)..];
        }

        int rootEnd = rest.IndexOf((byte)' ');
        if (rootEnd < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> root = rest[..rootEnd];
        rest = rest[(rootEnd + 1)..];
        int mountPointEnd = rest.IndexOf((byte)' ');
        ReadOnlySpan<byte> mountPoint = mountPointEnd < 0 ? rest : rest[..mountPointEnd];
        if (!Nsfs.TryParseLink(root, out NamespaceType type, out ulong inode) || (onlyInode != 0 && inode != onlyInode))
        {
            return false;
        }

        mount = new NsfsMount(type, inode, Unescape(mountPoint));
        return true;
    }

    /// <summary>The kernel writes space, tab, newline and backslash in mount points as octal escapes (\040).</summary>
    internal static string Unescape(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(escaped);
        }

        var bytes = new byte[escaped.Length];
        int n = 0;
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\' && i + 3 < escaped.Length && IsOctal(escaped[i + 1]) && IsOctal(escaped[i + 2]) && IsOctal(escaped[i + 3]))
            {
                bytes[n++] = (byte)(((escaped[i + 1] - '0') << 6) | ((escaped[i + 2] - '0') << 3) | (escaped[i + 3] - '0'));
                i += 3;
            }
            else
            {
                bytes[n++] = escaped[i];
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
