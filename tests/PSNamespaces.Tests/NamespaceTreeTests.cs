using System.Collections.Generic;
using PSNamespaces.Core.Inventory;
using Xunit;

namespace PSNamespaces.Tests;

public class NamespaceTreeTests
{
    // The initial user namespace owning a net namespace and a nested user namespace, which owns a
    // net namespace whose lowest PID (30) is a child of PID 20, the nested one's lowest PID.
    private static readonly List<NamespaceTreeNode> s_nodes = new()
    {
        new(4026531833, "net", 90, 2, 0, "root", "kthreadd", null, 4026531837),
        new(4026531837, "user", 90, 2, 0, "root", "kthreadd", null, null),
        new(4026532200, "user", 3, 20, 10, "root", "unshare -U", 4026531837, 4026531837),
        new(4026532201, "net", 1, 30, 20, "root", "sleep 1", null, 4026532200),
        new(4026532300, "uts", 0, null, null, "root", null, null, 4026531837),
    };

    [Fact]
    public void Owner_tree_hangs_each_namespace_under_its_owner()
    {
        Assert.Equal(new[]
        {
            "NS             TYPE NPROCS PID USER COMMAND",
            "4026531837     user     90   2 root kthreadd",
            "├─4026531833   net      90   2 root kthreadd",
            "├─4026532200   user      3  20 root unshare -U",
            "│ └─4026532201 net       1  30 root sleep 1",
            "└─4026532300   uts       0     root",
        }, NamespaceTree.Draw(s_nodes, NamespaceRelation.Owner));
    }

    [Fact]
    public void Parent_tree_nests_only_pid_and_user_namespaces()
    {
        Assert.Equal(new[]
        {
            "NS           TYPE NPROCS PID USER COMMAND",
            "4026531837   user     90   2 root kthreadd",
            "└─4026532200 user      3  20 root unshare -U",
            "4026531833   net      90   2 root kthreadd",
            "4026532201   net       1  30 root sleep 1",
            "4026532300   uts       0     root",
        }, NamespaceTree.Draw(s_nodes, NamespaceRelation.Parent));
    }

    [Fact]
    public void Process_tree_hangs_a_namespace_under_the_latest_line_of_its_lowest_PIDs_parent()
    {
        Assert.Equal(new[]
        {
            "        NS TYPE NPROCS PID USER COMMAND",
            "4026531833 net      90   2 root kthreadd",
            "4026531837 user     90   2 root kthreadd",
            "4026532200 user      3  20 root unshare -U",
            "4026532201 net       1  30 root └─sleep 1",
            "4026532300 uts       0     root",
        }, NamespaceTree.Draw(s_nodes, NamespaceRelation.Process));
    }
}
