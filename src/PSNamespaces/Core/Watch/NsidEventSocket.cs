using System;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Watch;

/// <summary>
/// An rtnetlink socket in group RTNLGRP_NSID: the kernel says RTM_NEWNSID when a network namespace
/// gets a NETNSID in the socket's network namespace and RTM_DELNSID when one that had an id is
/// torn down — which happens after its last holder went, in a kernel worker, with no process
/// event. No privilege is needed. The socket belongs to the network namespace of the thread that
/// opens it: the watcher's, so the ids are the caller's view.
/// </summary>
internal sealed unsafe class NsidEventSocket : IDisposable
{
    private readonly SafeFd _socket;
    private readonly byte[] _buffer = new byte[8192];

    private NsidEventSocket(SafeFd socket) => _socket = socket;

    internal int Fd => _socket.Fd;

    /// <summary>The socket, or null where rtnetlink is not to be had (a sandbox without it).</summary>
    internal static NsidEventSocket? TryOpen()
    {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, Sys.NETLINK_ROUTE);
        if (fd < 0)
        {
            return null;
        }

        var socket = new NsidEventSocket(new SafeFd(fd));
        Sys.sockaddr_nl address = new() { nl_family = (ushort)LibC.AF_NETLINK, nl_groups = 1u << (Sys.RTNLGRP_NSID - 1) };
        if (LibC.bind(fd, (sockaddr*)&address, (uint)sizeof(Sys.sockaddr_nl)) != 0)
        {
            socket.Dispose();
            return null;
        }

        return socket;
    }

    /// <summary>Reads every queued message; true when one was RTM_NEWNSID or RTM_DELNSID (or some were dropped).</summary>
    internal bool Drain()
    {
        bool overrun = false, changed = false;
        fixed (byte* buffer = _buffer)
        {
            int n;
            while ((n = NetlinkDatagram.Receive(Fd, buffer, _buffer.Length, "recv(RTNLGRP_NSID)", ref overrun)) > 0)
            {
                for (int offset = 0; offset + sizeof(Sys.nlmsghdr) <= n;)
                {
                    var header = (Sys.nlmsghdr*)(buffer + offset);
                    if (header->nlmsg_len < sizeof(Sys.nlmsghdr))
                    {
                        break;
                    }

                    changed |= header->nlmsg_type is Sys.RTM_NEWNSID or Sys.RTM_DELNSID;
                    offset += Sys.NlmsgAlign((int)header->nlmsg_len);
                }
            }
        }

        return changed || overrun;
    }

    public void Dispose() => _socket.Dispose();
}
