using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>
/// The rtnetlink pieces of a network-namespace id query (linux/netlink.h, linux/rtnetlink.h,
/// linux/net_namespace.h). socket, send and recv come from Tmds.LibC.
/// </summary>
internal static partial class Sys
{
    /// <summary>NETLINK_ROUTE: the rtnetlink protocol of an AF_NETLINK socket.</summary>
    internal const int NETLINK_ROUTE = 0;

    /// <summary>NLM_F_REQUEST: the message is a request.</summary>
    internal const ushort NLM_F_REQUEST = 1;

    /// <summary>NLMSG_ERROR: the reply is an errno (struct nlmsgerr).</summary>
    internal const ushort NLMSG_ERROR = 2;

    /// <summary>RTM_NEWNSID: the reply carrying a namespace id.</summary>
    internal const ushort RTM_NEWNSID = 88;

    /// <summary>RTM_GETNSID: asks which id the socket's network namespace gives another one.</summary>
    internal const ushort RTM_GETNSID = 90;

    /// <summary>NETNSA_NSID: the attribute holding the id (s32).</summary>
    internal const ushort NETNSA_NSID = 1;

    /// <summary>NETNSA_FD: the attribute naming the namespace by an open descriptor (u32).</summary>
    internal const ushort NETNSA_FD = 3;

    /// <summary>NETNSA_NSID_NOT_ASSIGNED: the namespace has no id in the asking one.</summary>
    internal const int NETNSA_NSID_NOT_ASSIGNED = -1;

    /// <summary>NLMSG_ALIGNTO and RTA_ALIGNTO: messages and attributes are 4-byte aligned.</summary>
    internal const int NLMSG_ALIGNTO = 4;

    internal static int NlmsgAlign(int length) => (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);

    /// <summary>struct nlmsghdr (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct nlmsghdr
    {
        internal uint nlmsg_len;
        internal ushort nlmsg_type;
        internal ushort nlmsg_flags;
        internal uint nlmsg_seq;
        internal uint nlmsg_pid;
    }

    /// <summary>struct rtattr (4 bytes), followed by its payload.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct rtattr
    {
        internal ushort rta_len;
        internal ushort rta_type;
    }

    /// <summary>sizeof(struct rtgenmsg) is 1 (rtgen_family); NLMSG_ALIGN makes the payload 4.</summary>
    internal const int RtgenmsgSize = 1;
}
