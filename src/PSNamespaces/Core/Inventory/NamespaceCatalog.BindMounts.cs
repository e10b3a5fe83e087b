using System;
using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces nsfs bind mounts hold (/run/netns/NAME, unshare --net=FILE): found in the
// mountinfo of the caller's mount namespace and of each other mount namespace a process is in,
// and asked about through the mount's path when nothing else showed them.
internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Adds the namespaces bind mounts hold, and each mount to its namespace: first the caller's
    /// (its NsfsPaths and netns names), then those of every other mount namespace the scan found a
    /// process in, each namespace's table read once through its lowest PID. Describing one
    /// namespace, only its own mounts matter: the others are not read into objects.
    /// </summary>
    private void AddBindMounts()
    {
        ulong own = CallersMountNamespace();
        // The mount namespaces the processes showed, taken before the mounts add entries.
        var others = new List<(ulong Inode, int Pid)>();
        foreach (Entry entry in _entries.Values)
        {
            if (entry.Namespace is { Type: NamespaceType.Mount, Pid: int pid } ns && ns.Inode != own)
            {
                others.Add((ns.Inode, pid));
            }
        }

        foreach (NsfsMount mount in NsfsMounts.Read(_onlyInode))
        {
            EntryForMount(mount, "").AddBindMount(mount.MountPoint, own, callers: true);
        }

        var mounts = new List<NsfsMount>();
        foreach ((ulong mountNamespace, int pid) in others)
        {
            mounts.Clear();
            if (TryReadMountTable(mountNamespace, pid, mounts, out string root) != 0)
            {
                continue;
            }

            foreach (NsfsMount mount in mounts)
            {
                EntryForMount(mount, root).AddBindMount(mount.MountPoint, mountNamespace, callers: false);
            }
        }
    }

    /// <summary>The entry of the namespace a bind mount holds, added and asked about through root + its path when new.</summary>
    private Entry EntryForMount(NsfsMount mount, string root)
    {
        if (!_entries.TryGetValue(mount.Inode, out Entry? entry))
        {
            entry = Add(mount.Type, mount.Inode);
            DescribeFromPath(entry, root + mount.MountPoint);
        }

        return entry;
    }

    /// <summary>
    /// Reads the nsfs mounts of one mount namespace through a process in it: /proc/PID opened,
    /// checked to be still in that mount namespace (the process may have exited and its PID been
    /// reused), and its mountinfo read through the same descriptor. root is the path by which the
    /// caller reaches that process's paths (/proc/PID/root). Returns 0 or the errno.
    /// </summary>
    private int TryReadMountTable(ulong mountNamespace, int pid, List<NsfsMount> mounts, out string root)
    {
        root = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/root");
        int err = _proc.TryOpenProcess(pid, out int raw);
        if (err != 0)
        {
            return err;
        }

        using var fd = new SafeFd(raw);
        err = ProcessNamespaceReader.TryReadLink(fd.Fd, NamespaceLink.Mount, out ulong inode);
        if (err != 0)
        {
            return err;
        }

        return inode != mountNamespace ? Errno.ESRCH : NsfsMounts.TryRead(fd.Fd, "mountinfo\0"u8, mounts, _onlyInode);
    }

    /// <summary>The inode of the calling thread's mount namespace, whose mounts are the caller's paths; 0 when it cannot be read.</summary>
    private static ulong CallersMountNamespace()
    {
        Span<byte> text = stackalloc byte[64];
        return Sys.TryReadLinkAt(AT_FDCWD, "/proc/thread-self/ns/mnt\0"u8, text, out int n) == 0 ? Nsfs.ParseInode(text[..n]) : 0;
    }

    /// <summary>Opens a bind mount's path and asks about the namespace, unless something else is mounted over it now.</summary>
    private void DescribeFromPath(Entry entry, string path)
    {
        if (!Wanted(entry))
        {
            return;
        }

        if (Sys.TryOpenAt(AT_FDCWD, Sys.NullTerminated(path), O_RDONLY, out int raw) != 0)
        {
            return;
        }

        using var fd = new SafeFd(raw);
        if (Sys.TryFstatx(fd.Fd, Sys.STATX_INO, out Tmds.Linux.statx stx) == 0 &&
            stx.stx_ino == entry.Namespace.Inode &&
            NamespaceIoctl.TryGetType(fd.Fd, out NamespaceType type, entry.Namespace.Type) == 0 && type == entry.Namespace.Type)
        {
            DescribeNew(entry, fd.Fd);
        }
    }
}
