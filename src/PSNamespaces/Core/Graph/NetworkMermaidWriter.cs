using System.Text;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Writes a <see cref="NetworkGraph"/> as a Mermaid flowchart: a subgraph per network namespace,
/// its interfaces inside, veth pairs as thick lines, bridge ports as plain lines, lower devices
/// dotted. Quoting as <see cref="MermaidWriter"/>'s.
/// </summary>
internal static class NetworkMermaidWriter
{
    internal static string Write(NetworkGraph graph)
    {
        var text = new StringBuilder("flowchart LR\n");
        foreach ((NetworkNamespaceNode ns, var interfaces) in graph.Clusters)
        {
            string inode = ns.Namespace.Inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append("  subgraph n").Append(inode).Append(' ').Append('[')
                .Append(MermaidWriter.Quote(string.Join('\n', NetworkGraph.ClusterLabel(ns.Namespace)))).Append("]\n");
            if (interfaces.Count == 0)
            {
                text.Append("    e").Append(inode).Append("[ ]\n");
            }

            foreach (InterfaceNode node in interfaces)
            {
                text.Append("    ").Append(node.Id).Append(node.Kind == "bridge" ? "[[" : "(")
                    .Append(MermaidWriter.Quote(string.Join('\n', node.Label))).Append(node.Kind == "bridge" ? "]]\n" : ")\n");
            }

            text.Append("  end\n");
        }

        foreach (InterfaceNode node in graph.Outside)
        {
            text.Append("  ").Append(node.Id).Append('(').Append(MermaidWriter.Quote(string.Join('\n', node.Label))).Append(")\n");
        }

        foreach (InterfaceEdge edge in graph.Edges)
        {
            text.Append("  ").Append(edge.From).Append(edge.Relation switch
            {
                "veth" => " ===|veth| ",
                "port" => " --- ",
                _ => " -.-|" + MermaidWriter.Quote(edge.Relation) + "| ",
            }).Append(edge.To).Append('\n');
        }

        return text.ToString();
    }
}
