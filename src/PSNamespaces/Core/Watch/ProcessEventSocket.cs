using System;
using System.Buffers.Binary;
using System.Threading;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Watch;

/// <summary>What the process connector reported: a process forked, exec'd or exited.</summary>
internal enum ProcessEventKind
{
    Fork,
    Exec,
    Exit,
}

/// <summary>One process event: the process (thread-group id) and, for a fork, its parent.</summary>
internal readonly record struct ProcessEvent(ProcessEventKind Kind, int Pid, int ParentPid);

/// <summary>
/// A NETLINK_CONNECTOR socket subscribed to the process events (cn_proc): one message per fork,
/// exec and exit on the machine. The kernel gives them only to CAP_NET_ADMIN in the initial
/// user, PID and network namespaces, and numbers the processes as the initial PID namespace
/// does; <see cref="TryOpen"/> says why when it cannot be had.
/// </summary>
internal sealed unsafe class ProcessEventSocket : IDisposable
{
    // Enough for a few thousand events between two reads; the kernel drops the rest and says so
    // (ENOBUFS), and the watcher then rescans /proc instead.
    private const int ReceiveBuffer = 4 * 1024 * 1024;
    private static int s_sequence;
    private readonly SafeFd _socket;
    private readonly byte[] _buffer = new byte[8192];
    private bool _listening;

    private ProcessEventSocket(SafeFd socket) => _socket = socket;

    internal int Fd => _socket.Fd;

    /// <summary>Opens and subscribes the socket, or returns null with the reason it cannot be had.</summary>
    internal static ProcessEventSocket? TryOpen(out string? whyNot)
    {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, Sys.NETLINK_CONNECTOR);
        if (fd < 0)
        {
            whyNot = "socket(NETLINK_CONNECTOR): " + Errno.Message(LibC.errno);
            return null;
        }

        var socket = new ProcessEventSocket(new SafeFd(fd));
        try
        {
            whyNot = socket.Subscribe();
            if (whyNot is null)
            {
                return socket;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        socket.Dispose();
        return null;
    }

    private string? Subscribe()
    {
        int size = ReceiveBuffer;
        if (LibC.setsockopt(Fd, LibC.SOL_SOCKET, Sys.SO_RCVBUFFORCE, &size, sizeof(int)) != 0)
        {
            LibC.setsockopt(Fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &size, sizeof(int));
        }

        Sys.sockaddr_nl address = new() { nl_family = (ushort)LibC.AF_NETLINK, nl_groups = Sys.CN_IDX_PROC };
        if (LibC.bind(Fd, (sockaddr*)&address, (uint)sizeof(Sys.sockaddr_nl)) != 0)
        {
            int err = LibC.errno;
            return err is Errno.EPERM or Errno.EACCES
                ? "the process connector needs root (CAP_NET_ADMIN)"
                : "bind(NETLINK_CONNECTOR): " + Errno.Message(err);
        }

        uint sequence = (uint)Interlocked.Increment(ref s_sequence);
        int sent = Send(Sys.PROC_CN_MCAST_LISTEN, sequence);
        if (sent != 0)
        {
            // No connector in this network namespace: the kernel has it in the initial one only.
            return sent == Sys.ECONNREFUSED
                ? "the process connector exists only in the initial network namespace"
                : "send(PROC_CN_MCAST_LISTEN): " + Errno.Message(sent);
        }

        // The kernel handles the request inside send and multicasts its ack before send returns;
        // it sends none at all to a caller outside the initial user and PID namespaces.
        int ackError = -1;
        Drain(null, sequence, ref ackError, out _);
        _listening = ackError == 0;
        return ackError switch
        {
            0 => null,
            -1 => "the process connector answers only in the initial user and PID namespaces",
            Errno.EPERM => "the process connector needs root (CAP_NET_ADMIN)",
            _ => "PROC_CN_MCAST_LISTEN: " + Errno.Message(ackError),
        };
    }

    private int Send(int op, uint sequence)
    {
        Sys.ProcConnectorRequest request = default;
        request.header.nlmsg_len = (uint)sizeof(Sys.ProcConnectorRequest);
        request.header.nlmsg_type = Sys.NLMSG_DONE;
        request.header.nlmsg_seq = sequence;
        request.header.nlmsg_pid = 0;
        request.message.idx = Sys.CN_IDX_PROC;
        request.message.val = Sys.CN_VAL_PROC;
        request.message.seq = sequence;
        // The kernel renumbers seq on every message it sends; the ack is recognised by ack + 1.
        request.message.ack = sequence;
        request.message.len = sizeof(int);
        request.op = op;
        Sys.sockaddr_nl kernel = new() { nl_family = (ushort)LibC.AF_NETLINK };
        return (long)LibC.sendto(Fd, &request, request.header.nlmsg_len, 0, (sockaddr*)&kernel, (uint)sizeof(Sys.sockaddr_nl)) < 0
            ? LibC.errno
            : 0;
    }

    /// <summary>
    /// Hands every queued event to <paramref name="onEvent"/> until none is left; threads'
    /// forks and exits (a thread id that is not its group's) are left out.
    /// </summary>
    /// <param name="onEvent">Called for each event, in the kernel's order.</param>
    /// <param name="overrun">True when the kernel dropped events since the last read: what was lost must be found by a rescan.</param>
    internal void Drain(Action<ProcessEvent> onEvent, out bool overrun)
    {
        int unused = -1;
        Drain(onEvent, 0, ref unused, out overrun);
    }

    private void Drain(Action<ProcessEvent>? onEvent, uint ackSequence, ref int ackError, out bool overrun)
    {
        overrun = false;
        fixed (byte* buffer = _buffer)
        {
            int n;
            while ((n = NetlinkDatagram.Receive(Fd, buffer, _buffer.Length, "recv(NETLINK_CONNECTOR)", ref overrun)) > 0)
            {
                Parse(new ReadOnlySpan<byte>(buffer, n), onEvent, ackSequence, ref ackError);
            }
        }
    }

    private static void Parse(ReadOnlySpan<byte> datagram, Action<ProcessEvent>? onEvent, uint ackSequence, ref int ackError)
    {
        int headerSize = sizeof(Sys.nlmsghdr);
        int messageSize = sizeof(Sys.cn_msg);
        while (datagram.Length >= headerSize)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < headerSize || length > datagram.Length)
            {
                return;
            }

            ReadOnlySpan<byte> payload = datagram[headerSize..length];
            datagram = datagram[Math.Min(Sys.NlmsgAlign(length), datagram.Length)..];
            if (payload.Length < messageSize + Sys.ProcEventDataOffset + 16 ||
                BinaryPrimitives.ReadUInt32LittleEndian(payload) != Sys.CN_IDX_PROC)
            {
                continue;
            }

            uint ack = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
            ReadOnlySpan<byte> ev = payload[messageSize..];
            uint what = BinaryPrimitives.ReadUInt32LittleEndian(ev);
            ReadOnlySpan<byte> data = ev[Sys.ProcEventDataOffset..];
            switch (what)
            {
                case Sys.PROC_EVENT_NONE when ackSequence != 0 && ack == ackSequence + 1:
                    ackError = Int(data, Sys.AckErrOffset);
                    break;
                case Sys.PROC_EVENT_FORK when Int(data, Sys.ForkChildPidOffset) == Int(data, Sys.ForkChildTgidOffset):
                    onEvent?.Invoke(new ProcessEvent(ProcessEventKind.Fork, Int(data, Sys.ForkChildTgidOffset), Int(data, Sys.ForkParentTgidOffset)));
                    break;
                case Sys.PROC_EVENT_EXEC:
                    onEvent?.Invoke(new ProcessEvent(ProcessEventKind.Exec, Int(data, Sys.ExecProcessTgidOffset), 0));
                    break;
                case Sys.PROC_EVENT_EXIT when Int(data, Sys.ExitProcessPidOffset) == Int(data, Sys.ExitProcessTgidOffset):
                    onEvent?.Invoke(new ProcessEvent(ProcessEventKind.Exit, Int(data, Sys.ExitProcessTgidOffset), 0));
                    break;
            }
        }
    }

    private static int Int(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);

    public void Dispose()
    {
        if (_listening)
        {
            // One listener fewer: with none left the kernel stops building events (before Linux
            // 6.6 it counts listeners only by these messages, so only a listener sends it).
            _listening = false;
            Send(Sys.PROC_CN_MCAST_IGNORE, (uint)Interlocked.Increment(ref s_sequence));
        }

        _socket.Dispose();
    }
}
