using System;
using System.Buffers.Text;
using PSNamespaces.Interop;

namespace PSNamespaces.Core;

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

    /// <summary>The identity as the kernel prints it: "net:[4026531840]".</summary>
    internal static string FormatId(NamespaceType type, ulong inode) =>
        type.ProcName() + ":[" + inode.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}
