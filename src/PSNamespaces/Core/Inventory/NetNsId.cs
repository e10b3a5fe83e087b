using System.Threading;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// NETNSID: the number by which the caller's network namespace knows another one (what
/// `ip netns set` assigns and `ip netns list-id` shows). Asked over rtnetlink, whose socket belongs
/// to the namespace of the thread that opened it: here, the caller's, so the ids are the session's
/// view, as iproute2's are its own.
/// </summary>
internal static unsafe class NetNsId
{
    private static int s_sequence;

    /// <summary>RTM_NEWNSID: assigns an id to the network namespace behind netns.</summary>
    /// <exception cref="ErrnoException">EEXIST: it already has an id, or the id is another namespace's.</exception>
    /// <param name="netns">The network namespace.</param>
    /// <param name="id">The id to assign; null lets the kernel pick the lowest free one.</param>
    /// <param name="subject">What the user named, for errors.</param>
    internal static void Set(SafeFd netns, int? id, string subject)
    {
        using SafeFd socket = Sys.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW, Sys.NETLINK_ROUTE, "socket(AF_NETLINK)", subject);
        Talk(socket.Fd, Sys.RTM_NEWNSID, netns.Fd, id ?? Sys.NETNSA_NSID_NOT_ASSIGNED, subject, out _);
    }

    /// <summary>RTM_GETNSID: the id of the network namespace behind netns, or null when it has none.</summary>
    internal static int? Get(SafeFd netns, string subject) => Get(netns.Fd, subject);

    /// <summary>RTM_GETNSID for a descriptor the caller keeps open (a scan's).</summary>
    internal static int? Get(int netns, string subject)
    {
        using SafeFd socket = Sys.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW, Sys.NETLINK_ROUTE, "socket(AF_NETLINK)", subject);
        return GetFrom(socket, netns, subject);
    }

    /// <summary>
    /// RTM_GETNSID asked over an rtnetlink socket of another network namespace: the id by which
    /// the socket's namespace (not the caller's) knows netns, or null when it has none. Asking
    /// assigns nothing (the kernel answers GETNSID without allocating an id).
    /// </summary>
    internal static int? GetFrom(SafeFd routeSocket, int netns, string subject)
    {
        Talk(routeSocket.Fd, Sys.RTM_GETNSID, netns, Sys.NETNSA_NSID_NOT_ASSIGNED, subject, out int id);
        return id == Sys.NETNSA_NSID_NOT_ASSIGNED ? null : id;
    }

    /// <summary>Sends one request and reads its answer: an error/ack, or (for GET) an RTM_NEWNSID message.</summary>
    private static void Talk(int socket, ushort type, int netns, int id, string subject, out int answeredId)
    {
        answeredId = Sys.NETNSA_NSID_NOT_ASSIGNED;
        uint sequence = (uint)Interlocked.Increment(ref s_sequence);
        Sys.NsidRequest request = default;
        request.header.nlmsg_len = (uint)sizeof(Sys.NsidRequest);
        request.header.nlmsg_type = type;
        request.header.nlmsg_flags = (ushort)(Sys.NLM_F_REQUEST | (type == Sys.RTM_NEWNSID ? Sys.NLM_F_ACK : 0));
        request.header.nlmsg_seq = sequence;
        request.rtgen_family = (byte)LibC.AF_UNSPEC;
        request.fdAttribute = new Sys.rtattr { rta_len = 8, rta_type = Sys.NETNSA_FD };
        request.fd = netns;
        request.nsidAttribute = new Sys.rtattr { rta_len = 8, rta_type = Sys.NETNSA_NSID };
        request.nsid = id;
        if (type == Sys.RTM_GETNSID)
        {
            // iproute2 sends only NETNSA_FD to ask; NETNSA_NSID would ask the other way round.
            request.header.nlmsg_len -= 8;
        }

        Sys.sockaddr_nl kernel = new() { nl_family = (ushort)LibC.AF_NETLINK };
        if ((long)LibC.sendto(socket, &request, request.header.nlmsg_len, 0, (sockaddr*)&kernel, (uint)sizeof(Sys.sockaddr_nl)) < 0)
        {
            throw new ErrnoException("sendto(RTM_" + (type == Sys.RTM_NEWNSID ? "NEWNSID)" : "GETNSID)"), LibC.errno, subject);
        }

        Receive(socket, sequence, type, subject, out answeredId);
    }

    private static void Receive(int socket, uint sequence, ushort type, string subject, out int answeredId)
    {
        answeredId = Sys.NETNSA_NSID_NOT_ASSIGNED;
        string function = type == Sys.RTM_NEWNSID ? "RTM_NEWNSID" : "RTM_GETNSID";
        byte* buffer = stackalloc byte[4096];
        while (true)
        {
            long n = LibC.recv(socket, buffer, 4096, 0);
            if (n < 0)
            {
                int err = LibC.errno;
                if (err == Errno.EINTR)
                {
                    continue;
                }

                throw new ErrnoException("recv(" + function + ")", err, subject);
            }

            for (long offset = 0; offset + sizeof(Sys.nlmsghdr) <= n;)
            {
                var header = (Sys.nlmsghdr*)(buffer + offset);
                if (header->nlmsg_len < sizeof(Sys.nlmsghdr) || offset + header->nlmsg_len > n)
                {
                    break;
                }

                if (header->nlmsg_seq == sequence)
                {
                    if (header->nlmsg_type == Sys.NLMSG_ERROR)
                    {
                        int error = ((Sys.nlmsgerr*)(header + 1))->error;
                        if (error != 0)
                        {
                            throw new ErrnoException(function, -error, subject);
                        }

                        return;
                    }

                    if (header->nlmsg_type == Sys.RTM_NEWNSID)
                    {
                        answeredId = ReadNsid((byte*)header, (int)header->nlmsg_len);
                        return;
                    }
                }

                offset += Sys.NlmsgAlign((int)header->nlmsg_len);
            }
        }
    }

    /// <summary>The NETNSA_NSID attribute of an RTM_NEWNSID message (after the header and the padded rtgenmsg).</summary>
    private static int ReadNsid(byte* message, int length)
    {
        for (int offset = sizeof(Sys.nlmsghdr) + Sys.NlmsgAlign(1); offset + sizeof(Sys.rtattr) <= length;)
        {
            var attribute = (Sys.rtattr*)(message + offset);
            if (attribute->rta_len < sizeof(Sys.rtattr))
            {
                break;
            }

            if (attribute->rta_type == Sys.NETNSA_NSID && attribute->rta_len >= sizeof(Sys.rtattr) + 4)
            {
                return *(int*)(attribute + 1);
            }

            offset += Sys.NlmsgAlign(attribute->rta_len);
        }

        return Sys.NETNSA_NSID_NOT_ASSIGNED;
    }
}
