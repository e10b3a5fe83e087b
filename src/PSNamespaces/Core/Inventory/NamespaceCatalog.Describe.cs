using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Asks the kernel about a namespace through an open descriptor of it: its 64-bit id, its
    /// owner and parent (adding those to the catalog when not yet seen, as lsns does for its
    /// trees), the owner uid, and for a network namespace its NETNSID.
    /// </summary>
    /// <remarks>
    /// EPERM from NS_GET_USERNS or NS_GET_PARENT means the answer lies outside the caller's
    /// namespaces (or there is none: the initial namespaces); the property stays $null, as lsns
    /// shows 0.
    /// </remarks>
    private void DescribeNew(Entry entry, int fd)
    {
        entry.Described = true;
        Namespace ns = entry.Namespace;
        ns.NsId = NamespaceIoctl.TryGetId(fd);

        if (NamespaceIoctl.TryOpenRelated(fd, NamespaceIoctl.NS_GET_USERNS, out int ownerFd) == 0)
        {
            try
            {
                ns.Owner = InodeOf(ownerFd);
                if (ns.Type != NamespaceType.User && NamespaceIoctl.TryGetOwnerUid(ownerFd, out uint ownerUid) == 0)
                {
                    ns.OwnerUid = ownerUid;
                }

                Relate(ns.Owner, NamespaceType.User, ownerFd);
            }
            finally
            {
                close(ownerFd);
            }
        }

        if (ns.Type == NamespaceType.User && NamespaceIoctl.TryGetOwnerUid(fd, out uint uid) == 0)
        {
            ns.OwnerUid = uid;
        }

        // Only PID and user namespaces nest; NS_GET_PARENT is EINVAL for the rest.
        if (ns.Type is NamespaceType.Pid or NamespaceType.User &&
            NamespaceIoctl.TryOpenRelated(fd, NamespaceIoctl.NS_GET_PARENT, out int parentFd) == 0)
        {
            try
            {
                ns.Parent = InodeOf(parentFd);
                Relate(ns.Parent, ns.Type, parentFd);
            }
            finally
            {
                close(parentFd);
            }
        }

        if (ns.Type == NamespaceType.Net)
        {
            ns.NetNsId = TryGetNetNsId(fd, ns);
        }
    }

    /// <summary>NETNSID, or null where rtnetlink cannot be asked (a sandbox without it), as lsns leaves it empty.</summary>
    private static int? TryGetNetNsId(int fd, Namespace ns)
    {
        try
        {
            return NetNsId.Get(fd, ns.Id);
        }
        catch (ErrnoException)
        {
            return null;
        }
    }

    /// <summary>
    /// Marks a namespace as held by another (an owner or parent), adding it first when no
    /// process has shown it yet: an intermediate user namespace with no process left is still
    /// alive while something it owns is.
    /// </summary>
    private void Relate(ulong? inode, NamespaceType type, int fd)
    {
        if (inode is not ulong known)
        {
            return;
        }

        if (!_entries.TryGetValue(known, out Entry? related))
        {
            related = Add(type, known);
        }

        related.HeldBy |= NamespaceHolder.Namespace;
        if (Wanted(related))
        {
            DescribeNew(related, fd);
        }
    }

    private static ulong? InodeOf(int fd) =>
        Sys.TryFstatx(fd, Sys.STATX_INO, out Tmds.Linux.statx stx) == 0 ? stx.stx_ino : null;
}
