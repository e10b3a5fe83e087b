using System;
using System.Collections.Generic;
using System.Text;
using PSNamespaces.Interop;

namespace PSNamespaces.Core;

/// <summary>
/// A bind mount holding a namespace: an nsfs entry of mountinfo, whose root field names the
/// namespace ("net:[4026532281]") and whose mount point is the file it was bound onto
/// (/run/netns/blue, or the FILE of unshare --net=FILE).
/// </summary>
internal readonly record struct NsfsMount(NamespaceType Type, ulong Inode, string MountPoint)
{
    /// <summary>
    /// The nsfs entries of the calling thread's mount namespace, in mountinfo order. Bind mounts
    /// in other mount namespaces are not visible from here (lsns cannot see them either).
    /// </summary>
    internal static List<NsfsMount> ReadAll()
    {
        var mounts = new List<NsfsMount>();
        int n = Sys.ReadWholeFileAt(Tmds.Linux.LibC.AT_FDCWD, "/proc/thread-self/mountinfo\0"u8, out byte[] buffer);
        if (n < 0)
        {
            throw new ErrnoException("read", -n, "/proc/thread-self/mountinfo");
        }

        ReadOnlySpan<byte> rest = buffer.AsSpan(0, n);
        while (!rest.IsEmpty)
        {
            int eol = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = eol < 0 ? rest : rest[..eol];
            rest = eol < 0 ? default : rest[(eol + 1)..];
            if (TryParse(line, out NsfsMount mount))
            {
                mounts.Add(mount);
            }
        }

        return mounts;
    }

    /// <summary>
    /// One mountinfo line (proc(5)): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS".
    /// False for any line that is not an nsfs mount.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> line, out NsfsMount mount)
    {
        mount = default;
        // Cheap filter first: almost every line is another filesystem.
        int separator = line.IndexOf(" - nsfs "u8);
        if (separator < 0)
        {
            return false;
        }

        // Skip ID, PARENT and MAJ:MIN to reach ROOT and MOUNTPOINT.
        ReadOnlySpan<byte> fields = line[..separator];
        for (int skip = 0; skip < 3; skip++)
        {
            int space = fields.IndexOf((byte)' ');
            if (space < 0)
            {
                return false;
            }

            fields = fields[(space + 1)..];
        }

        int rootEnd = fields.IndexOf((byte)' ');
        if (rootEnd < 0 || !Nsfs.TryParseLink(fields[..rootEnd], out NamespaceType type, out ulong inode))
        {
            return false;
        }

        ReadOnlySpan<byte> mountPoint = fields[(rootEnd + 1)..];
        int mountPointEnd = mountPoint.IndexOf((byte)' ');
        if (mountPointEnd >= 0)
        {
            mountPoint = mountPoint[..mountPointEnd];
        }

        mount = new NsfsMount(type, inode, Unescape(mountPoint));
        return true;
    }

    /// <summary>The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134.</summary>
    private static string Unescape(ReadOnlySpan<byte> field)
    {
        if (field.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(field);
        }

        Span<byte> decoded = field.Length <= 512 ? stackalloc byte[field.Length] : new byte[field.Length];
        int length = 0;
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                decoded[length++] = (byte)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0'));
                i += 3;
            }
            else
            {
                decoded[length++] = field[i];
            }
        }

        return Encoding.UTF8.GetString(decoded[..length]);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
