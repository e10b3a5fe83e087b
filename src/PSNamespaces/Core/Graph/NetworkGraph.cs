using System.Collections.Generic;
using System.Globalization;

namespace PSNamespaces.Core.Graph;

/// <summary>One network namespace to draw: what the graph shows of it, and its interfaces.</summary>
internal sealed record NetworkNamespaceNode(GraphNode Namespace, IReadOnlyList<NamespaceInterface> Interfaces);

/// <summary>An interface as a node: its id ("i" + namespace inode + "_" + index), the namespace it is drawn in (0: outside every drawn one), its label lines and kind.</summary>
internal sealed record InterfaceNode(string Id, ulong NetNs, string[] Label, string? Kind, bool Down);

/// <summary>A line between two interfaces: a veth pair ("veth"), a port to its bridge ("port"), a device to its lower device (its kind).</summary>
internal readonly record struct InterfaceEdge(string From, string To, string Relation);

/// <summary>
/// The layout of ConvertTo-NamespaceGraph -By Network: each network namespace a cluster labelled
/// by its name, else its container or unit, else its inode; its interfaces (not lo, which every
/// namespace has and which links to nothing) as nodes inside; a veth pair as one line between
/// its two ends, across clusters; a bridge port as a line to its bridge; a vlan or macvlan as a
/// dashed line to its lower device. A peer in a namespace that is not drawn gets a node of its
/// own outside the clusters, so the line still says where it goes. Ordered by inode and index,
/// so the same namespaces give the same text in any order.
/// </summary>
internal sealed class NetworkGraph
{
    private readonly List<(NetworkNamespaceNode Namespace, List<InterfaceNode> Interfaces)> _clusters = new();
    private readonly List<InterfaceNode> _outside = new();
    private readonly List<InterfaceEdge> _edges = new();

    internal NetworkGraph(IEnumerable<NetworkNamespaceNode> namespaces)
    {
        var sorted = new List<NetworkNamespaceNode>(namespaces);
        sorted.Sort((a, b) => a.Namespace.Inode.CompareTo(b.Namespace.Inode));
        var drawn = new Dictionary<string, NamespaceInterface>();
        var drawnNamespaces = new HashSet<ulong>();
        foreach (NetworkNamespaceNode ns in sorted)
        {
            drawnNamespaces.Add(ns.Namespace.Inode);
            foreach (NamespaceInterface item in ns.Interfaces)
            {
                if (item.Kind != "loopback")
                {
                    drawn[Id(item.NetNs, item.Index)] = item;
                }
            }
        }

        var outside = new HashSet<string>();
        foreach (NetworkNamespaceNode ns in sorted)
        {
            var interfaces = new List<InterfaceNode>();
            var byName = new Dictionary<string, NamespaceInterface>();
            var ordered = new List<NamespaceInterface>(ns.Interfaces);
            ordered.Sort((a, b) => a.Index.CompareTo(b.Index));
            foreach (NamespaceInterface item in ordered)
            {
                byName[item.Name] = item;
            }

            foreach (NamespaceInterface item in ordered)
            {
                if (item.Kind == "loopback")
                {
                    continue;
                }

                string id = Id(item.NetNs, item.Index);
                interfaces.Add(new InterfaceNode(id, item.NetNs, InterfaceLabel(item), item.Kind, item.State is "DOWN" or "LOWERLAYERDOWN" or "NOTPRESENT"));
                if (item.Master is string master && byName.TryGetValue(master, out NamespaceInterface? bridge))
                {
                    // Bridge first: with rankdir=LR it stands left of its ports, which lead on to what they connect.
                    _edges.Add(new InterfaceEdge(Id(bridge.NetNs, bridge.Index), id, "port"));
                }

                if (item.PeerIndex is not int peerIndex)
                {
                    continue;
                }

                bool veth = item.Kind == "veth";
                if (item.PeerNetNs is not ulong peerNetNs)
                {
                    // The other end's namespace was not found: the line ends at a node saying only its name.
                    string unknown = "x" + id;
                    _outside.Add(new InterfaceNode(unknown, 0, new[] { item.PeerInterface ?? "?", "namespace not found (NETNSID " + Text(item.PeerNetnsId) + ")" }, null, false));
                    _edges.Add(new InterfaceEdge(id, unknown, veth ? "veth" : item.Kind ?? "link"));
                    continue;
                }

                string peer = Id(peerNetNs, peerIndex);
                if (veth && drawn.TryGetValue(peer, out NamespaceInterface? other) && !DrawnFrom(item, id, other, peer))
                {
                    // A pair is seen from both ends when both are drawn: one line, drawn from the other end.
                    continue;
                }

                if (!drawn.ContainsKey(peer) && outside.Add(peer))
                {
                    string where = item.PeerNetnsName is string name ? "netns " + name : "net:[" + Text(peerNetNs) + "]";
                    _outside.Add(new InterfaceNode(peer, drawnNamespaces.Contains(peerNetNs) ? peerNetNs : 0, new[] { item.PeerInterface ?? "#" + Text(peerIndex), where }, null, false));
                }

                _edges.Add(new InterfaceEdge(id, peer, veth ? "veth" : item.Kind ?? "link"));
            }

            _clusters.Add((ns, interfaces));
        }
    }

    /// <summary>The namespaces, each with its interface nodes, by inode.</summary>
    internal IReadOnlyList<(NetworkNamespaceNode Namespace, List<InterfaceNode> Interfaces)> Clusters => _clusters;

    /// <summary>Peers in namespaces that are not drawn (or not found).</summary>
    internal IReadOnlyList<InterfaceNode> Outside => _outside;

    internal IReadOnlyList<InterfaceEdge> Edges => _edges;

    /// <summary>
    /// Whether a veth pair's line starts at this end: at a bridge port (so the line continues
    /// left to right, bridge, port, the other namespace), else at the lower id.
    /// </summary>
    private static bool DrawnFrom(NamespaceInterface item, string id, NamespaceInterface other, string otherId) =>
        (item.Master is null) == (other.Master is null) ? string.CompareOrdinal(id, otherId) < 0 : item.Master is not null;

    /// <summary>
    /// A namespace's label: what names it for a person first — its /run/netns name, its
    /// container, its unit — then its inode, then its processes.
    /// </summary>
    internal static string[] ClusterLabel(GraphNode ns)
    {
        var lines = new List<string>(3);
        string inode = "net:[" + Text(ns.Inode) + "]";
        if (ns.Name is string name)
        {
            lines.Add("netns " + name);
        }
        else if (ns.Container is string container)
        {
            lines.Add("container " + container);
        }
        else if (ns.Unit is string unit && ns.Inode != 0)
        {
            lines.Add(unit);
        }

        lines.Add(inode);
        if (ns.Pid is int pid)
        {
            string count = ns.ProcessCount == 1 ? "1 process" : Text(ns.ProcessCount) + " processes";
            lines.Add(count + ", PID " + Text(pid) + (ns.Command is string command ? " " + (command.Length > 30 ? command[..27] + "..." : command) : ""));
        }

        return lines.ToArray();
    }

    private static string[] InterfaceLabel(NamespaceInterface item)
    {
        var lines = new List<string> { item.Kind is string kind ? item.Name + " (" + kind + ")" : item.Name };
        foreach (string address in item.Addresses)
        {
            // Link-local IPv6 addresses are on every up interface and say nothing about the wiring.
            if (!address.StartsWith("fe80:", System.StringComparison.OrdinalIgnoreCase))
            {
                lines.Add(address);
            }
        }

        if (item.State is "DOWN" or "LOWERLAYERDOWN" or "NOTPRESENT")
        {
            lines.Add(item.State.ToLowerInvariant());
        }

        return lines.ToArray();
    }

    internal static string Id(ulong netNs, int index) => "i" + Text(netNs) + "_" + Text(index);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int? value) => value is int v ? Text(v) : "?";
}
