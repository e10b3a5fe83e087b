using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// sendfile(2): copies between two descriptors inside the kernel. Tmds.LibC has no binding;
    /// the exec helper's file is copied into its memfd with it, so its bytes never pass through
    /// managed memory.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sendfile", SetLastError = true)]
    internal static partial nint sendfile(int outFd, int inFd, long* offset, nuint count);
}
