using System;
using System.Globalization;

namespace PSNamespaces;

/// <summary>
/// One network interface of a network namespace, as Get-NamespaceInterface writes it: what
/// ip -n NAME -d link and ip -n NAME addr show of it, and for a device linked to another (a
/// veth's other end, a vlan's lower device) which namespace and interface that is.
/// </summary>
public sealed class NamespaceInterface
{
    internal NamespaceInterface(ulong netNs, string? netnsName, string name, int index)
    {
        NetNs = netNs;
        NetnsName = netnsName;
        Name = name;
        Index = index;
    }

    /// <summary>The inode of the network namespace the interface is in (net:[INODE]).</summary>
    public ulong NetNs { get; }

    /// <summary>The name of that namespace in /run/netns, when it has one.</summary>
    public string? NetnsName { get; }

    /// <summary>The interface name (ip's ifname).</summary>
    public string Name { get; }

    /// <summary>The interface index in its namespace (ip's ifindex).</summary>
    public int Index { get; }

    /// <summary>
    /// The driver's kind (ip -d's linkinfo.info_kind: veth, bridge, vlan, macvlan, vxlan,
    /// wireguard, dummy, tun, ...), "loopback" for lo; null for a device with neither (a NIC).
    /// </summary>
    public string? Kind { get; internal set; }

    /// <summary>The operational state as ip prints it: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, ...</summary>
    public string State { get; internal set; } = "UNKNOWN";

    /// <summary>The MTU.</summary>
    public int Mtu { get; internal set; }

    /// <summary>The link-layer address (ip's address), null for a device without one (tun, wireguard).</summary>
    public string? MacAddress { get; internal set; }

    /// <summary>The bridge or bond this interface is a port of (ip's master).</summary>
    public string? Master { get; internal set; }

    /// <summary>Its IPv4 and IPv6 addresses with prefix length ("10.0.0.1/24"), in ip addr's order.</summary>
    public string[] Addresses { get; internal set; } = Array.Empty<string>();

    /// <summary>
    /// The index of the interface this one is linked to (IFLA_LINK: a veth's peer, a vlan's or
    /// macvlan's lower device), in <see cref="PeerNetNs"/>; null when it is linked to none.
    /// </summary>
    public int? PeerIndex { get; internal set; }

    /// <summary>The id by which this namespace knows the peer's namespace (ip's link_netnsid); null when the peer is in this namespace.</summary>
    public int? PeerNetnsId { get; internal set; }

    /// <summary>The inode of the network namespace the peer is in; null when it could not be found (held only by a descriptor or socket of some process).</summary>
    public ulong? PeerNetNs { get; internal set; }

    /// <summary>The /run/netns name of the peer's namespace, when it has one.</summary>
    public string? PeerNetnsName { get; internal set; }

    /// <summary>The name of the peer interface in its namespace; null when that namespace was not found.</summary>
    public string? PeerInterface { get; internal set; }

    /// <summary>"NAME@net:[INODE]".</summary>
    public override string ToString() =>
        Name + "@net:[" + NetNs.ToString(CultureInfo.InvariantCulture) + "]";
}
