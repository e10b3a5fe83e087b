using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    /// <summary>IFNAMSIZ from net/if.h.</summary>
    internal const int IFNAMSIZ = 16;

    /// <summary>IFF_UP from net/if.h.</summary>
    internal const short IFF_UP = 0x1;

    /// <summary>
    /// struct ifreq from net/if.h: the interface name, then a union of which only ifr_flags is
    /// used; 40 bytes on 64-bit Linux (the union's largest member is struct ifmap).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    internal unsafe struct ifreq
    {
        internal fixed byte ifr_name[IFNAMSIZ];
        internal short ifr_flags;
    }
}
