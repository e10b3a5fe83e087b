using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces nsfs bind mounts hold (/run/netns/NAME, unshare --net=FILE): found in the
// caller's mountinfo, and asked about through the mount's path when no process showed them.
internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Adds the namespaces bind mounts hold, and each mount's path to its namespace. Describing
    /// one namespace, only its own mounts matter: the others are not read into objects. With
    /// sinceMountId (one namespace just bound by this process), only mounts from that one on.
    /// </summary>
    private void AddBindMounts(ulong sinceMountId = 0)
    {
        List<NsfsMount>? mounts = sinceMountId != 0 && _onlyInode != 0 ? NsfsMounts.ReadSince(sinceMountId, _onlyInode) : null;
        foreach (NsfsMount mount in mounts ?? NsfsMounts.Read(_onlyInode))
        {
            if (!_entries.TryGetValue(mount.Inode, out Entry? entry))
            {
                entry = Add(mount.Type, mount.Inode);
                DescribeFromPath(entry, mount.MountPoint);
            }

            entry.AddBindMount(mount.MountPoint);
        }
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
