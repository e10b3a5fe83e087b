using System;
using System.Linq;
using PSNamespaces.Core.Graph;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The network picture's layout rules on a small hand-made host (the kernel-made one is in
/// ConvertTo-NamespaceGraph.Network.Tests.ps1): a router namespace with a bridge and a veth
/// port to a container, whose other end is drawn once, from the port.
/// </summary>
public class NetworkGraphTests
{
    private const ulong Router = 4026532001, Box = 4026532002, Elsewhere = 4026532003;

    private static NamespaceInterface Interface(ulong netNs, string? netnsName, string name, int index, string? kind,
        string? master = null, int? peerIndex = null, ulong? peerNetNs = null, string? peerName = null, int? peerNetnsId = null) =>
        new(netNs, netnsName, name, index)
        {
            Kind = kind,
            State = "UP",
            Master = master,
            PeerIndex = peerIndex,
            PeerNetNs = peerNetNs,
            PeerInterface = peerName,
            PeerNetnsId = peerNetnsId,
            Addresses = kind == "bridge" ? new[] { "10.0.0.1/24", "fe80::1/64" } : Array.Empty<string>(),
        };

    private static NetworkNamespaceNode[] Host() =>
    [
        new(new GraphNode(Router, "net", 0, null, null, null, null, null, "router", null, null, null),
        [
            Interface(Router, "router", "lo", 1, "loopback"),
            Interface(Router, "router", "br0", 2, "bridge"),
            Interface(Router, "router", "veth-web", 3, "veth", master: "br0", peerIndex: 2, peerNetNs: Box, peerName: "eth0", peerNetnsId: 0),
            Interface(Router, "router", "out", 4, "veth", peerIndex: 7, peerNetNs: Elsewhere, peerName: "x", peerNetnsId: 1),
        ]),
        new(new GraphNode(Box, "net", 1, 500, 1, "sleep 60", null, "lxc:web", null, null, null, null),
        [
            Interface(Box, null, "lo", 1, "loopback"),
            Interface(Box, null, "eth0", 2, "veth", peerIndex: 3, peerNetNs: Router, peerName: "veth-web", peerNetnsId: 0),
        ]),
    ];

    [Fact]
    public void A_veth_pair_is_one_line_from_its_bridge_port_and_a_port_hangs_from_its_bridge()
    {
        string dot = NetworkDotWriter.Write(new NetworkGraph(Host()));
        string[] veth = dot.Split('\n').Where(l => l.Contains("label=\"veth\"", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, veth.Length);
        Assert.StartsWith($"  i{Router}_3 -> i{Box}_2 ", veth[0], StringComparison.Ordinal);
        Assert.StartsWith($"  i{Router}_4 -> i{Elsewhere}_7 ", veth[1], StringComparison.Ordinal);
        Assert.Contains($"  i{Router}_2 -> i{Router}_3 [color=", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void Lo_and_link_local_addresses_are_left_out_and_an_undrawn_peer_is_a_node_outside()
    {
        string dot = NetworkDotWriter.Write(new NetworkGraph(Host()));
        Assert.DoesNotContain($"i{Router}_1 ", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"br0 (bridge)\\n10.0.0.1/24\"", dot, StringComparison.Ordinal);
        Assert.Contains($"  i{Elsewhere}_7 [label=\"x\\nnet:[{Elsewhere}]\", style=\"rounded,dashed\"];", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"container lxc:web\\nnet:[4026532002]\\n1 process, PID 500 sleep 60\"", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_does_not_depend_on_the_input_order()
    {
        NetworkNamespaceNode[] host = Host();
        NetworkNamespaceNode[] reversed = host.Reverse().Select(n => n with { Interfaces = n.Interfaces.Reverse().ToArray() }).ToArray();
        Assert.Equal(NetworkDotWriter.Write(new NetworkGraph(host)), NetworkDotWriter.Write(new NetworkGraph(reversed)));
        Assert.Equal(NetworkMermaidWriter.Write(new NetworkGraph(host)), NetworkMermaidWriter.Write(new NetworkGraph(reversed)));
    }
}
