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
        using SafeFd socket = Sys.Socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0, "socket", "lo");
        Sys.ifreq request = default;
        request.ifr_name[0] = (byte)'l';
        request.ifr_name[1] = (byte)'o';
        if (LibC.ioctl(socket.Fd, LibC.SIOCGIFFLAGS, &request) != 0)
        {
            throw ErrnoException.FromLast("ioctl(SIOCGIFFLAGS)", "lo");
        }

        request.ifr_flags |= Sys.IFF_UP;
        if (LibC.ioctl(socket.Fd, LibC.SIOCSIFFLAGS, &request) != 0)
        {
            throw ErrnoException.FromLast("ioctl(SIOCSIFFLAGS)", "lo");
        }
    }
}
