using System;
using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces held by open descriptors (-IncludeDescriptors): a walk of every /proc/PID/fd
// with a statx per descriptor, behind a switch for its cost; and the network namespaces sockets
// hold, asked of each socket with SIOCGSKNS, as lsns 2.41 does.
internal sealed partial class NamespaceCatalog
{
    // A socket shared by several processes (inherited across fork) is asked about once: socket
    // inode to the inode of its network namespace, 0 when it could not be asked.
    private Dictionary<ulong, ulong>? _socketNamespaces;

    /// <summary>
    /// Adds the namespaces a process holds open: every /proc/PID/fd/N whose file is on nsfs
    /// (st_dev is nsfs's), and the network namespace of every socket. Its link text is no use: a
    /// descriptor opened through a bind mount reads as that path, or "/" once the mount is gone.
    /// One statx per descriptor on the system, and three calls per socket, which is why this is
    /// behind a switch.
    /// </summary>
    private void ScanDescriptors(int pid, int processFd)
    {
        int pidfd = -1;
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
                if (Sys.TryStatxAt(dirFd, namez, 0, Sys.STATX_INO | Sys.STATX_TYPE, out Tmds.Linux.statx stx) != 0)
                {
                    continue;
                }

                if ((stx.stx_mode & S_IFMT) == S_IFSOCK)
                {
                    AddSocket(pid, number, stx.stx_ino, ref pidfd);
                    continue;
                }

                if (Nsfs.MakeDev(stx.stx_dev_major, stx.stx_dev_minor) != Nsfs.Device)
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
            if (pidfd >= 0)
            {
                close(pidfd);
            }
        }
    }

    /// <summary>
    /// Adds the network namespace socket descriptor <paramref name="number"/> of a process was made
    /// in. The socket cannot be opened through /proc/PID/fd/N (ENXIO), so it is copied out of the
    /// process with pidfd_getfd (the pidfd opened on the first socket) and checked to be the socket
    /// statx saw, in case the PID was reused meanwhile. A socket that cannot be reached (the
    /// process or descriptor went, EPERM without root) is left out.
    /// </summary>
    private void AddSocket(int pid, int number, ulong socketInode, ref int pidfd)
    {
        _socketNamespaces ??= new Dictionary<ulong, ulong>();
        if (!_socketNamespaces.TryGetValue(socketInode, out ulong netns))
        {
            netns = AskSocketNamespace(pid, number, socketInode, ref pidfd);
            // Only an answer is kept: another process holding the same socket may be reachable.
            if (netns != 0)
            {
                _socketNamespaces[socketInode] = netns;
            }
        }

        if (netns != 0)
        {
            _entries[netns].AddSocket(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/fd/{number}"));
        }
    }

    /// <summary>The inode of a socket's network namespace, its entry added and described when new; 0 when it cannot be asked.</summary>
    private ulong AskSocketNamespace(int pid, int number, ulong socketInode, ref int pidfd)
    {
        if (pidfd < 0)
        {
            // Kept for the rest of this process's descriptors, closed by ScanDescriptors.
            if (Sys.TryPidfdOpen(pid, out pidfd) != 0)
            {
                return 0;
            }
        }

        if (Sys.TryPidfdGetfd(pidfd, number, out int socketFd) != 0)
        {
            return 0;
        }

        int nsFd = -1;
        try
        {
            if (Sys.TryFstatx(socketFd, Sys.STATX_INO, out Tmds.Linux.statx own) != 0 || own.stx_ino != socketInode ||
                Sys.TrySocketNetworkNamespace(socketFd, out nsFd) != 0 ||
                Sys.TryFstatx(nsFd, Sys.STATX_INO, out Tmds.Linux.statx ns) != 0)
            {
                return 0;
            }

            if (!_entries.TryGetValue(ns.stx_ino, out Entry? entry))
            {
                entry = Add(NamespaceType.Net, ns.stx_ino);
            }

            if (Wanted(entry))
            {
                DescribeNew(entry, nsFd);
            }

            return ns.stx_ino;
        }
        finally
        {
            close(socketFd);
            if (nsFd >= 0)
            {
                close(nsFd);
            }
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
