using PSNamespaces.Core.Model;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Inventory;

internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Asks the kernel about a namespace through an open descriptor of it
    /// (<see cref="NamespaceDescription"/>), adding its owner and parent to the catalog when not
    /// yet seen, as lsns does for its trees.
    /// </summary>
    private void DescribeNew(Entry entry, int fd)
    {
        entry.Described = true;
        NamespaceDescription.Ask(entry.Namespace, fd, Relate);
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
}
