using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>
/// The process events connector (linux/connector.h, linux/cn_proc.h): a netlink socket of
/// protocol NETLINK_CONNECTOR bound to group CN_IDX_PROC receives one message per fork, exec and
/// exit on the machine, once PROC_CN_MCAST_LISTEN has been sent. Tmds.LibC has none of it.
/// Every value here is checked against the headers by ProcConnectorHeaderTests.
/// </summary>
internal static partial class Sys
{
    internal const int NETLINK_CONNECTOR = 11;

    internal const uint CN_IDX_PROC = 0x1;
    internal const uint CN_VAL_PROC = 0x1;

    internal const int PROC_CN_MCAST_LISTEN = 1;
    internal const int PROC_CN_MCAST_IGNORE = 2;

    internal const uint PROC_EVENT_NONE = 0x00000000;
    internal const uint PROC_EVENT_FORK = 0x00000001;
    internal const uint PROC_EVENT_EXEC = 0x00000002;
    internal const uint PROC_EVENT_EXIT = 0x80000000;

    internal const ushort NLMSG_DONE = 3;
    internal const ushort NLMSG_OVERRUN = 4;

    /// <summary>SO_RCVBUF beyond rmem_max, for CAP_NET_ADMIN: a burst of process events must fit, or the watcher rescans.</summary>
    internal const int SO_RCVBUFFORCE = 33;

    /// <summary>rtnetlink's multicast group for NETNSID changes (RTM_NEWNSID, RTM_DELNSID).</summary>
    internal const int RTNLGRP_NSID = 28;

    internal const ushort RTM_DELNSID = 89;

    /// <summary>Errnos the watcher's sockets answer with: a receive queue overrun, no connector in this network namespace.</summary>
    internal const int ENOBUFS = 105;
    internal const int ECONNREFUSED = 111;

    /// <summary>struct cn_msg: the connector header after nlmsghdr; data follows at offset 20.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct cn_msg
    {
        internal uint idx; // struct cb_id id
        internal uint val;
        internal uint seq;
        internal uint ack;
        internal ushort len;
        internal ushort flags;
    }

    /// <summary>
    /// The fixed part of struct proc_event; event_data follows at <see cref="ProcEventDataOffset"/>
    /// (timestamp_ns is 8-aligned). The payload sits at offset 36 of a netlink message, so it is
    /// read field by field, never as an aligned struct.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct proc_event_header
    {
        internal uint what;
        internal uint cpu;
        internal ulong timestamp_ns;
    }

    internal const int ProcEventDataOffset = 16;

    // Offsets inside event_data (all members are __kernel_pid_t, 4 bytes).
    internal const int ForkParentTgidOffset = 4;
    internal const int ForkChildPidOffset = 8;
    internal const int ForkChildTgidOffset = 12;
    internal const int ExecProcessPidOffset = 0;
    internal const int ExecProcessTgidOffset = 4;
    internal const int ExitProcessPidOffset = 0;
    internal const int ExitProcessTgidOffset = 4;
    internal const int AckErrOffset = 0;

    /// <summary>A LISTEN/IGNORE request: nlmsghdr, cn_msg, and the 4-byte enum proc_cn_mcast_op.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ProcConnectorRequest
    {
        internal nlmsghdr header;
        internal cn_msg message;
        internal int op;
    }
}
