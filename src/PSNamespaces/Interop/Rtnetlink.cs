using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>
/// The rtnetlink link and address messages that Get-NamespaceInterface reads, with their names
/// from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h and linux/if.h.
/// Tmds.LibC has none of them; HeaderConstantsTests-style checks compare each with the headers.
/// </summary>
internal static partial class Sys
{
    internal const ushort NLM_F_DUMP = 0x300;

    /// <summary>NLM_F_DUMP_INTR: set on a dump's messages when the table changed while it was read.</summary>
    internal const ushort NLM_F_DUMP_INTR = 0x10;

    internal const ushort RTM_NEWLINK = 16;
    internal const ushort RTM_GETLINK = 18;
    internal const ushort RTM_NEWADDR = 20;
    internal const ushort RTM_GETADDR = 22;

    /// <summary>NLA_TYPE_MASK: an attribute's type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.</summary>
    internal const ushort NLA_TYPE_MASK = 0x3fff;

    internal const ushort IFLA_ADDRESS = 1;
    internal const ushort IFLA_IFNAME = 3;
    internal const ushort IFLA_MTU = 4;
    internal const ushort IFLA_LINK = 5;
    internal const ushort IFLA_MASTER = 10;
    internal const ushort IFLA_OPERSTATE = 16;
    internal const ushort IFLA_LINKINFO = 18;
    internal const ushort IFLA_LINK_NETNSID = 37;

    internal const ushort IFLA_INFO_KIND = 1;

    internal const ushort IFA_ADDRESS = 1;
    internal const ushort IFA_LOCAL = 2;

    internal const uint IFF_LOOPBACK = 0x8;

    /// <summary>struct ifinfomsg: the fixed part of RTM_NEWLINK/RTM_GETLINK.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ifinfomsg
    {
        internal byte ifi_family;
        private readonly byte _ifi_pad;
        internal ushort ifi_type;
        internal int ifi_index;
        internal uint ifi_flags;
        internal uint ifi_change;
    }

    /// <summary>struct ifaddrmsg: the fixed part of RTM_NEWADDR/RTM_GETADDR.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ifaddrmsg
    {
        internal byte ifa_family;
        internal byte ifa_prefixlen;
        internal byte ifa_flags;
        internal byte ifa_scope;
        internal uint ifa_index;
    }
}
