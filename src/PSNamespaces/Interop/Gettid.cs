using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static partial class Sys
{
    /// <summary>gettid(2) (glibc 2.30+): the calling thread's id, its /proc/self/task entry; Tmds.LibC lacks it.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "gettid")]
    internal static partial int gettid();
}
