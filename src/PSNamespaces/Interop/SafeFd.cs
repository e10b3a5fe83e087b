using Microsoft.Win32.SafeHandles;

namespace PSNamespaces.Interop;

/// <summary>An owned file descriptor, closed exactly once.</summary>
internal sealed class SafeFd : SafeHandleMinusOneIsInvalid
{
    public SafeFd() : base(ownsHandle: true) { }

    internal SafeFd(int fd) : base(ownsHandle: true) => SetHandle(fd);

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => Tmds.Linux.LibC.close((int)handle) == 0;
}
