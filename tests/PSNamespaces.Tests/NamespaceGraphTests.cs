using System;
using System.Collections.Generic;
using System.Linq;
using PSNamespaces.Core.Graph;
using Xunit;

namespace PSNamespaces.Tests;

public class NamespaceGraphTests
{
    private const string Awkward = "a \"quoted\" [bracket] {brace} #hash <tag> & back\\slash `tick` ünïcødé 名前 🙂";

    // The initial user namespace owns a net namespace and a nested user namespace, which owns a
    // named net namespace and a PID namespace whose parent is the initial one.
    private static readonly GraphNode[] s_nodes =
    {
        new(4026531840, "net", 90, 2, 0, "kthreadd", null, null, null, null, null, 4026531837),
        new(4026531837, "user", 90, 2, 0, "kthreadd", null, null, null, null, null, null),
        new(4026532200, "user", 3, 20, 10, "unshare -U", "ssh.service", null, null, null, 4026531837, 4026531837),
        new(4026532201, "net", 1, 30, 20, "sleep 1", null, "docker:3f2a3f2a3f2a", Awkward, 7, null, 4026532200),
        new(4026532202, "pid", 1, 30, 20, "sleep 1", null, null, null, null, 4026531836, 4026532200),
        new(4026531836, "pid", 90, 2, 0, "kthreadd", null, null, null, null, null, 4026531837),
    };

    [Fact]
    public void Dot_nests_user_namespaces_as_clusters_and_draws_the_parent_edge()
    {
        string dot = DotWriter.Write(new NamespaceGraph(s_nodes, NamespaceRelation.Owner));
        int outer = dot.IndexOf("subgraph cluster_u4026531837 {", StringComparison.Ordinal);
        int inner = dot.IndexOf("subgraph cluster_u4026532200 {", StringComparison.Ordinal);
        Assert.True(outer >= 0 && inner > outer, dot);
        Assert.Contains("    n4026532201 [label=\"net 4026532201\\nname a \\\"quoted\\\" [bracket] {brace} #hash <tag> & back\\\\slash `tick` ünïcødé 名前 🙂, NETNSID 7\\ndocker:3f2a3f2a3f2a\\n1 process, PID 30 sleep 1\"];", dot);
        Assert.Contains("n4026532202 -> n4026531836 [label=\"parent\", style=dashed];", dot);
        Assert.EndsWith("}\n", dot);
    }

    [Fact]
    public void Same_namespaces_in_any_order_give_the_same_text()
    {
        var reversed = s_nodes.Reverse().ToArray();
        foreach (NamespaceRelation by in Enum.GetValues<NamespaceRelation>())
        {
            Assert.Equal(DotWriter.Write(new NamespaceGraph(s_nodes, by)), DotWriter.Write(new NamespaceGraph(reversed, by)));
            Assert.Equal(MermaidWriter.Write(new NamespaceGraph(s_nodes, by)), MermaidWriter.Write(new NamespaceGraph(reversed, by)));
        }
    }

    [Fact]
    public void Parent_relation_adds_user_namespace_parents_and_process_relation_links_creators()
    {
        string parent = DotWriter.Write(new NamespaceGraph(s_nodes, NamespaceRelation.Parent));
        Assert.Contains("n4026532200 -> n4026531837 [label=\"parent\"];", parent);
        string process = DotWriter.Write(new NamespaceGraph(s_nodes, NamespaceRelation.Process));
        // Net 4026532201's lowest PID 30 has parent 20, but no net namespace has PID 20 as its lowest: no edge.
        Assert.DoesNotContain("n4026532201 ->", process, StringComparison.Ordinal);
        var child = new GraphNode(4026532300, "net", 1, 40, 30, "sleep 2", null, null, null, null, null, 4026532200);
        string withChild = DotWriter.Write(new NamespaceGraph(s_nodes.Append(child), NamespaceRelation.Process));
        Assert.Contains("n4026532300 -> n4026532201 [label=\"created by\"];", withChild);
    }

    [Fact]
    public void Mermaid_text_follows_the_flowchart_grammar_and_keeps_every_label()
    {
        foreach (NamespaceRelation by in Enum.GetValues<NamespaceRelation>())
        {
            string text = MermaidWriter.Write(new NamespaceGraph(s_nodes, by));
            Dictionary<string, string> nodes = MermaidGrammar.Parse(text);
            Assert.Equal(s_nodes.Length, nodes.Count);
            Assert.Equal(
                "net 4026532201\nname " + Awkward + ", NETNSID 7\ndocker:3f2a3f2a3f2a\n1 process, PID 30 sleep 1",
                nodes["n4026532201"]);
        }
    }

    [Theory]
    [InlineData("\"", "\"#34;\"")]
    [InlineData("#", "\"#35;\"")]
    [InlineData("a b[c]", "\"a b[c]\"")]
    [InlineData("é", "\"#233;\"")]
    [InlineData("🙂", "\"#128578;\"")]
    [InlineData("x\ny", "\"x<br/>y\"")]
    [InlineData("<b>", "\"#60;b#62;\"")]
    public void Mermaid_labels_escape_what_the_grammar_reads(string text, string quoted) =>
        Assert.Equal(quoted, MermaidWriter.Quote(text));

    [Theory]
    [InlineData("\"", "\"\\\"\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("x\ny", "\"x\\ny\"")]
    [InlineData("tab\there", "\"tab?here\"")]
    [InlineData("ü [x]", "\"ü [x]\"")]
    public void Dot_labels_escape_quotes_and_backslashes(string text, string quoted) =>
        Assert.Equal(quoted, DotWriter.Quote(text));

    [Fact]
    public void No_namespaces_give_an_empty_but_valid_graph()
    {
        var empty = new NamespaceGraph(Array.Empty<GraphNode>(), NamespaceRelation.Owner);
        Assert.Equal(
            "digraph namespaces {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10];\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n}\n",
            DotWriter.Write(empty));
        Assert.Equal("flowchart LR\n", MermaidWriter.Write(empty));
        Assert.Empty(MermaidGrammar.Parse(MermaidWriter.Write(empty)));
    }

    [Fact]
    public void Owners_in_a_loop_still_draw_every_namespace()
    {
        GraphNode[] loop =
        {
            new(10, "user", 0, null, null, null, null, null, null, null, 11, 11),
            new(11, "user", 0, null, null, null, null, null, null, null, 10, 10),
        };
        Assert.Equal(2, MermaidGrammar.Parse(MermaidWriter.Write(new NamespaceGraph(loop, NamespaceRelation.Owner))).Count);
    }
}
