using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Persistence;

/// <summary>The loopback interface of a network namespace.</summary>
internal static unsafe class Loopback
{
    /// <summary>
    /// Sets "lo" up in the calling thread's network namespace (what `ip link set lo up` does). A
    /// new network namespace has only lo, and it is down: nothing, not even 127.0.0.1, works until
    /// it is up. Two ioctls on a socket, which belongs to the namespace the thread is in.
    /// </summary>
    internal static void Up()
    {
        int socket = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (socket < 0)
        {
            throw new ErrnoException("socket", LibC.errno, "lo");
        }

        try
        {
            Sys.ifreq request = default;
            request.ifr_name[0] = (byte)'l';
            request.ifr_name[1] = (byte)'o';
            if (LibC.ioctl(socket, LibC.SIOCGIFFLAGS, &request) != 0)
            {
                throw new ErrnoException("ioctl(SIOCGIFFLAGS)", LibC.errno, "lo");
            }

            request.ifr_flags |= Sys.IFF_UP;
            if (LibC.ioctl(socket, LibC.SIOCSIFFLAGS, &request) != 0)
            {
                throw new ErrnoException("ioctl(SIOCSIFFLAGS)", LibC.errno, "lo");
            }
        }
        finally
        {
            LibC.close(socket);
        }
    }
}
