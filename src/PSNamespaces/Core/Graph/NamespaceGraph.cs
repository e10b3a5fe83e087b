// Core/Graph — namespaces as a picture: NamespaceGraph lays them out (user namespaces as nested
// clusters; inside them the host's initial namespaces as one node, every container's or process
// tree's namespaces as one cluster; edges by owner, parent or process), DotWriter and
// MermaidWriter write that layout as text, GraphvizDot renders DOT with Graphviz's dot; the
// network picture (-By Network) is NetworkGraph with its own two writers.
// Uses: Model, Network.

using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Graph;

/// <summary>A line between two namespaces: From hangs under To by Relation ("parent", "owner", "created").</summary>
internal readonly record struct GraphEdge(ulong From, ulong To, string Relation, bool Dashed);

/// <summary>
/// The layout both writers draw: user namespaces as clusters, nested as they own each other,
/// every other namespace inside the cluster of its owner (at the top when its owner is not among
/// the input), and the edges of the chosen relation. Inside a user namespace's cluster what
/// belongs together is drawn together: the host's namespaces — those of the initial user
/// namespace's lowest PID — as one node, and the others in groups (<see cref="NodeGroup"/>): a
/// container's, else one lowest PID's, else those no process holds. Everything is ordered by
/// inode, so the same namespaces give the same text whatever order they came in.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<ulong, GraphNode> _byInode = new();
    private readonly Dictionary<ulong, List<GraphNode>> _members = new();
    private readonly Dictionary<ulong, List<GraphNode>> _clusters = new();
    private readonly Dictionary<ulong, List<NodeGroup>> _groups = new();
    private readonly List<GraphNode> _host = new();
    private readonly HashSet<ulong> _hostInodes = new();

    internal NamespaceGraph(IEnumerable<GraphNode> nodes, NamespaceRelation by)
    {
        var sorted = new List<GraphNode>();
        foreach (GraphNode node in nodes)
        {
            // The same namespace given twice is drawn once.
            if (_byInode.TryAdd(node.Inode, node))
            {
                sorted.Add(node);
            }
        }

        sorted.Sort(static (a, b) => a.Inode.CompareTo(b.Inode));
        foreach (GraphNode node in sorted)
        {
            Add(_members, ClusterOf(node), node);
            if (node.Type == "user")
            {
                Add(_clusters, OuterCluster(node), node);
            }
        }

        // The kernel names no owner for the initial user namespace: its lowest PID's namespaces are the host's.
        GraphNode? initial = sorted.Find(static node => node.IsInitialUser);
        HostCluster = initial?.Inode;
        foreach ((ulong cluster, List<GraphNode> members) in _members)
        {
            _groups[cluster] = Group(members, initial is not null && cluster == initial.Inode ? initial.Pid : null);
        }

        Edges = by switch
        {
            NamespaceRelation.Parent => ParentEdges(sorted, dashed: false, userToo: true),
            NamespaceRelation.Process => ProcessEdges(sorted),
            _ => ParentEdges(sorted, dashed: true, userToo: false),
        };
    }

    private static void Add(Dictionary<ulong, List<GraphNode>> lists, ulong key, GraphNode node)
    {
        if (!lists.TryGetValue(key, out List<GraphNode>? list))
        {
            lists[key] = list = new List<GraphNode>();
        }

        list.Add(node);
    }

    /// <summary>The edges, ordered by their namespaces' inodes.</summary>
    internal List<GraphEdge> Edges { get; }

    /// <summary>The host's namespaces, drawn as one node in <see cref="HostCluster"/>; empty when the initial user namespace is not drawn.</summary>
    internal IReadOnlyList<GraphNode> Host => _host;

    /// <summary>The cluster the host's node is drawn in: the initial user namespace's; null when it is not drawn.</summary>
    internal ulong? HostCluster { get; }

    /// <summary>The first lines of the host node's label.</summary>
    internal string[] HostLabel => _host.Count == 0 ? Array.Empty<string>() : new[] { "host: the initial namespaces", _host[0].ProcessLine ?? "" };

    /// <summary>Whether a namespace is drawn as part of the host's node.</summary>
    internal bool IsHost(ulong inode) => _hostInodes.Contains(inode);

    /// <summary>The groups drawn directly inside a cluster (0: at the top), each a cluster of its own; a user namespace is drawn inside its own cluster.</summary>
    internal IReadOnlyList<NodeGroup> Groups(ulong cluster) =>
        _groups.TryGetValue(cluster, out List<NodeGroup>? list) ? list : Array.Empty<NodeGroup>();

    /// <summary>
    /// Splits a cluster's namespaces: the host's (hostPid's, in the initial user namespace's
    /// cluster) to the host node, the others by container, else lowest PID, else into the named
    /// network namespaces or the other namespaces no process holds; groups ordered by their
    /// lowest inode.
    /// </summary>
    private List<NodeGroup> Group(List<GraphNode> members, int? hostPid)
    {
        var byKey = new Dictionary<string, List<GraphNode>>(StringComparer.Ordinal);
        var keys = new List<string>();
        foreach (GraphNode node in members)
        {
            if (hostPid is not null && node.Pid == hostPid)
            {
                _host.Add(node);
                _hostInodes.Add(node.Inode);
                continue;
            }

            // Without a process: named network namespaces apart from the other mounts and descriptors.
            string key = node.Container ?? (node.Pid is int pid ? "pid " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : node.Name is null ? "" : "netns");
            if (!byKey.TryGetValue(key, out List<GraphNode>? list))
            {
                byKey[key] = list = new List<GraphNode>();
                keys.Add(key);
            }

            list.Add(node);
        }

        var groups = new List<NodeGroup>(keys.Count);
        foreach (string key in keys)
        {
            List<GraphNode> list = byKey[key];
            groups.Add(new NodeGroup(list[0].Inode, GroupLabel(list), list));
        }

        return groups;
    }

    /// <summary>A group's label: its container or unit, and its lowest PID with its command; or that no process holds them.</summary>
    private static string[] GroupLabel(List<GraphNode> members)
    {
        GraphNode? lowest = null;
        foreach (GraphNode node in members)
        {
            if (node.Pid is int pid && (lowest is null || pid < lowest.Pid))
            {
                lowest = node;
            }
        }

        if (lowest is null)
        {
            return new[] { "no process", members[0].Name is not null ? "(ip netns)" : "(mounts, descriptors)" };
        }

        return lowest.Attribution is string owner ? new[] { owner, lowest.ProcessLine! } : new[] { lowest.ProcessLine! };
    }

    /// <summary>The user namespaces whose clusters sit directly inside this one (0: at the top).</summary>
    internal IReadOnlyList<GraphNode> Clusters(ulong cluster) =>
        _clusters.TryGetValue(cluster, out List<GraphNode>? list) ? list : Array.Empty<GraphNode>();

    /// <summary>
    /// The user namespace whose cluster holds a node: a user namespace's own (it is drawn in it),
    /// any other kind's owner when that owner is drawn.
    /// </summary>
    private ulong ClusterOf(GraphNode node)
    {
        if (node.Type == "user")
        {
            return node.Inode;
        }

        return IsDrawnUser(node.Owner) ? node.Owner!.Value : 0;
    }

    /// <summary>
    /// The cluster a user namespace's cluster is nested in: its owner's when drawn (for a user
    /// namespace the owner is its parent), else the top. Objects that claim to own each other
    /// in a loop (edited input) go to the top, so every cluster is drawn.
    /// </summary>
    private ulong OuterCluster(GraphNode user)
    {
        var seen = new HashSet<ulong> { user.Inode };
        for (ulong? up = user.Owner; IsDrawnUser(up); up = _byInode[up!.Value].Owner)
        {
            if (!seen.Add(up!.Value))
            {
                return 0;
            }
        }

        return IsDrawnUser(user.Owner) ? user.Owner!.Value : 0;
    }

    private bool IsDrawnUser(ulong? inode) =>
        inode is ulong known && _byInode.TryGetValue(known, out GraphNode? node) && node.Type == "user";

    private List<GraphEdge> ParentEdges(List<GraphNode> sorted, bool dashed, bool userToo)
    {
        var edges = new List<GraphEdge>();
        foreach (GraphNode node in sorted)
        {
            if ((node.Type == "pid" || (userToo && node.Type == "user")) &&
                node.Parent is ulong parent && parent != node.Inode && _byInode.ContainsKey(parent))
            {
                edges.Add(new GraphEdge(node.Inode, parent, "parent", dashed));
            }
        }

        return edges;
    }

    /// <summary>
    /// lsns's process relation, kind by kind: a namespace hangs under the namespace of the same
    /// kind whose lowest PID is the parent of its lowest PID (the process that made it, or
    /// whose child did).
    /// </summary>
    private static List<GraphEdge> ProcessEdges(List<GraphNode> sorted)
    {
        var byTypeAndPid = new Dictionary<(string, int), ulong>();
        foreach (GraphNode node in sorted)
        {
            if (node.Pid is int pid)
            {
                byTypeAndPid.TryAdd((node.Type, pid), node.Inode);
            }
        }

        var edges = new List<GraphEdge>();
        foreach (GraphNode node in sorted)
        {
            if (node.PPid is int ppid && ppid > 0 && byTypeAndPid.TryGetValue((node.Type, ppid), out ulong creator) && creator != node.Inode)
            {
                edges.Add(new GraphEdge(node.Inode, creator, "created by", Dashed: false));
            }
        }

        return edges;
    }
}
