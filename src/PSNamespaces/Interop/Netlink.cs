using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>
/// The rtnetlink structures and constants that NETNSID needs, with their names from
/// linux/netlink.h, linux/rtnetlink.h and linux/net_namespace.h. Tmds.LibC has none of them.
/// </summary>
internal static partial class Sys
{
    internal const int NETLINK_ROUTE = 0;

    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLM_F_REQUEST = 0x1;
    internal const ushort NLM_F_ACK = 0x4;

    internal const ushort RTM_NEWNSID = 88;
    internal const ushort RTM_GETNSID = 90;

    internal const ushort NETNSA_NSID = 1;
    internal const ushort NETNSA_FD = 3;

    /// <summary>NETNSA_NSID_NOT_ASSIGNED: the value of NETNSA_NSID when no id is assigned; asked for in RTM_NEWNSID it lets the kernel pick.</summary>
    internal const int NETNSA_NSID_NOT_ASSIGNED = -1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct sockaddr_nl
    {
        internal ushort nl_family;
        internal ushort nl_pad;
        internal uint nl_pid;
        internal uint nl_groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct nlmsghdr
    {
        internal uint nlmsg_len;
        internal ushort nlmsg_type;
        internal ushort nlmsg_flags;
        internal uint nlmsg_seq;
        internal uint nlmsg_pid;
    }

    /// <summary>struct nlmsgerr: the payload of NLMSG_ERROR; error is 0 for an ack, else -errno.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct nlmsgerr
    {
        internal int error;
        internal nlmsghdr msg;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct rtattr
    {
        internal ushort rta_len;
        internal ushort rta_type;
    }

    /// <summary>
    /// An RTM_NEWNSID/RTM_GETNSID request as iproute2 sends it: the header, struct rtgenmsg
    /// (one byte, padded to NLMSG_ALIGNTO = 4), then 32-bit attributes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NsidRequest
    {
        internal nlmsghdr header;
        internal byte rtgen_family;
        private readonly byte _pad1, _pad2, _pad3;
        internal rtattr fdAttribute;
        internal int fd;
        internal rtattr nsidAttribute;
        internal int nsid;
    }

    /// <summary>NLMSG_ALIGN: netlink messages and attributes are padded to 4 bytes.</summary>
    internal static int NlmsgAlign(int length) => (length + 3) & ~3;
}
