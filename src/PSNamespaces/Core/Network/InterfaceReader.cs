// Core/Network — the network interfaces of network namespaces (Get-NamespaceInterface), read
// over rtnetlink through a socket made inside each namespace (RouteSocket), parsed by pure code
// (RtnetlinkMessages), and a veth's other end found by matching its NETNSID against the host's
// network namespaces (NetworkNamespaces).
// Uses: Model, Proc, Threads, Inventory.

using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Network;

/// <summary>Reads the interfaces of one network namespace, with their addresses and peers.</summary>
internal static class InterfaceReader
{
    /// <summary>Every interface of the namespace, in ip link's order.</summary>
    /// <param name="netns">The open network namespace.</param>
    /// <param name="netnsName">Its /run/netns name when the user gave one; else it is looked up.</param>
    /// <param name="host">The host's network namespaces, for names and peers; kept by the caller across namespaces.</param>
    /// <param name="subject">What the user named, for errors.</param>
    /// <exception cref="ErrnoException">The socket could not be made in the namespace, or a dump failed.</exception>
    internal static List<NamespaceInterface> Read(NamespaceFile netns, string? netnsName, NetworkNamespaces host, string subject)
    {
        using RouteSocket socket = RouteSocket.OpenIn(netns, subject);
        List<LinkMessage> links = socket.DumpLinks();
        List<AddressMessage> addresses = socket.DumpAddresses();
        netnsName ??= host.NameOf(netns.Inode);

        var byIndex = new Dictionary<int, LinkMessage>(links.Count);
        var peerNsids = new List<int>();
        foreach (LinkMessage link in links)
        {
            byIndex[link.Index] = link;
            if (link.Link is not null && link.LinkNetnsId is int nsid && !peerNsids.Contains(nsid))
            {
                peerNsids.Add(nsid);
            }
        }

        Dictionary<int, NamespaceFile> peers = peerNsids.Count == 0 ? new() : host.Resolve(socket, netns.Inode, peerNsids);
        var result = new List<NamespaceInterface>(links.Count);
        foreach (LinkMessage link in links)
        {
            var item = new NamespaceInterface(netns.Inode, netnsName, link.Name, link.Index)
            {
                // ip -d shows no linkinfo for lo; its flags say what it is.
                Kind = link.Kind ?? ((link.Flags & Sys.IFF_LOOPBACK) != 0 ? "loopback" : null),
                State = RtnetlinkMessages.OperStateName(link.OperState),
                Mtu = link.Mtu,
                MacAddress = link.Address is byte[] mac ? RtnetlinkMessages.FormatLinkAddress(mac) : null,
                Master = link.Master is int master && byIndex.TryGetValue(master, out LinkMessage? port) ? port.Name : null,
                Addresses = AddressesOf(link.Index, addresses),
            };
            if (link.Link is int peerIndex)
            {
                item.PeerIndex = peerIndex;
                if (link.LinkNetnsId is not int nsid)
                {
                    item.PeerNetNs = netns.Inode;
                    item.PeerNetnsName = netnsName;
                    item.PeerInterface = byIndex.TryGetValue(peerIndex, out LinkMessage? peer) ? peer.Name : null;
                }
                else
                {
                    item.PeerNetnsId = nsid;
                    if (peers.TryGetValue(nsid, out NamespaceFile? peerNetns))
                    {
                        item.PeerNetNs = peerNetns.Inode;
                        item.PeerNetnsName = host.NameOf(peerNetns.Inode);
                        item.PeerInterface = host.InterfaceName(peerNetns, peerIndex, subject);
                    }
                }
            }

            result.Add(item);
        }

        return result;
    }

    /// <summary>The interface names of the namespace only (for tab completion): one link dump, no peers.</summary>
    internal static List<string> Names(NamespaceFile netns, string subject)
    {
        using RouteSocket socket = RouteSocket.OpenIn(netns, subject);
        return socket.DumpLinks().ConvertAll(link => link.Name);
    }

    private static string[] AddressesOf(int index, List<AddressMessage> addresses)
    {
        var texts = new List<string>();
        foreach (AddressMessage address in addresses)
        {
            if (address.Index == index)
            {
                texts.Add(RtnetlinkMessages.FormatAddress(address));
            }
        }

        return texts.ToArray();
    }
}
