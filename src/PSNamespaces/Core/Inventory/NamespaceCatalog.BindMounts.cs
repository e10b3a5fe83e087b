using System;
using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces nsfs bind mounts hold (/run/netns/NAME, unshare --net=FILE): found in the
// mountinfo of the caller's mount namespace and of each other mount namespace a process or
// thread is in, and asked about through the mount's path when nothing else showed them.
internal sealed partial class NamespaceCatalog
{
    // The calling thread's mount namespace, whose mounts AddBindMounts reads after the scan.
    private readonly ulong _ownMountNamespace;

    // The other mount namespaces whose mountinfo this catalog (or partition) has read.
    private HashSet<ulong>? _mountTablesRead;

    /// <summary>
    /// Adds the namespaces the caller's bind mounts hold, and each mount's path to its namespace
    /// (its NsfsPaths and netns names). Describing one namespace, only its own mounts matter: the
    /// others are not read into objects. With sinceMountId (one namespace just bound by this
    /// process), only mounts from that one on.
    /// </summary>
    private void AddBindMounts(ulong sinceMountId = 0)
    {
        List<NsfsMount>? mounts = sinceMountId != 0 && _onlyInode != 0 ? NsfsMounts.ReadSince(sinceMountId, _onlyInode) : null;
        foreach (NsfsMount mount in mounts ?? NsfsMounts.Read(_onlyInode))
        {
            EntryForMount(mount, AT_FDCWD, "").AddBindMount(mount.MountPoint, _ownMountNamespace, callers: true);
        }
    }

    /// <summary>
    /// Adds the bind mounts of another mount namespace, the first time the scan meets it, through
    /// the process (or thread) directory in which it met it: its mountinfo, and the held
    /// namespaces opened under its root. Read here, not after the scan, so the same descriptor
    /// names the same process, and each partition's thread reads the tables of its own PIDs.
    /// A table is read once per partition; the few namespaces whose processes span partitions
    /// are read by each, and their mounts merged once.
    /// </summary>
    private void AddForeignBindMounts(ulong mountNamespace, int processFd)
    {
        if (mountNamespace == _ownMountNamespace || !(_mountTablesRead ??= new HashSet<ulong>()).Add(mountNamespace))
        {
            return;
        }

        var mounts = new List<NsfsMount>();
        if (NsfsMounts.TryRead(processFd, "mountinfo\0"u8, mounts, _onlyInode) != 0)
        {
            return; // the process ended meanwhile: nothing to say about its mount namespace
        }

        foreach (NsfsMount mount in mounts)
        {
            // mountinfo shows paths from the process's root; "root" in its /proc directory is that root.
            EntryForMount(mount, processFd, "root").AddBindMount(mount.MountPoint, mountNamespace, callers: false);
        }
    }

    /// <summary>The entry of the namespace a bind mount holds, added and asked about through root + its path (relative to dirFd) when new.</summary>
    private Entry EntryForMount(NsfsMount mount, int dirFd, string root)
    {
        if (!_entries.TryGetValue(mount.Inode, out Entry? entry))
        {
            entry = Add(mount.Type, mount.Inode);
            DescribeFromPath(entry, dirFd, root + mount.MountPoint);
        }

        return entry;
    }

    /// <summary>The inode of the calling thread's mount namespace, whose mounts are the caller's paths; 0 when it cannot be read.</summary>
    private static ulong CallersMountNamespace()
    {
        Span<byte> text = stackalloc byte[64];
        return Sys.TryReadLinkAt(AT_FDCWD, "/proc/thread-self/ns/mnt\0"u8, text, out int n) == 0 ? Nsfs.ParseInode(text[..n]) : 0;
    }

    /// <summary>Opens a bind mount's path and asks about the namespace, unless something else is mounted over it now.</summary>
    private void DescribeFromPath(Entry entry, int dirFd, string path)
    {
        if (!Wanted(entry))
        {
            return;
        }

        // The path was a mount point when mountinfo was read; by now it may be a FIFO or a device
        // (another mount namespace's paths, read under its root, are its owner's to change), so it
        // is opened the way user-given paths are: looked up, checked to be nsfs, then opened.
        NamespaceFile file;
        try
        {
            file = NamespaceFile.OpenAt(dirFd, path, path, entry.Namespace.Type);
        }
        catch (Exception e) when (e is ErrnoException or NotANamespaceException)
        {
            return;
        }

        using (file)
        {
            if (file.Inode == entry.Namespace.Inode && file.Type == entry.Namespace.Type)
            {
                DescribeNew(entry, file.Fd.Fd);
            }
        }
    }
}
