using System;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// The kernel's answers about one namespace, asked through an open descriptor of it, as lsns asks
/// them: its 64-bit id, its owner user namespace and the owner's uid, its parent (PID and user
/// namespaces nest), and for a network namespace its NETNSID. Get-Namespace (NamespaceCatalog)
/// and Watch-Namespace (TrackedNamespace) both describe a namespace new to them this way.
/// </summary>
/// <remarks>
/// EPERM from NS_GET_USERNS or NS_GET_PARENT means the answer lies outside the caller's
/// namespaces (or there is none: the initial namespaces); the property stays $null, as lsns
/// shows 0.
/// </remarks>
internal static class NamespaceDescription
{
    /// <summary>Fills in what the kernel says about a namespace.</summary>
    /// <param name="ns">The namespace's object, whose kind says what to ask.</param>
    /// <param name="fd">An open nsfs descriptor of it; it stays the caller's.</param>
    /// <param name="related">
    /// Called with the owner's and the parent's inode, kind and descriptor while it is open (a
    /// catalog adds them, as lsns does for its trees); null when not wanted.
    /// </param>
    internal static void Ask(Namespace ns, int fd, Action<ulong?, NamespaceType, int>? related = null)
    {
        ns.NsId = NamespaceIoctl.TryGetId(fd);
        if (NamespaceIoctl.TryOpenRelated(fd, NamespaceIoctl.NS_GET_USERNS, out int raw) == 0)
        {
            using var owner = new SafeFd(raw);
            ns.Owner = InodeOf(owner.Fd);
            if (ns.Type != NamespaceType.User && NamespaceIoctl.TryGetOwnerUid(owner.Fd, out uint ownerUid) == 0)
            {
                ns.OwnerUid = ownerUid;
            }

            related?.Invoke(ns.Owner, NamespaceType.User, owner.Fd);
        }

        if (ns.Type == NamespaceType.User && NamespaceIoctl.TryGetOwnerUid(fd, out uint uid) == 0)
        {
            ns.OwnerUid = uid;
        }

        // Only PID and user namespaces nest; NS_GET_PARENT is EINVAL for the rest.
        if (ns.Type is NamespaceType.Pid or NamespaceType.User &&
            NamespaceIoctl.TryOpenRelated(fd, NamespaceIoctl.NS_GET_PARENT, out raw) == 0)
        {
            using var parent = new SafeFd(raw);
            ns.Parent = InodeOf(parent.Fd);
            related?.Invoke(ns.Parent, ns.Type, parent.Fd);
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

    private static ulong? InodeOf(int fd) =>
        Sys.TryFstatx(fd, Sys.STATX_INO, out Tmds.Linux.statx stx) == 0 ? stx.stx_ino : null;
}
