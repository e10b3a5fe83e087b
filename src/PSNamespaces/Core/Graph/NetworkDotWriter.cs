using System.Text;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Writes a <see cref="NetworkGraph"/> in DOT: an undirected-looking digraph (edges without
/// arrowheads), one "subgraph cluster_n…" per network namespace, interfaces "i…_…" inside,
/// bridges filled, veth pairs bold, bridge ports plain, lower devices dashed. Quoting as
/// <see cref="DotWriter"/>'s.
/// </summary>
internal static class NetworkDotWriter
{
    internal static string Write(NetworkGraph graph)
    {
        var dot = new StringBuilder();
        dot.Append("digraph network {\n");
        dot.Append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.9];\n");
        dot.Append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  edge [dir=none, fontname=\"Helvetica\", fontsize=9];\n");
        foreach ((NetworkNamespaceNode ns, var interfaces) in graph.Clusters)
        {
            string inode = ns.Namespace.Inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            dot.Append("  subgraph cluster_n").Append(inode).Append(" {\n");
            dot.Append("    label=").Append(DotWriter.Quote(string.Join('\n', NetworkGraph.ClusterLabel(ns.Namespace))))
               .Append("; style=\"rounded,filled\"; fillcolor=\"#f4f4f4\"; color=\"#888888\";\n");
            if (interfaces.Count == 0)
            {
                // An empty cluster is not drawn by dot: a point keeps the namespace in the picture.
                dot.Append("    e").Append(inode).Append(" [shape=point, style=invis];\n");
            }

            foreach (InterfaceNode node in interfaces)
            {
                WriteNode(dot, node, "    ");
            }

            dot.Append("  }\n");
        }

        foreach (InterfaceNode node in graph.Outside)
        {
            dot.Append("  ").Append(node.Id).Append(" [label=").Append(DotWriter.Quote(string.Join('\n', node.Label))).Append(", style=\"rounded,dashed\"];\n");
        }

        foreach (InterfaceEdge edge in graph.Edges)
        {
            dot.Append("  ").Append(edge.From).Append(" -> ").Append(edge.To).Append(edge.Relation switch
            {
                "veth" => " [label=\"veth\", penwidth=2, color=\"#1f5fa8\"];\n",
                "port" => " [color=\"#555555\"];\n",
                _ => " [label=" + DotWriter.Quote(edge.Relation) + ", style=dashed];\n",
            });
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    private static void WriteNode(StringBuilder dot, InterfaceNode node, string indent)
    {
        dot.Append(indent).Append(node.Id).Append(" [label=").Append(DotWriter.Quote(string.Join('\n', node.Label)));
        if (node.Kind == "bridge")
        {
            dot.Append(", style=\"rounded,filled\", fillcolor=\"#cfe3f7\"");
        }
        else
        {
            dot.Append(", style=\"rounded,filled\", fillcolor=white");
        }

        if (node.Down)
        {
            dot.Append(", color=\"#999999\", fontcolor=\"#777777\"");
        }

        dot.Append("];\n");
    }
}
