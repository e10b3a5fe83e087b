using System;
using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces held by open descriptors (-IncludeDescriptors): a walk of every /proc/PID/fd
// with a statx per descriptor, behind a switch for its cost.
internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Adds the namespaces a process holds open: every /proc/PID/fd/N whose file is on nsfs
    /// (st_dev is nsfs's). Its link text is no use: a descriptor opened through a bind mount reads
    /// as that path, or "/" once the mount is gone. One statx per descriptor on the system, which
    /// is why this is behind a switch.
    /// </summary>
    private void ScanDescriptors(int pid, int processFd)
    {
        // Per process and per descriptor in the scan's loop: raw descriptors, as there.
        if (Sys.TryOpenAt(processFd, "fd\0"u8, O_RDONLY | O_DIRECTORY, out int dirFd) != 0)
        {
            return;
        }

        try
        {
            Span<byte> entries = stackalloc byte[4096];
            Span<byte> name = stackalloc byte[16];
            var reader = new DirectoryReader(dirFd, entries);
            while (reader.Next(out ReadOnlySpan<byte> entry, out _, out _))
            {
                int number = DirectoryReader.ParseNumber(entry);
                if (number < 0)
                {
                    continue;
                }

                entry.CopyTo(name);
                name[entry.Length] = 0;
                ReadOnlySpan<byte> namez = name[..(entry.Length + 1)];
                if (Sys.TryStatxAt(dirFd, namez, 0, Sys.STATX_INO, out Tmds.Linux.statx stx) != 0 ||
                    Nsfs.MakeDev(stx.stx_dev_major, stx.stx_dev_minor) != Nsfs.Device)
                {
                    continue;
                }

                Entry? held = _entries.GetValueOrDefault(stx.stx_ino);
                if (held is null || Wanted(held))
                {
                    held = AddFromDescriptor(held, stx.stx_ino, dirFd, namez);
                }

                held?.AddDescriptor(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/fd/{number}"));
            }
        }
        finally
        {
            close(dirFd);
        }
    }

    /// <summary>Opens a held descriptor to learn its kind (a new namespace) and ask about it; null when it closed meanwhile.</summary>
    private Entry? AddFromDescriptor(Entry? known, ulong inode, int dirFd, ReadOnlySpan<byte> namez)
    {
        if (Sys.TryOpenAt(dirFd, namez, O_RDONLY, out int nsFd) != 0)
        {
            return known;
        }

        try
        {
            if (known is null)
            {
                if (NamespaceIoctl.TryGetType(nsFd, out NamespaceType type) != 0)
                {
                    return null;
                }

                known = Add(type, inode);
            }

            if (Wanted(known))
            {
                DescribeNew(known, nsFd);
            }

            return known;
        }
        finally
        {
            close(nsFd);
        }
    }
}
