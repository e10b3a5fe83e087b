using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Graph;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Network;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// What ConvertTo-NamespaceGraph -By Network draws: the network namespaces among the input, each
/// reopened as a target is (checked to be the object's namespace) and its interfaces read as
/// Get-NamespaceInterface reads them. Other kinds are left out; a network namespace that cannot
/// be read is that input's error.
/// </summary>
internal static class NetworkGraphInput
{
    internal static List<NetworkNamespaceNode> Read(PSCmdlet cmdlet, IReadOnlyList<(PSObject Item, GraphNode Node)> inputs)
    {
        var result = new List<NetworkNamespaceNode>();
        var seen = new HashSet<ulong>();
        using var host = new NetworkNamespaces();
        foreach ((PSObject item, GraphNode node) in inputs)
        {
            if (node.Type != NamespaceType.Net.ProcName() || !seen.Add(node.Inode))
            {
                continue;
            }

            Namespace? ns = item.BaseObject as Namespace;
            if (ns is null && !LanguagePrimitives.TryConvertTo(item, out ns))
            {
                cmdlet.WriteError(ErrorRecords.InvalidArgument(
                    "NotANamespace", "The input is not a namespace object that can be reopened: -By Network reads each network namespace's interfaces.", item));
                continue;
            }

            try
            {
                using NamespaceFile file = TargetResolver.OpenNamespace(NamespaceObject.ToIdentity(ns!));
                result.Add(new NetworkNamespaceNode(node, InterfaceReader.Read(file, node.Name, host, ns!.Id)));
            }
            catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
            {
                cmdlet.WriteError(ErrorRecords.TargetFailure(ex, item));
            }
        }

        return result;
    }
}
