using System;
using System.Buffers.Text;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Model;

/// <summary>Facts about nsfs, the filesystem behind every /proc/PID/ns/* entry.</summary>
internal static class Nsfs
{
    private static ulong s_device;

    /// <summary>
    /// The st_dev every namespace shares. nsfs has one superblock, so one stat tells the device of
    /// all namespaces and a scan only needs readlink's inode for the full (st_dev, st_ino) identity.
    /// </summary>
    internal static ulong Device
    {
        get
        {
            if (s_device == 0)
            {
                int err = Sys.TryStatxAt(Tmds.Linux.LibC.AT_FDCWD, "/proc/thread-self/ns/net\0"u8, 0, Sys.STATX_INO, out Tmds.Linux.statx stx);
                if (err != 0)
                {
                    throw new ErrnoException("statx", err, "/proc/thread-self/ns/net");
                }

                s_device = MakeDev(stx.stx_dev_major, stx.stx_dev_minor);
            }

            return s_device;
        }
    }

    /// <summary>makedev(3) as glibc encodes it.</summary>
    internal static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    /// <summary>
    /// The inode in a namespace link's text ("net:[4026531840]"), or 0 when the text is not of
    /// that form.
    /// </summary>
    internal static ulong ParseInode(ReadOnlySpan<byte> linkText)
    {
        int open = linkText.IndexOf((byte)'[');
        if (open < 0 || linkText.Length < open + 3 || linkText[^1] != (byte)']')
        {
            return 0;
        }

        return Utf8Parser.TryParse(linkText[(open + 1)..^1], out ulong inode, out int consumed) &&
               consumed == linkText.Length - open - 2
            ? inode
            : 0;
    }

    /// <summary>
    /// The kind and inode in a namespace's link text ("net:[4026531840]", what readlink shows for
    /// /proc/PID/ns/* and for a descriptor open on nsfs). False for any other link text
    /// ("socket:[123]", "pipe:[9]", a path), whose prefix is not a kind's /proc name.
    /// </summary>
    internal static bool TryParseLink(ReadOnlySpan<byte> linkText, out NamespaceType type, out ulong inode)
    {
        type = default;
        inode = 0;
        int colon = linkText.IndexOf((byte)':');
        if (colon <= 0 || !TryParseProcName(linkText[..colon], out type))
        {
            return false;
        }

        inode = ParseInode(linkText);
        return inode != 0;
    }

    /// <summary>The kind from its /proc name in bytes ("mnt"); the eight names of namespaces(7).</summary>
    private static bool TryParseProcName(ReadOnlySpan<byte> name, out NamespaceType type)
    {
        NamespaceType? found =
            name.SequenceEqual("cgroup"u8) ? NamespaceType.Cgroup :
            name.SequenceEqual("ipc"u8) ? NamespaceType.Ipc :
            name.SequenceEqual("mnt"u8) ? NamespaceType.Mount :
            name.SequenceEqual("net"u8) ? NamespaceType.Net :
            name.SequenceEqual("pid"u8) ? NamespaceType.Pid :
            name.SequenceEqual("time"u8) ? NamespaceType.Time :
            name.SequenceEqual("user"u8) ? NamespaceType.User :
            name.SequenceEqual("uts"u8) ? NamespaceType.Uts :
            null;
        type = found.GetValueOrDefault();
        return found.HasValue;
    }

    /// <summary>The identity as the kernel prints it: "net:[4026531840]".</summary>
    internal static string FormatId(NamespaceType type, ulong inode) =>
        type.ProcName() + ":[" + inode.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}
