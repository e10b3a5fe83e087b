using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Network;

/// <summary>What an RTM_NEWLINK message says of one device (the attributes ip -d link prints that we keep).</summary>
/// <param name="Index">ifi_index.</param>
/// <param name="Flags">ifi_flags (IFF_*).</param>
/// <param name="Name">IFLA_IFNAME.</param>
/// <param name="Mtu">IFLA_MTU.</param>
/// <param name="Address">IFLA_ADDRESS, the link-layer address; null when the device has none (tun, wireguard).</param>
/// <param name="OperState">IFLA_OPERSTATE (IF_OPER_*).</param>
/// <param name="Master">IFLA_MASTER: the index of the bridge or bond this device is a port of.</param>
/// <param name="Link">IFLA_LINK: the index of the device this one is linked to (a veth's peer, a vlan's lower device), when it differs from its own.</param>
/// <param name="LinkNetnsId">IFLA_LINK_NETNSID: the namespace of <paramref name="Link"/>, as the id this namespace knows it by; null when it is this namespace.</param>
/// <param name="Kind">IFLA_LINKINFO/IFLA_INFO_KIND: the driver's kind (veth, bridge, vxlan, ...); null for a device without one.</param>
internal sealed record LinkMessage(int Index, uint Flags, string Name, int Mtu, byte[]? Address, byte OperState, int? Master, int? Link, int? LinkNetnsId, string? Kind);

/// <summary>What an RTM_NEWADDR message says of one address.</summary>
/// <param name="Index">ifa_index: the device.</param>
/// <param name="Family">ifa_family: AF_INET or AF_INET6.</param>
/// <param name="PrefixLength">ifa_prefixlen.</param>
/// <param name="Address">IFA_LOCAL where present (the device's own address on a point-to-point link), else IFA_ADDRESS, as ip prints "local".</param>
internal sealed record AddressMessage(int Index, byte Family, byte PrefixLength, byte[] Address);

/// <summary>
/// Parses rtnetlink datagrams: the netlink messages in them, their attributes, and the link and
/// address messages of a dump. Pure: bytes in, records out (tested with captured messages).
/// Netlink is in host byte order; the module runs on little-endian machines only (x86-64, arm64),
/// whose order the readers below assume.
/// </summary>
internal static class RtnetlinkMessages
{
    private const int HeaderSize = 16; // struct nlmsghdr
    private const int AttributeHeaderSize = 4; // struct rtattr
    private const int LinkHeaderSize = 16; // struct ifinfomsg
    private const int AddressHeaderSize = 8; // struct ifaddrmsg

    /// <summary>
    /// The next message of a datagram from <paramref name="offset"/>, which it moves past it;
    /// false at the end, or at a message whose length does not fit (the rest is not trusted).
    /// </summary>
    internal static bool TryNext(ReadOnlySpan<byte> datagram, ref int offset, out ushort type, out ushort flags, out uint sequence, out ReadOnlySpan<byte> payload)
    {
        type = 0;
        flags = 0;
        sequence = 0;
        payload = default;
        if (offset + HeaderSize > datagram.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> header = datagram[offset..];
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length < HeaderSize || length > header.Length)
        {
            return false;
        }

        type = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        sequence = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        payload = header[HeaderSize..length];
        offset += Sys.NlmsgAlign(length);
        return true;
    }

    /// <summary>The errno of an NLMSG_ERROR or NLMSG_DONE payload (the kernel sends -errno; 0 is an ack or a clean end).</summary>
    internal static int Errno(ReadOnlySpan<byte> payload) =>
        payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;

    /// <summary>
    /// The next attribute from <paramref name="offset"/> in a run of attributes, its type without
    /// the NLA_F_NESTED/NLA_F_NET_BYTEORDER bits; false at the end or at a malformed one.
    /// </summary>
    internal static bool TryNextAttribute(ReadOnlySpan<byte> attributes, ref int offset, out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (offset + AttributeHeaderSize > attributes.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = attributes[offset..];
        int length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
        if (length < AttributeHeaderSize || length > rest.Length)
        {
            return false;
        }

        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(rest[2..]) & Sys.NLA_TYPE_MASK);
        value = rest[AttributeHeaderSize..length];
        offset += Sys.NlmsgAlign(length);
        return true;
    }

    /// <summary>An RTM_NEWLINK payload (struct ifinfomsg, then IFLA_* attributes).</summary>
    /// <exception cref="FormatException">Shorter than struct ifinfomsg, or without IFLA_IFNAME.</exception>
    internal static LinkMessage ParseLink(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < LinkHeaderSize)
        {
            throw new FormatException($"An RTM_NEWLINK message of {payload.Length} bytes is shorter than struct ifinfomsg.");
        }

        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null, kind = null;
        byte[]? address = null;
        int mtu = 0;
        byte operState = 0;
        int? master = null, link = null, linkNetnsId = null;
        ReadOnlySpan<byte> attributes = payload[LinkHeaderSize..];
        for (int offset = 0; TryNextAttribute(attributes, ref offset, out ushort type, out ReadOnlySpan<byte> value);)
        {
            switch (type)
            {
                case Sys.IFLA_IFNAME:
                    name = CString(value);
                    break;
                case Sys.IFLA_ADDRESS:
                    address = value.ToArray();
                    break;
                case Sys.IFLA_MTU when value.Length >= 4:
                    mtu = BinaryPrimitives.ReadInt32LittleEndian(value);
                    break;
                case Sys.IFLA_OPERSTATE when value.Length >= 1:
                    operState = value[0];
                    break;
                case Sys.IFLA_MASTER when value.Length >= 4:
                    master = BinaryPrimitives.ReadInt32LittleEndian(value);
                    break;
                case Sys.IFLA_LINK when value.Length >= 4:
                    link = BinaryPrimitives.ReadInt32LittleEndian(value);
                    break;
                case Sys.IFLA_LINK_NETNSID when value.Length >= 4:
                    linkNetnsId = BinaryPrimitives.ReadInt32LittleEndian(value);
                    break;
                case Sys.IFLA_LINKINFO:
                    kind = InfoKind(value);
                    break;
            }
        }

        // ip prints no link for IFLA_LINK 0 (a tunnel bound to no device).
        if (link == 0)
        {
            link = null;
        }

        return new LinkMessage(index, flags, name ?? throw new FormatException($"The RTM_NEWLINK message of device {index} has no IFLA_IFNAME."), mtu, address, operState, master, link, linkNetnsId, kind);
    }

    /// <summary>An RTM_NEWADDR payload (struct ifaddrmsg, then IFA_* attributes); null for a message with no address.</summary>
    internal static AddressMessage? ParseAddress(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < AddressHeaderSize)
        {
            return null;
        }

        byte family = payload[0];
        byte prefixLength = payload[1];
        int index = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        byte[]? local = null, address = null;
        ReadOnlySpan<byte> attributes = payload[AddressHeaderSize..];
        for (int offset = 0; TryNextAttribute(attributes, ref offset, out ushort type, out ReadOnlySpan<byte> value);)
        {
            if (type == Sys.IFA_LOCAL)
            {
                local = value.ToArray();
            }
            else if (type == Sys.IFA_ADDRESS)
            {
                address = value.ToArray();
            }
        }

        return (local ?? address) is byte[] shown ? new AddressMessage(index, family, prefixLength, shown) : null;
    }

    /// <summary>The operational state as ip prints it (IF_OPER_* without the prefix; linux/if.h order).</summary>
    internal static string OperStateName(byte state) => state switch
    {
        0 => "UNKNOWN",
        1 => "NOTPRESENT",
        2 => "DOWN",
        3 => "LOWERLAYERDOWN",
        4 => "TESTING",
        5 => "DORMANT",
        6 => "UP",
        _ => state.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A link-layer address as ip prints one of an Ethernet-like device: two lowercase hex digits per byte, colon-separated.</summary>
    internal static string FormatLinkAddress(ReadOnlySpan<byte> address)
    {
        var text = new StringBuilder(address.Length * 3);
        foreach (byte b in address)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }

            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>An address with its prefix length, "10.1.2.3/24" or "fd00::1/64" (inet_ntop's text, as ip's "local").</summary>
    internal static string FormatAddress(AddressMessage address)
    {
        string text = (address.Family == LibC.AF_INET && address.Address.Length == 4) || (address.Family == LibC.AF_INET6 && address.Address.Length == 16)
            ? new IPAddress(address.Address).ToString()
            : FormatLinkAddress(address.Address);
        return text + "/" + address.PrefixLength.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>IFLA_INFO_KIND inside IFLA_LINKINFO.</summary>
    private static string? InfoKind(ReadOnlySpan<byte> linkInfo)
    {
        for (int offset = 0; TryNextAttribute(linkInfo, ref offset, out ushort type, out ReadOnlySpan<byte> value);)
        {
            if (type == Sys.IFLA_INFO_KIND)
            {
                return CString(value);
            }
        }

        return null;
    }

    private static string CString(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }
}
