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
    // named net namespace and a PID namespace whose parent is the initial one. PID 2 is the
    // initial user namespace's lowest PID: its three namespaces are the host's.
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
        Assert.Contains("      n4026532201 [label=\"net 4026532201\\nname a \\\"quoted\\\" [bracket] {brace} #hash <tag> & back\\\\slash `tick` ünïcødé 名前 🙂, NETNSID 7\"];", dot);
        Assert.Contains("n4026532202 -> host:p4026531836 [xlabel=\"parent\", style=dashed];", dot);
        Assert.EndsWith("}\n", dot);
    }

    [Fact]
    public void The_initial_user_namespaces_lowest_PID_is_one_host_node_and_each_other_process_or_container_a_cluster()
    {
        var box = new GraphNode[]
        {
            new(4026532400, "uts", 2, 50, 1, "runc init", null, "runc:web", null, null, null, 4026531837),
            new(4026532401, "net", 2, 50, 1, "runc init", null, "runc:web", null, null, null, 4026531837),
            // A PID namespace the container's init made for a child: the container's still.
            new(4026532402, "pid", 1, 51, 50, "sleep 9", null, "runc:web", null, null, 4026531836, 4026531837),
            new(4026532403, "net", 1, 60, 1, "sleep 60", "app.service", null, null, null, null, 4026531837),
            new(4026532404, "net", 0, null, null, null, null, null, "blue", null, null, 4026531837),
            new(4026532405, "net", 0, null, null, null, null, null, "green", null, null, 4026531837),
            new(4026532406, "mnt", 0, null, null, null, null, null, null, null, null, 4026531837),
        };
        string dot = DotWriter.Write(new NamespaceGraph(s_nodes.Concat(box), NamespaceRelation.Owner));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(dot, "^ *host \\[", System.Text.RegularExpressions.RegexOptions.Multiline));
        foreach (ulong inode in new ulong[] { 4026531837, 4026531836, 4026531840 })
        {
            Assert.Contains($"PORT=\"p{inode}\"", dot);
            Assert.DoesNotContain($"n{inode} [", dot, StringComparison.Ordinal);
        }

        Assert.Equal(new[] { "4026532400", "4026532401", "4026532402" }, ClusterMembers(dot, "4026532400"));
        Assert.Contains("label=\"runc:web\\nPID 50 runc init\";", dot);
        Assert.Equal(new[] { "4026532403" }, ClusterMembers(dot, "4026532403"));
        Assert.Contains("label=\"app.service\\nPID 60 sleep 60\";", dot);
        Assert.Equal(new[] { "4026532404", "4026532405" }, ClusterMembers(dot, "4026532404"));
        Assert.Contains("label=\"no process\\n(ip netns)\";", dot);
        Assert.Equal(new[] { "4026532406" }, ClusterMembers(dot, "4026532406"));
        Assert.Contains("label=\"no process\\n(mounts, descriptors)\";", dot);
        // The host's table stands above every group; the rest of the layout ignores the edges.
        Assert.Contains("host -> n4026532400 [style=invis, constraint=true];", dot);
    }

    /// <summary>The inodes of the nodes declared directly in "subgraph cluster_gID { … }".</summary>
    private static string[] ClusterMembers(string dot, string id)
    {
        int start = dot.IndexOf("subgraph cluster_g" + id + " {", StringComparison.Ordinal);
        Assert.True(start >= 0, dot);
        int end = dot.IndexOf('}', start);
        return System.Text.RegularExpressions.Regex.Matches(dot[start..end], @"^\s*n(\d+) \[label=", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToArray();
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
        Assert.Contains("n4026532200 -> host:p4026531837 [xlabel=\"parent\"];", parent);
        string process = DotWriter.Write(new NamespaceGraph(s_nodes, NamespaceRelation.Process));
        // Net 4026532201's lowest PID 30 has parent 20, but no net namespace has PID 20 as its lowest: no edge.
        Assert.DoesNotContain("n4026532201 ->", process, StringComparison.Ordinal);
        var child = new GraphNode(4026532300, "net", 1, 40, 30, "sleep 2", null, null, null, null, null, 4026532200);
        string withChild = DotWriter.Write(new NamespaceGraph(s_nodes.Append(child), NamespaceRelation.Process));
        Assert.Contains("n4026532300 -> n4026532201 [xlabel=\"created by\"];", withChild);
    }

    [Fact]
    public void Mermaid_text_follows_the_flowchart_grammar_and_keeps_every_label()
    {
        foreach (NamespaceRelation by in Enum.GetValues<NamespaceRelation>())
        {
            string text = MermaidWriter.Write(new NamespaceGraph(s_nodes, by));
            Dictionary<string, string> nodes = MermaidGrammar.Parse(text);
            // The host's three namespaces are one node.
            Assert.Equal(s_nodes.Length - 2, nodes.Count);
            Assert.Equal("net 4026532201\nname " + Awkward + ", NETNSID 7", nodes["n4026532201"]);
            Assert.Equal("host: the initial namespaces\nPID 2 kthreadd\npid 4026531836\nuser 4026531837\nnet 4026531840", nodes["host"]);
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
            "digraph namespaces {\n  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=10, nodesep=0.15, ranksep=0.2];\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9, constraint=false];\n}\n",
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
