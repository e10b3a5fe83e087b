using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PSNamespaces.Core.Inventory;

/// <summary>What a tree line shows of one namespace (lsns's default columns) and the ids it is placed by.</summary>
internal sealed record NamespaceTreeNode(
    ulong Inode, string Type, int ProcessCount, int? Pid, int? PPid, string? User, string? Command, ulong? Parent, ulong? Owner);

/// <summary>
/// Draws namespaces as lsns --tree does: NS TYPE NPROCS PID USER COMMAND, with "├─", "└─" and
/// "│ " in the NS column (parent and owner trees) or the COMMAND column (process tree). Lines
/// are placed as lsns places them, so the same input order gives the same tree.
/// </summary>
internal static class NamespaceTree
{
    internal static List<string> Draw(IReadOnlyList<NamespaceTreeNode> nodes, NamespaceRelation by)
    {
        var forest = new Forest(nodes.Count);
        if (by == NamespaceRelation.Process)
        {
            PlaceByProcess(nodes, forest);
        }
        else
        {
            PlaceByNamespace(nodes, forest, by);
        }

        return Render(nodes, forest, treeInCommand: by == NamespaceRelation.Process);
    }

    /// <summary>
    /// lsns's process tree: in order, a namespace goes under the latest line whose lowest PID is
    /// the parent of this namespace's lowest PID.
    /// </summary>
    private static void PlaceByProcess(IReadOnlyList<NamespaceTreeNode> nodes, Forest forest)
    {
        var latestLineOfPid = new Dictionary<int, int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            NamespaceTreeNode node = nodes[i];
            int parent = node.Pid is not null && node.PPid is int ppid && latestLineOfPid.TryGetValue(ppid, out int line) ? line : -1;
            forest.Attach(i, parent);
            if (node.Pid is int pid)
            {
                latestLineOfPid[pid] = i;
            }
        }
    }

    /// <summary>
    /// lsns's owner and parent trees: a namespace's owner (or parent) is drawn before it, then
    /// the namespace under it. In the parent tree a kind that does not nest is drawn after its
    /// owner, at the top.
    /// </summary>
    private static void PlaceByNamespace(IReadOnlyList<NamespaceTreeNode> nodes, Forest forest, NamespaceRelation by)
    {
        var byInode = new Dictionary<ulong, int>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++)
        {
            byInode.TryAdd(nodes[i].Inode, i);
        }

        int Index(ulong? inode, int self) => inode is ulong known && byInode.TryGetValue(known, out int index) && index != self ? index : -1;

        void Show(int i)
        {
            forest.Placed[i] = true;
            int owner = Index(nodes[i].Owner, i);
            int parent = by == NamespaceRelation.Owner ? owner : Index(nodes[i].Parent, i);
            int first = parent >= 0 ? parent : owner;
            if (first >= 0 && !forest.Placed[first])
            {
                Show(first);
            }

            forest.Attach(i, parent);
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            if (!forest.Placed[i])
            {
                Show(i);
            }
        }
    }

    private static List<string> Render(IReadOnlyList<NamespaceTreeNode> nodes, Forest forest, bool treeInCommand)
    {
        // Rows in drawing order (depth first, children in the order they were attached), each with its tree prefix.
        var rows = new List<(int Node, string Prefix)>(nodes.Count);
        var open = new List<bool>();
        void Walk(int node, int depth)
        {
            var prefix = new StringBuilder();
            for (int level = 0; level < depth - 1; level++)
            {
                prefix.Append(open[level] ? "│ " : "  ");
            }

            if (depth > 0)
            {
                prefix.Append(open[depth - 1] ? "├─" : "└─");
            }

            rows.Add((node, prefix.ToString()));
            List<int> children = forest.Children[node];
            for (int c = 0; c < children.Count; c++)
            {
                if (open.Count <= depth)
                {
                    open.Add(false);
                }

                open[depth] = c < children.Count - 1;
                Walk(children[c], depth + 1);
            }
        }

        foreach (int root in forest.Roots)
        {
            Walk(root, 0);
        }

        var cells = new List<string[]>(rows.Count + 1) { new[] { "NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND" } };
        foreach ((int index, string prefix) in rows)
        {
            NamespaceTreeNode n = nodes[index];
            string inode = n.Inode.ToString(CultureInfo.InvariantCulture);
            cells.Add(new[]
            {
                treeInCommand ? inode : prefix + inode,
                n.Type,
                n.ProcessCount.ToString(CultureInfo.InvariantCulture),
                n.Pid?.ToString(CultureInfo.InvariantCulture) ?? "",
                n.User ?? "",
                treeInCommand ? prefix + n.Command : n.Command ?? "",
            });
        }

        // NS is right-aligned unless it holds the tree; NPROCS and PID are right-aligned.
        bool[] right = { treeInCommand, false, true, true, false, false };
        int[] width = new int[6];
        foreach (string[] row in cells)
        {
            for (int c = 0; c < 5; c++)
            {
                width[c] = Math.Max(width[c], row[c].Length);
            }
        }

        var lines = new List<string>(cells.Count);
        var line = new StringBuilder();
        foreach (string[] row in cells)
        {
            line.Clear();
            for (int c = 0; c < 6; c++)
            {
                if (c > 0)
                {
                    line.Append(' ');
                }

                line.Append(c == 5 ? row[c] : right[c] ? row[c].PadLeft(width[c]) : row[c].PadRight(width[c]));
            }

            lines.Add(line.ToString().TrimEnd());
        }

        return lines;
    }

    /// <summary>Which line each line hangs under; roots and children in the order they were attached.</summary>
    private sealed class Forest
    {
        internal Forest(int count)
        {
            Placed = new bool[count];
            Children = new List<int>[count];
            for (int i = 0; i < count; i++)
            {
                Children[i] = new List<int>();
            }
        }

        internal bool[] Placed { get; }

        internal List<int>[] Children { get; }

        internal List<int> Roots { get; } = new();

        internal void Attach(int node, int parent)
        {
            Placed[node] = true;
            if (parent < 0)
            {
                Roots.Add(node);
            }
            else
            {
                Children[parent].Add(node);
            }
        }
    }
}
