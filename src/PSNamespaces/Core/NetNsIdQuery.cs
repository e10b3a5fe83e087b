using System;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core;

/// <summary>
/// Asks rtnetlink which id the caller's network namespace has assigned to another network
/// namespace (RTM_GETNSID with NETNSA_FD), as lsns's NETNSID and ip netns list-id show it. The
/// socket is made on the calling thread, so the answer is relative to that thread's namespace.
/// </summary>
internal sealed unsafe class NetNsIdQuery : IDisposable
{
    private SafeFd? _socket;
    private bool _unusable;
    private uint _sequence;

    /// <summary>The id, or null when none is assigned or rtnetlink cannot be asked.</summary>
    internal int? Query(int namespaceFd)
    {
        if (!TryOpen())
        {
            return null;
        }

        // nlmsghdr, rtgenmsg (padded to 4), one rtattr with the descriptor: 28 bytes.
        int attrOffset = sizeof(Sys.nlmsghdr) + Sys.NlmsgAlign(Sys.RtgenmsgSize);
        int length = attrOffset + sizeof(Sys.rtattr) + sizeof(int);
        byte* request = stackalloc byte[length];
        new Span<byte>(request, length).Clear();
        var header = (Sys.nlmsghdr*)request;
        header->nlmsg_len = (uint)length;
        header->nlmsg_type = Sys.RTM_GETNSID;
        header->nlmsg_flags = Sys.NLM_F_REQUEST;
        header->nlmsg_seq = ++_sequence;
        request[sizeof(Sys.nlmsghdr)] = (byte)AF_UNSPEC;
        var attr = (Sys.rtattr*)(request + attrOffset);
        attr->rta_len = (ushort)(sizeof(Sys.rtattr) + sizeof(int));
        attr->rta_type = Sys.NETNSA_FD;
        *(int*)(request + attrOffset + sizeof(Sys.rtattr)) = namespaceFd;

        if ((long)send(_socket!.Fd, request, length, 0) != length)
        {
            return null;
        }

        const int replySize = 512;
        byte* reply = stackalloc byte[replySize];
        while (true)
        {
            long n = (long)recv(_socket.Fd, reply, replySize, 0);
            if (n < 0 && errno == Errno.EINTR)
            {
                continue;
            }

            if (n < sizeof(Sys.nlmsghdr))
            {
                return null;
            }

            var answer = (Sys.nlmsghdr*)reply;
            // A reply to an earlier request that timed out or was cut short: skip it.
            if (answer->nlmsg_seq != _sequence)
            {
                continue;
            }

            return answer->nlmsg_type == Sys.RTM_NEWNSID ? ReadNsid(reply, (int)Math.Min(n, answer->nlmsg_len)) : null;
        }
    }

    /// <summary>The NETNSA_NSID attribute of an RTM_NEWNSID message; null when absent or NETNSA_NSID_NOT_ASSIGNED.</summary>
    private static int? ReadNsid(byte* message, int length)
    {
        int offset = sizeof(Sys.nlmsghdr) + Sys.NlmsgAlign(Sys.RtgenmsgSize);
        while (offset + sizeof(Sys.rtattr) <= length)
        {
            var attr = (Sys.rtattr*)(message + offset);
            if (attr->rta_len < sizeof(Sys.rtattr) || offset + attr->rta_len > length)
            {
                return null;
            }

            if (attr->rta_type == Sys.NETNSA_NSID && attr->rta_len >= sizeof(Sys.rtattr) + sizeof(int))
            {
                int id = *(int*)(message + offset + sizeof(Sys.rtattr));
                return id == Sys.NETNSA_NSID_NOT_ASSIGNED ? null : id;
            }

            offset += Sys.NlmsgAlign(attr->rta_len);
        }

        return null;
    }

    private bool TryOpen()
    {
        if (_socket is not null || _unusable)
        {
            return !_unusable;
        }

        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, Sys.NETLINK_ROUTE);
        if (fd < 0)
        {
            // No rtnetlink (a restricted sandbox): every NETNSID is then unknown, as in lsns.
            _unusable = true;
            return false;
        }

        _socket = new SafeFd(fd);
        return true;
    }

    public void Dispose() => _socket?.Dispose();
}
