using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PSNamespaces.Core.Network;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The rtnetlink parser on messages captured from a kernel: Data/Rtnetlink/kinds.*.hex are the
/// RTM_NEWLINK and RTM_NEWADDR messages of one dump each (one message a line) of a network
/// namespace holding lo, a veth pair inside it (one end a bridge port), veths to two other
/// namespaces, two bridges, a vxlan with a point-to-point address, a tap and a tun; kinds.link.json
/// and kinds.addr.json are what ip -d -j link and ip -j addr said of that namespace at the same
/// moment. Each field the parser gives is compared with ip's.
/// </summary>
public class RtnetlinkMessagesTests
{
    private static string DataPath(string name) => Path.Combine(RoomDependencyTests.SourceRoot(), "tests", "PSNamespaces.Tests", "Data", "Rtnetlink", name);

    private static List<byte[]> Messages(string name) =>
        File.ReadAllLines(DataPath(name)).Where(l => l.Length > 0).Select(Convert.FromHexString).ToList();

    /// <summary>The payload of one captured message (after struct nlmsghdr), read the way a datagram is.</summary>
    private static byte[] Payload(byte[] message, ushort expectedType)
    {
        int offset = 0;
        Assert.True(RtnetlinkMessages.TryNext(message, ref offset, out ushort type, out _, out _, out ReadOnlySpan<byte> payload));
        Assert.Equal(expectedType, type);
        return payload.ToArray();
    }

    private static List<LinkMessage> Links() => Messages("kinds.links.hex").Select(m => RtnetlinkMessages.ParseLink(Payload(m, Sys.RTM_NEWLINK))).ToList();

    private static JsonElement[] Ip(string name) => JsonDocument.Parse(File.ReadAllText(DataPath(name))).RootElement.EnumerateArray().ToArray();

    private static string? Text(JsonElement item, string property) =>
        item.TryGetProperty(property, out JsonElement value) ? value.GetString() : null;

    private static int? Number(JsonElement item, string property) =>
        item.TryGetProperty(property, out JsonElement value) ? value.GetInt32() : null;

    [Fact]
    public void Link_messages_say_what_ip_link_says()
    {
        List<LinkMessage> links = Links();
        JsonElement[] ip = Ip("kinds.link.json");
        Assert.Equal(ip.Length, links.Count);
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        for (int i = 0; i < ip.Length; i++)
        {
            LinkMessage link = links[i];
            JsonElement expected = ip[i];
            Assert.Equal(expected.GetProperty("ifindex").GetInt32(), link.Index);
            Assert.Equal(expected.GetProperty("ifname").GetString(), link.Name);
            Assert.Equal(expected.GetProperty("mtu").GetInt32(), link.Mtu);
            Assert.Equal(expected.GetProperty("operstate").GetString(), RtnetlinkMessages.OperStateName(link.OperState));
            Assert.Equal(Text(expected, "address"), link.Address is byte[] mac ? RtnetlinkMessages.FormatLinkAddress(mac) : null);
            string? kind = expected.TryGetProperty("linkinfo", out JsonElement info) ? Text(info, "info_kind") : null;
            Assert.Equal(kind, link.Kind);
            Assert.Equal(expected.GetProperty("link_type").GetString() == "loopback", (link.Flags & Sys.IFF_LOOPBACK) != 0);
            Assert.Equal(Text(expected, "master"), link.Master is int master ? names[master] : null);
            // ip prints "link" (a name) for a device linked inside the namespace, "link_index" and "link_netnsid" across.
            Assert.Equal(Text(expected, "link"), link.Link is int peer && link.LinkNetnsId is null ? names[peer] : null);
            Assert.Equal(Number(expected, "link_index"), link.LinkNetnsId is null ? null : link.Link);
            Assert.Equal(Number(expected, "link_netnsid"), link.LinkNetnsId);
        }

        // The capture has what the comparison is meant to cover.
        Assert.Contains(links, l => l.Kind == "veth" && l.LinkNetnsId is not null);
        Assert.Contains(links, l => l.Kind == "veth" && l.LinkNetnsId is null && l.Master is not null);
        Assert.Contains(links, l => l.Address is null);
        Assert.Equal(new[] { "bridge", "tun", "veth", "vxlan" }, links.Select(l => l.Kind).OfType<string>().Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Address_messages_say_what_ip_addr_says()
    {
        List<AddressMessage> addresses = Messages("kinds.addresses.hex")
            .Select(m => RtnetlinkMessages.ParseAddress(Payload(m, Sys.RTM_NEWADDR))!).ToList();
        var names = Links().ToDictionary(l => l.Index, l => l.Name);
        foreach (JsonElement item in Ip("kinds.addr.json"))
        {
            string name = item.GetProperty("ifname").GetString()!;
            string[] expected = item.GetProperty("addr_info").EnumerateArray()
                .Select(a => a.GetProperty("local").GetString() + "/" + a.GetProperty("prefixlen").GetInt32()).ToArray();
            string[] actual = addresses.Where(a => names[a.Index] == name).Select(RtnetlinkMessages.FormatAddress).ToArray();
            Assert.Equal(expected, actual);
        }

        // A point-to-point address: ip shows IFA_LOCAL as "local" and IFA_ADDRESS (the peer) apart.
        Assert.Contains(addresses, a => RtnetlinkMessages.FormatAddress(a) == "10.9.9.9/32");
    }

    [Fact]
    public void A_datagram_is_read_message_by_message_and_a_length_that_does_not_fit_ends_it()
    {
        byte[] first = Messages("kinds.links.hex")[0];
        byte[] second = Messages("kinds.links.hex")[1];
        // Messages in a datagram start at 4-byte boundaries.
        var datagram = new byte[Sys.NlmsgAlign(first.Length) + second.Length];
        first.CopyTo(datagram, 0);
        second.CopyTo(datagram, Sys.NlmsgAlign(first.Length));
        int offset = 0;
        Assert.True(RtnetlinkMessages.TryNext(datagram, ref offset, out _, out _, out _, out _));
        Assert.True(RtnetlinkMessages.TryNext(datagram, ref offset, out _, out _, out _, out ReadOnlySpan<byte> payload));
        Assert.Equal("v0", RtnetlinkMessages.ParseLink(payload).Name);
        Assert.False(RtnetlinkMessages.TryNext(datagram, ref offset, out _, out _, out _, out _));

        byte[] cut = first[..(first.Length - 1)];
        offset = 0;
        Assert.False(RtnetlinkMessages.TryNext(cut, ref offset, out _, out _, out _, out _));
    }

    [Fact]
    public void An_attribute_that_overruns_its_message_ends_the_attributes()
    {
        // ifinfomsg (index 7), then IFLA_IFNAME "x", then an attribute claiming 200 bytes.
        byte[] payload =
        [
            0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            6, 0, (byte)Sys.IFLA_IFNAME, 0, (byte)'x', 0, 0, 0,
            200, 0, (byte)Sys.IFLA_MTU, 0, 1, 2, 3, 4,
        ];
        LinkMessage link = RtnetlinkMessages.ParseLink(payload);
        Assert.Equal(7, link.Index);
        Assert.Equal("x", link.Name);
        Assert.Equal(0, link.Mtu);
        Assert.Throws<FormatException>(() => RtnetlinkMessages.ParseLink(payload[..8]));
    }

    [Fact]
    public void Errors_and_the_end_of_a_dump_carry_minus_errno()
    {
        Assert.Equal(19, RtnetlinkMessages.Errno(BitConverter.GetBytes(-19)));
        Assert.Equal(0, RtnetlinkMessages.Errno(BitConverter.GetBytes(0)));
    }
}

/// <summary>The rtnetlink constants and layouts Get-NamespaceInterface declares, checked against the kernel's headers.</summary>
public class RtnetlinkHeaderTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => HeaderConstantsTests.CompileAndRun(Program));

    private const string Program = """
        #include <stddef.h>
        #include <stdio.h>
        #include <sys/socket.h>
        #include <linux/if.h>
        #include <linux/netlink.h>
        #include <linux/rtnetlink.h>
        #include <linux/if_link.h>
        #include <linux/if_addr.h>
        #include <linux/net_namespace.h>
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        int main(void) {
            P("NLM_F_DUMP", NLM_F_DUMP); P("NLM_F_DUMP_INTR", NLM_F_DUMP_INTR); P("NLA_TYPE_MASK", (unsigned short)NLA_TYPE_MASK);
            P("RTM_NEWLINK", RTM_NEWLINK); P("RTM_GETLINK", RTM_GETLINK); P("RTM_NEWADDR", RTM_NEWADDR); P("RTM_GETADDR", RTM_GETADDR);
            P("IFLA_ADDRESS", IFLA_ADDRESS); P("IFLA_IFNAME", IFLA_IFNAME); P("IFLA_MTU", IFLA_MTU); P("IFLA_LINK", IFLA_LINK);
            P("IFLA_MASTER", IFLA_MASTER); P("IFLA_OPERSTATE", IFLA_OPERSTATE); P("IFLA_LINKINFO", IFLA_LINKINFO);
            P("IFLA_LINK_NETNSID", IFLA_LINK_NETNSID); P("IFLA_INFO_KIND", IFLA_INFO_KIND);
            P("IFA_ADDRESS", IFA_ADDRESS); P("IFA_LOCAL", IFA_LOCAL); P("IFF_LOOPBACK", IFF_LOOPBACK);
            P("NETNSA_NSID", NETNSA_NSID); P("NLMSG_DONE", NLMSG_DONE);
            P("IF_OPER_UNKNOWN", IF_OPER_UNKNOWN); P("IF_OPER_LOWERLAYERDOWN", IF_OPER_LOWERLAYERDOWN); P("IF_OPER_UP", IF_OPER_UP);
            P("sizeof_ifinfomsg", sizeof(struct ifinfomsg)); P("ifi_index", offsetof(struct ifinfomsg, ifi_index));
            P("ifi_flags", offsetof(struct ifinfomsg, ifi_flags));
            P("sizeof_ifaddrmsg", sizeof(struct ifaddrmsg)); P("ifa_prefixlen", offsetof(struct ifaddrmsg, ifa_prefixlen));
            P("ifa_index", offsetof(struct ifaddrmsg, ifa_index));
            return 0;
        }
        """;

    private static ulong C(string name) => s_values.Value[name];

    [Fact]
    public void Constants_match_the_headers()
    {
        Assert.Equal(C("NLM_F_DUMP"), Sys.NLM_F_DUMP);
        Assert.Equal(C("NLM_F_DUMP_INTR"), Sys.NLM_F_DUMP_INTR);
        Assert.Equal(C("NLA_TYPE_MASK"), Sys.NLA_TYPE_MASK);
        Assert.Equal(C("RTM_NEWLINK"), Sys.RTM_NEWLINK);
        Assert.Equal(C("RTM_GETLINK"), Sys.RTM_GETLINK);
        Assert.Equal(C("RTM_NEWADDR"), Sys.RTM_NEWADDR);
        Assert.Equal(C("RTM_GETADDR"), Sys.RTM_GETADDR);
        Assert.Equal(C("IFLA_ADDRESS"), Sys.IFLA_ADDRESS);
        Assert.Equal(C("IFLA_IFNAME"), Sys.IFLA_IFNAME);
        Assert.Equal(C("IFLA_MTU"), Sys.IFLA_MTU);
        Assert.Equal(C("IFLA_LINK"), Sys.IFLA_LINK);
        Assert.Equal(C("IFLA_MASTER"), Sys.IFLA_MASTER);
        Assert.Equal(C("IFLA_OPERSTATE"), Sys.IFLA_OPERSTATE);
        Assert.Equal(C("IFLA_LINKINFO"), Sys.IFLA_LINKINFO);
        Assert.Equal(C("IFLA_LINK_NETNSID"), Sys.IFLA_LINK_NETNSID);
        Assert.Equal(C("IFLA_INFO_KIND"), Sys.IFLA_INFO_KIND);
        Assert.Equal(C("IFA_ADDRESS"), Sys.IFA_ADDRESS);
        Assert.Equal(C("IFA_LOCAL"), Sys.IFA_LOCAL);
        Assert.Equal(C("IFF_LOOPBACK"), Sys.IFF_LOOPBACK);
        Assert.Equal(C("NETNSA_NSID"), Sys.NETNSA_NSID);
        Assert.Equal(C("NLMSG_DONE"), Sys.NLMSG_DONE);
        Assert.Equal("UNKNOWN", RtnetlinkMessages.OperStateName((byte)C("IF_OPER_UNKNOWN")));
        Assert.Equal("LOWERLAYERDOWN", RtnetlinkMessages.OperStateName((byte)C("IF_OPER_LOWERLAYERDOWN")));
        Assert.Equal("UP", RtnetlinkMessages.OperStateName((byte)C("IF_OPER_UP")));
    }

    [Fact]
    public unsafe void Layouts_match_the_headers()
    {
        Assert.Equal(C("sizeof_ifinfomsg"), (ulong)sizeof(Sys.ifinfomsg));
        Assert.Equal(C("ifi_index"), (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Sys.ifinfomsg>(nameof(Sys.ifinfomsg.ifi_index)));
        Assert.Equal(C("ifi_flags"), (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Sys.ifinfomsg>(nameof(Sys.ifinfomsg.ifi_flags)));
        Assert.Equal(C("sizeof_ifaddrmsg"), (ulong)sizeof(Sys.ifaddrmsg));
        Assert.Equal(C("ifa_prefixlen"), (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Sys.ifaddrmsg>(nameof(Sys.ifaddrmsg.ifa_prefixlen)));
        Assert.Equal(C("ifa_index"), (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Sys.ifaddrmsg>(nameof(Sys.ifaddrmsg.ifa_index)));
    }
}
