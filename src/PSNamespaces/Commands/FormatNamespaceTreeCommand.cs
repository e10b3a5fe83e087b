using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Draws namespaces from Get-Namespace as a tree, like lsns --tree: by owner, by parent, or by process.</para>
/// </summary>
/// <remarks>
/// Writes one string per line (a header, then NS TYPE NPROCS PID USER COMMAND per namespace), so
/// the tree can go to the console, Out-File or Set-Content. Namespaces from remoting or
/// Import-Clixml are drawn too.
/// </remarks>
[Cmdlet(VerbsCommon.Format, "NamespaceTree")]
[OutputType(typeof(string))]
public sealed class FormatNamespaceTreeCommand : NamespaceCmdlet
{
    /// <summary>The namespaces to draw, usually from Get-Namespace. A namespace's owner or parent is drawn above it only when it is among them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public PSObject[] InputObject { get; set; } = System.Array.Empty<PSObject>();

    /// <summary>
    /// The relation the tree follows: Owner (each namespace under the user namespace owning it; the
    /// default, as lsns --tree), Parent (PID and user namespaces under their parents), or Process
    /// (a namespace under the namespace whose lowest PID is its lowest PID's parent).
    /// </summary>
    [Parameter(Position = 1)]
    [ValidateSet(nameof(NamespaceRelation.Owner), nameof(NamespaceRelation.Parent), nameof(NamespaceRelation.Process))] // Network is a picture, not a tree
    public NamespaceRelation By { get; set; } = NamespaceRelation.Owner;

    private readonly List<NamespaceTreeNode> _nodes = new();

    protected override void ProcessRecord()
    {
        foreach (PSObject item in InputObject)
        {
            if (ToNode(item) is NamespaceTreeNode node)
            {
                _nodes.Add(node);
            }
            else
            {
                WriteError(ErrorRecords.InvalidArgument(
                    "NotANamespace", "The input is not a namespace: it has no Inode and Type, as Get-Namespace's objects have.", item));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_nodes.Count == 0)
        {
            return;
        }

        foreach (string line in NamespaceTree.Draw(_nodes, By))
        {
            WriteObject(line);
        }
    }

    /// <summary>The columns and ids of a Namespace, or of an object shaped like one (deserialized); null for anything else.</summary>
    private static NamespaceTreeNode? ToNode(PSObject item)
    {
        if (item.BaseObject is Namespace ns)
        {
            return new NamespaceTreeNode(ns.Inode, ns.Type.ProcName(), ns.ProcessCount, ns.Pid, ns.PPid, ns.User, ns.Command, ns.Parent, ns.Owner);
        }

        if (NamespaceObject.Number<ulong>(item, "Inode") is not ulong inode || !NamespaceObject.TryType(item, out NamespaceType type))
        {
            return null;
        }

        return new NamespaceTreeNode(
            inode, type.ProcName(), NamespaceObject.Number<int>(item, "ProcessCount") ?? 0,
            NamespaceObject.Number<int>(item, "Pid"), NamespaceObject.Number<int>(item, "PPid"),
            NamespaceObject.Text(item, "User"), NamespaceObject.Text(item, "Command"),
            NamespaceObject.Number<ulong>(item, "Parent"), NamespaceObject.Number<ulong>(item, "Owner"));
    }
}
