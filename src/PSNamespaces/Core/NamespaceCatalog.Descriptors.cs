using System;
using System.Globalization;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core;

internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Adds the namespaces a process holds open: every /proc/PID/fd/N whose link reads
    /// "TYPE:[INODE]" is a descriptor on nsfs (other descriptors read "socket:[..]", "pipe:[..]"
    /// or a path). One readlinkat per descriptor, which is why this is behind a switch.
    /// </summary>
    private void ScanDescriptors(int pid, int processFd)
    {
        if (Sys.TryOpenAt(processFd, "fd\0"u8, O_RDONLY | O_DIRECTORY, out int dirFd) != 0)
        {
            return;
        }

        try
        {
            Span<byte> entries = stackalloc byte[4096];
            Span<byte> name = stackalloc byte[16];
            Span<byte> link = stackalloc byte[64];
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
                int n = Sys.ReadLinkAt(dirFd, namez, link);
                if (n <= 0 || !Nsfs.TryParseLink(link[..n], out NamespaceType type, out ulong inode))
                {
                    continue;
                }

                if (!_entries.TryGetValue(inode, out Entry? held))
                {
                    held = Add(type, inode);
                }

                if (Wanted(held) && Sys.TryOpenAt(dirFd, namez, O_RDONLY, out int nsFd) == 0)
                {
                    try
                    {
                        DescribeNew(held, nsFd);
                    }
                    finally
                    {
                        close(nsFd);
                    }
                }

                held.AddDescriptor(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/fd/{number}"));
            }
        }
        finally
        {
            close(dirFd);
        }
    }
}
