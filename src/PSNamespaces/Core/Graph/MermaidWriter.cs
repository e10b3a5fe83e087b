using System.Globalization;
using System.Text;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Writes a <see cref="NamespaceGraph"/> as a Mermaid flowchart, the diagram text GitHub,
/// GitLab and most wikis render from a ```mermaid block: user namespaces as subgraphs "u…",
/// each group of namespaces a subgraph "g…" inside them, the host's namespaces one node "host",
/// other nodes "n" + inode with quoted labels.
/// </summary>
/// <remarks>
/// Ids are letters and digits only, so no Mermaid keyword (end, graph, subgraph...) can be one.
/// Inside a quoted label Mermaid reads '"' as the end and "#…;" as an entity, and renders HTML:
/// so '"', '#', '&amp;', '&lt;', '&gt;', '`' and every non-ASCII character are written as the entity
/// "#NNN;" (its code point), control characters become '?', and lines are joined with "&lt;br/&gt;".
/// Mermaid has no ports: an edge to one of the host's namespaces ends at the host node.
/// </remarks>
internal static class MermaidWriter
{
    internal static string Write(NamespaceGraph graph)
    {
        var text = new StringBuilder();
        text.Append("flowchart LR\n");
        WriteContents(text, graph, 0, "  ");
        foreach (GraphEdge edge in graph.Edges)
        {
            if (graph.IsHost(edge.From) && graph.IsHost(edge.To))
            {
                continue;
            }

            text.Append("  ").Append(Endpoint(graph, edge.From)).Append(edge.Dashed ? " -.->|" : " -->|")
                .Append(Quote(edge.Relation)).Append("| ").Append(Endpoint(graph, edge.To)).Append('\n');
        }

        return text.ToString();
    }

    private static string Endpoint(NamespaceGraph graph, ulong inode) => graph.IsHost(inode) ? "host" : "n" + Id(inode);

    private static void WriteContents(StringBuilder text, NamespaceGraph graph, ulong cluster, string indent)
    {
        if (graph.HostCluster == cluster && graph.Host.Count > 0)
        {
            var lines = new System.Collections.Generic.List<string>(graph.HostLabel);
            foreach (GraphNode node in graph.Host)
            {
                lines.Add(string.Join(", ", node.Label()));
            }

            text.Append(indent).Append("host[").Append(Quote(string.Join('\n', lines))).Append("]\n");
        }

        foreach (NodeGroup group in graph.Groups(cluster))
        {
            text.Append(indent).Append("subgraph g").Append(Id(group.Id)).Append('[').Append(Quote(string.Join('\n', group.Label))).Append("]\n");
            foreach (GraphNode node in group.Members)
            {
                // A user namespace is drawn round, ([...]); the others as boxes, [...].
                bool user = node.Type == "user";
                text.Append(indent).Append("  n").Append(Id(node.Inode)).Append(user ? "([" : "[")
                    .Append(Quote(string.Join('\n', node.Label()))).Append(user ? "])\n" : "]\n");
            }

            text.Append(indent).Append("end\n");
        }

        foreach (GraphNode user in graph.Clusters(cluster))
        {
            text.Append(indent).Append("subgraph u").Append(Id(user.Inode)).Append('[')
                .Append(Quote("user namespace " + Id(user.Inode))).Append("]\n");
            WriteContents(text, graph, user.Inode, indent + "  ");
            text.Append(indent).Append("end\n");
        }
    }

    private static string Id(ulong inode) => inode.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Mermaid quoted label of the text; '\n' in the text ends a line of the label.</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n')
            {
                quoted.Append("<br/>");
            }
            else if (char.IsControl(c))
            {
                quoted.Append('?');
            }
            else if (c is '"' or '#' or '&' or '<' or '>' or '`' || c > '~')
            {
                int codePoint = i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]) ? char.ConvertToUtf32(c, text[++i]) : c;
                quoted.Append('#').Append(codePoint.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('"').ToString();
    }
}
