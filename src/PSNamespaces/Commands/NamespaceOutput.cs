using PSNamespaces.Core;

namespace PSNamespaces.Commands;

/// <summary>The objects written for namespaces the cmdlets create, persist or remove.</summary>
internal static class NamespaceOutput
{
    /// <summary>
    /// The one place that builds them, so they become the full Get-Namespace object by changing
    /// this line once that lands.
    /// </summary>
    internal static Namespace Describe(NamespaceType type, ulong inode) => new(type, inode, Nsfs.Device);
}
