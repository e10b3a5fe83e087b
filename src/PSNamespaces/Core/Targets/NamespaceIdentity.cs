using System.Collections.Generic;
using PSNamespaces.Core.Model;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// A namespace as an object names it (live, deserialized, or a Watch-Namespace event's): its
/// identity, and where it said it was held, which is only where to look first.
/// </summary>
/// <param name="Type">Its kind.</param>
/// <param name="Inode">Its nsfs inode.</param>
/// <param name="Device">Its nsfs device; 0 when the object does not say.</param>
/// <param name="NsId">Its 64-bit NS_GET_ID; null when the object does not carry one.</param>
/// <param name="Paths">nsfs paths that held it (its bind mounts, /run/netns/NAME).</param>
/// <param name="Pids">Processes that were in it.</param>
internal sealed record NamespaceIdentity(NamespaceType Type, ulong Inode, ulong Device, ulong? NsId, IReadOnlyList<string> Paths, IReadOnlyList<int> Pids)
{
    /// <summary>"net:[4026531840]".</summary>
    internal string Id => Nsfs.FormatId(Type, Inode);
}
