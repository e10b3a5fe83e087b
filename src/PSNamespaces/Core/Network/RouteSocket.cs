using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Network;

/// <summary>
/// A NETLINK_ROUTE socket of one network namespace. A socket belongs for its life to the
/// network namespace of the thread that created it, whichever thread uses it later; so it is
/// made on a discarded thread that joined the namespace, and everything after that (dumps, ids)
/// runs on the caller's thread, which never leaves the session's namespaces. The alternative,
/// asking the session's own socket with IFLA_TARGET_NETNSID, needs the target to have an id in
/// the session's namespace: assigning one would change the system just to look at it.
/// </summary>
internal sealed unsafe class RouteSocket : IDisposable
{
    // A dump's datagrams are at most 32 KiB (the kernel's largest netlink dump skb); twice that leaves room.
    private const int BufferSize = 64 * 1024;

    // setns and socket need little stack; a small one starts faster (one thread per namespace read).
    private const int SmallStack = 256 * 1024;

    // A dump flagged NLM_F_DUMP_INTR saw the table change while it ran; ip warns, we read it again.
    private const int DumpAttempts = 3;

    private static int s_sequence;
    private readonly string _subject;

    private RouteSocket(SafeFd fd, string subject)
    {
        Fd = fd;
        _subject = subject;
    }

    /// <summary>The socket; its namespace is the one it was opened in.</summary>
    internal SafeFd Fd { get; }

    /// <summary>Opens a socket inside the network namespace <paramref name="netns"/> (setns on a discarded thread).</summary>
    /// <param name="netns">An open network namespace.</param>
    /// <param name="subject">What the user named, for errors.</param>
    /// <exception cref="ErrnoException">setns or socket failed.</exception>
    internal static RouteSocket OpenIn(NamespaceFile netns, string subject) =>
        NamespaceThread.Run(() =>
        {
            ThreadNamespaces.LeavingSession();
            if (LibC.setns(netns.Fd.Fd, LibC.CLONE_NEWNET) != 0)
            {
                throw ErrnoException.FromLast("setns", subject);
            }

            return new RouteSocket(Sys.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW, Sys.NETLINK_ROUTE, "socket(AF_NETLINK)", subject), subject);
        }, name: null, SmallStack);

    /// <summary>RTM_GETLINK dump: every device of the namespace, in the kernel's order (ip link's).</summary>
    internal List<LinkMessage> DumpLinks()
    {
        var links = new List<LinkMessage>();
        Dump(Sys.RTM_GETLINK, Sys.RTM_NEWLINK, "RTM_GETLINK", payload => links.Add(RtnetlinkMessages.ParseLink(payload)), links.Clear);
        return links;
    }

    /// <summary>RTM_GETADDR dump: every IPv4 and IPv6 address of the namespace, in the kernel's order.</summary>
    internal List<AddressMessage> DumpAddresses()
    {
        var addresses = new List<AddressMessage>();
        Dump(Sys.RTM_GETADDR, Sys.RTM_NEWADDR, "RTM_GETADDR", payload =>
        {
            if (RtnetlinkMessages.ParseAddress(payload) is AddressMessage address)
            {
                addresses.Add(address);
            }
        }, addresses.Clear);
        return addresses;
    }

    /// <summary>
    /// RTM_GETLINK of one device of this socket's namespace; null when it has no such device.
    /// Asked here rather than with IFLA_TARGET_NETNSID from the namespace that knows this one by
    /// an id: the kernel answers that with the device's own IFLA_LINK_NETNSID relative to the
    /// asking namespace, and to have one for the asker itself it assigns the asker an id in itself.
    /// </summary>
    internal LinkMessage? GetLink(int index)
    {
        LinkMessage? found = null;
        int err = Request(Sys.RTM_GETLINK, 0, index, Sys.RTM_NEWLINK, payload => found = RtnetlinkMessages.ParseLink(payload));
        return err == 0 ? found : null;
    }

    /// <summary>The id by which this socket's namespace knows the namespace open as <paramref name="netns"/>; null when none.</summary>
    internal int? NsidOf(int netns) => NetNsId.GetFrom(Fd, netns, _subject);

    public void Dispose() => Fd.Dispose();

    private void Dump(ushort request, ushort answer, string function, ReadOnlySpanAction each, Action restart)
    {
        for (int attempt = 1; ; attempt++)
        {
            int err = Request(request, Sys.NLM_F_DUMP, 0, answer, each, out bool interrupted);
            if (err != 0)
            {
                throw new ErrnoException(function, err, _subject);
            }

            if (!interrupted || attempt == DumpAttempts)
            {
                return;
            }

            restart();
        }
    }

    private int Request(ushort type, ushort flags, int index, ushort answer, ReadOnlySpanAction each) =>
        Request(type, flags, index, answer, each, out _);

    /// <summary>Sends one request (struct ifinfomsg or ifaddrmsg) and reads its answers; the errno the kernel answered, or 0.</summary>
    private int Request(ushort type, ushort flags, int index, ushort answer, ReadOnlySpanAction each, out bool interrupted)
    {
        interrupted = false;
        uint sequence = (uint)Interlocked.Increment(ref s_sequence);
        // nlmsghdr (16) + ifinfomsg (16); an address dump sends ifaddrmsg (8).
        byte* message = stackalloc byte[32];
        new Span<byte>(message, 32).Clear();
        int length = 16 + (type == Sys.RTM_GETADDR ? 8 : 16);
        if (type == Sys.RTM_GETLINK)
        {
            ((Sys.ifinfomsg*)(message + 16))->ifi_index = index;
        }

        var header = (Sys.nlmsghdr*)message;
        header->nlmsg_len = (uint)length;
        header->nlmsg_type = type;
        header->nlmsg_flags = (ushort)(Sys.NLM_F_REQUEST | flags);
        header->nlmsg_seq = sequence;
        Sys.sockaddr_nl kernel = new() { nl_family = (ushort)LibC.AF_NETLINK };
        while (true)
        {
            long sent = (long)LibC.sendto(Fd.Fd, message, length, 0, (sockaddr*)&kernel, (uint)sizeof(Sys.sockaddr_nl));
            if (sent >= 0)
            {
                break;
            }

            int err = LibC.errno;
            if (err != Errno.EINTR)
            {
                throw new ErrnoException("sendto(" + (type == Sys.RTM_GETADDR ? "RTM_GETADDR" : "RTM_GETLINK") + ")", err, _subject);
            }
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    long n = LibC.recv(Fd.Fd, data, buffer.Length, 0);
                    if (n < 0)
                    {
                        int err = LibC.errno;
                        if (err == Errno.EINTR)
                        {
                            continue;
                        }

                        throw new ErrnoException("recv(" + (type == Sys.RTM_GETADDR ? "RTM_GETADDR" : "RTM_GETLINK") + ")", err, _subject);
                    }

                    ReadOnlySpan<byte> datagram = buffer.AsSpan(0, (int)n);
                    for (int offset = 0; RtnetlinkMessages.TryNext(datagram, ref offset, out ushort messageType, out ushort messageFlags, out uint messageSequence, out ReadOnlySpan<byte> payload);)
                    {
                        if (messageSequence != sequence)
                        {
                            continue;
                        }

                        interrupted |= (messageFlags & Sys.NLM_F_DUMP_INTR) != 0;
                        if (messageType == Sys.NLMSG_ERROR || messageType == Sys.NLMSG_DONE)
                        {
                            return RtnetlinkMessages.Errno(payload);
                        }

                        if (messageType == answer)
                        {
                            each(payload);
                            if ((flags & Sys.NLM_F_DUMP) == 0)
                            {
                                return 0;
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A callback for one message payload (a span cannot be an Action's argument).</summary>
    private delegate void ReadOnlySpanAction(ReadOnlySpan<byte> payload);
}
