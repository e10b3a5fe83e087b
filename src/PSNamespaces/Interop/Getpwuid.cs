using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// getpwuid_r(3), so user names come from NSS as lsns gets them. struct passwd is passed as
    /// an opaque buffer: only pw_name, its first member, is read.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getpwuid_r")]
    internal static partial int getpwuid_r(uint uid, void* pwd, byte* buf, nuint buflen, void** result);

    /// <summary>sizeof(struct passwd) on 64-bit glibc is 48; a little room to spare.</summary>
    internal const int PasswdSize = 64;
}
