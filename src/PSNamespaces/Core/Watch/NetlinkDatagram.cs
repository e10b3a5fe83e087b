using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Watch;

/// <summary>Reads a non-blocking netlink socket one datagram at a time, as both of the watcher's sockets do.</summary>
internal static unsafe class NetlinkDatagram
{
    /// <summary>
    /// The next queued datagram's length, or 0 when none is left. ENOBUFS (the kernel dropped
    /// messages: the queue overran) sets overrun and reading goes on with what is still queued.
    /// </summary>
    internal static int Receive(int fd, byte* buffer, int length, string function, ref bool overrun)
    {
        while (true)
        {
            long n = (long)LibC.recv(fd, buffer, length, LibC.MSG_DONTWAIT);
            if (n >= 0)
            {
                return (int)n;
            }

            int err = LibC.errno;
            if (err == Sys.ENOBUFS)
            {
                overrun = true;
            }
            else if (err == Errno.EAGAIN)
            {
                return 0;
            }
            else if (err != Errno.EINTR)
            {
                throw new ErrnoException(function, err);
            }
        }
    }
}
