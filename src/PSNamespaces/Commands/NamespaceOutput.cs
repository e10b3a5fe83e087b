using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;


namespace PSNamespaces.Commands;

/// <summary>The objects written for namespaces the cmdlets create, persist or remove.</summary>
internal static class NamespaceOutput
{
    /// <summary>
    /// The one place that builds them: the namespace as Get-Namespace shows it, or (once nothing
    /// holds it any more, after Remove-Namespace) only its kind and identity.
    /// </summary>
    internal static Namespace Describe(NamespaceType type, ulong inode) =>
        NamespaceCatalog.Describe(type, inode) ?? new(type, inode, Nsfs.Device);

    /// <summary>A namespace this call has just made and bound, which no process is in yet.</summary>
    internal static Namespace DescribeMade(NamespaceType type, ulong inode, ulong mountId) =>
        NamespaceCatalog.DescribeBindMounted(type, inode, mountId) ?? new(type, inode, Nsfs.Device);
}
