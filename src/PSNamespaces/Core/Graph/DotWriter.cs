using System.Globalization;
using System.Text;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Writes a <see cref="NamespaceGraph"/> in Graphviz's DOT language: a digraph whose user
/// namespaces are clusters ("subgraph cluster_u…"), each group of namespaces a cluster inside
/// them ("subgraph cluster_g…", its namespaces stacked in a column), the host's namespaces one
/// table node "host" with a port per namespace ("host:p…"), other nodes "n" + inode.
/// </summary>
/// <remarks>
/// Ids are made only of letters, digits and '_' and need no quoting; every label is a quoted
/// string in which DOT's escString rules apply: '"' and '\' are escaped (a lone backslash would
/// start \N, \G or \l), lines are joined with "\n", control characters become '?', and other
/// text — spaces, brackets, non-ASCII — stands as UTF-8, DOT's default charset. The host's
/// table is an HTML-like label, where '&amp;', '&lt;', '&gt;' and '"' are entities instead.
/// The layout runs top to bottom along the invisible edges that stack each group: the real
/// edges do not constrain it (constraint=false), so groups stand side by side, not in one
/// tall column, whatever the relation drawn; their labels are xlabels, placed after the
/// layout (a label proper would double every rank, leaving gaps in each column).
/// </remarks>
internal static class DotWriter
{
    internal static string Write(NamespaceGraph graph)
    {
        var dot = new StringBuilder();
        dot.Append("digraph namespaces {\n");
        dot.Append("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=10, nodesep=0.15, ranksep=0.2];\n");
        dot.Append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  edge [fontname=\"Helvetica\", fontsize=9, constraint=false];\n");
        WriteContents(dot, graph, 0, "  ");
        if (graph.Host.Count > 0)
        {
            // The host's table on a row of its own above every group: beside them, its height would be their first row's, a gap in each column.
            WriteHostAbove(dot, graph, 0);
        }

        foreach (GraphEdge edge in graph.Edges)
        {
            if (graph.IsHost(edge.From) && graph.IsHost(edge.To))
            {
                continue;
            }

            dot.Append("  ").Append(Endpoint(graph, edge.From)).Append(" -> ").Append(Endpoint(graph, edge.To))
               .Append(" [xlabel=").Append(Quote(edge.Relation)).Append(edge.Dashed ? ", style=dashed];\n" : "];\n");
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>Where an edge to a namespace ends: its row of the host's node, or its own node.</summary>
    private static string Endpoint(NamespaceGraph graph, ulong inode) => graph.IsHost(inode) ? "host:p" + Id(inode) : "n" + Id(inode);

    private static void WriteContents(StringBuilder dot, NamespaceGraph graph, ulong cluster, string indent)
    {
        if (graph.HostCluster == cluster && graph.Host.Count > 0)
        {
            WriteHost(dot, graph, indent);
        }

        foreach (NodeGroup group in graph.Groups(cluster))
        {
            dot.Append(indent).Append("subgraph cluster_g").Append(Id(group.Id)).Append(" {\n");
            dot.Append(indent).Append("  label=").Append(Quote(string.Join('\n', group.Label))).Append(";\n");
            dot.Append(indent).Append("  style=rounded;\n");
            foreach (GraphNode node in group.Members)
            {
                string label = string.Join('\n', node.Label());
                dot.Append(indent).Append("  n").Append(Id(node.Inode)).Append(" [label=").Append(Quote(label));
                dot.Append(node.Type == "user" ? ", shape=ellipse, style=solid];\n" : "];\n");
            }

            for (int i = 1; i < group.Members.Count; i++)
            {
                dot.Append(indent).Append("  n").Append(Id(group.Members[i - 1].Inode)).Append(" -> n").Append(Id(group.Members[i].Inode))
                   .Append(" [style=invis, constraint=true];\n");
            }

            dot.Append(indent).Append("}\n");
        }

        foreach (GraphNode user in graph.Clusters(cluster))
        {
            dot.Append(indent).Append("subgraph cluster_u").Append(Id(user.Inode)).Append(" {\n");
            dot.Append(indent).Append("  label=").Append(Quote("user namespace " + Id(user.Inode))).Append(";\n");
            WriteContents(dot, graph, user.Inode, indent + "  ");
            dot.Append(indent).Append("}\n");
        }
    }

    private static void WriteHostAbove(StringBuilder dot, NamespaceGraph graph, ulong cluster)
    {
        foreach (NodeGroup group in graph.Groups(cluster))
        {
            dot.Append("  host -> n").Append(Id(group.Members[0].Inode)).Append(" [style=invis, constraint=true];\n");
        }

        foreach (GraphNode user in graph.Clusters(cluster))
        {
            WriteHostAbove(dot, graph, user.Inode);
        }
    }

    /// <summary>The host's namespaces as one table: a title row, then one row per namespace with the port edges end at.</summary>
    private static void WriteHost(StringBuilder dot, NamespaceGraph graph, string indent)
    {
        dot.Append(indent).Append("host [shape=plain, label=<<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" STYLE=\"ROUNDED\">");
        foreach (string line in graph.HostLabel)
        {
            dot.Append("<TR><TD><B>").Append(Html(line)).Append("</B></TD></TR>");
        }

        foreach (GraphNode node in graph.Host)
        {
            dot.Append("<TR><TD ALIGN=\"LEFT\" PORT=\"p").Append(Id(node.Inode)).Append("\">").Append(Html(string.Join(", ", node.Label()))).Append("</TD></TR>");
        }

        dot.Append("</TABLE>>];\n");
    }

    /// <summary>Text for an HTML-like label: '&amp;', '&lt;', '&gt;' and '"' as entities, control characters as '?'.</summary>
    internal static string Html(string text)
    {
        var html = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            html.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                _ => char.IsControl(c) ? "?" : c.ToString(),
            });
        }

        return html.ToString();
    }

    private static string Id(ulong inode) => inode.ToString(CultureInfo.InvariantCulture);

    /// <summary>A DOT quoted string of the text; '\n' in the text ends a line of the label.</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                default:
                    quoted.Append(char.IsControl(c) ? '?' : c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
