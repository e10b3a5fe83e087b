using System.Globalization;
using System.Text;

namespace PSNamespaces.Core.Graph;

/// <summary>
/// Writes a <see cref="NamespaceGraph"/> in Graphviz's DOT language: a digraph whose user
/// namespaces are clusters ("subgraph cluster_u…"), nodes "n" + inode, labels as quoted strings.
/// </summary>
/// <remarks>
/// Ids are made only of letters, digits and '_' and need no quoting; every label is a quoted
/// string in which DOT's escString rules apply: '"' and '\' are escaped (a lone backslash would
/// start \N, \G or \l), lines are joined with "\n", control characters become '?', and other
/// text — spaces, brackets, non-ASCII — stands as UTF-8, DOT's default charset.
/// </remarks>
internal static class DotWriter
{
    internal static string Write(NamespaceGraph graph)
    {
        var dot = new StringBuilder();
        dot.Append("digraph namespaces {\n");
        dot.Append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        WriteContents(dot, graph, 0, "  ");
        foreach (GraphEdge edge in graph.Edges)
        {
            dot.Append("  n").Append(Id(edge.From)).Append(" -> n").Append(Id(edge.To))
               .Append(" [label=").Append(Quote(edge.Relation)).Append(edge.Dashed ? ", style=dashed];\n" : "];\n");
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    private static void WriteContents(StringBuilder dot, NamespaceGraph graph, ulong cluster, string indent)
    {
        foreach (GraphNode node in graph.Members(cluster))
        {
            dot.Append(indent).Append('n').Append(Id(node.Inode)).Append(" [label=").Append(Quote(string.Join('\n', node.Label())));
            dot.Append(node.Type == "user" ? ", shape=ellipse, style=solid];\n" : "];\n");
        }

        foreach (GraphNode user in graph.Clusters(cluster))
        {
            dot.Append(indent).Append("subgraph cluster_u").Append(Id(user.Inode)).Append(" {\n");
            dot.Append(indent).Append("  label=").Append(Quote("user namespace " + Id(user.Inode))).Append(";\n");
            WriteContents(dot, graph, user.Inode, indent + "  ");
            dot.Append(indent).Append("}\n");
        }
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
