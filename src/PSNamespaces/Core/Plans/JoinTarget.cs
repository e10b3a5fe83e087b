using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Core.Plans;

/// <summary>A namespace pwsh holds open: its kind, identity, and the number of pwsh's descriptor for it.</summary>
internal sealed record JoinNamespace(NamespaceType Type, ulong Device, ulong Inode, int Descriptor);

/// <summary>
/// What Enter-Namespace joins, as plain values: the namespaces pwsh holds (in the order they were
/// resolved) and, for a process target, its PID and whether pwsh pinned it with a pidfd (the
/// kernel has pidfd_open, so the helper pins it too and joins with one setns(pidfd)).
/// </summary>
internal sealed record JoinTarget(int? Pid, bool Pinned, IReadOnlyList<JoinNamespace> Namespaces)
{
    /// <summary>The values of a resolved target; the target keeps its descriptors open while the plan runs.</summary>
    internal static JoinTarget From(NamespaceTarget target)
    {
        var namespaces = new List<JoinNamespace>(target.Files.Count);
        foreach (NamespaceFile file in target.Files.Values)
        {
            namespaces.Add(new JoinNamespace(file.Type, Nsfs.Device, file.Inode, file.Fd.Fd));
        }

        return new JoinTarget(target.Pid, target.Pid is not null && target.Pidfd is not null, namespaces);
    }

    internal bool Has(NamespaceType type) => Find(type) is not null;

    internal JoinNamespace? Find(NamespaceType type)
    {
        foreach (JoinNamespace ns in Namespaces)
        {
            if (ns.Type == type)
            {
                return ns;
            }
        }

        return null;
    }
}
