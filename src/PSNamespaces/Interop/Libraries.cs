namespace PSNamespaces.Interop;

internal static class Libraries
{
    /// <summary>
    /// glibc by its soname, the name Tmds.LibC binds too. The runtime probes a bare "libc" as
    /// libc.so, liblibc.so, libc and liblibc in three folders each before the system's loader finds
    /// it (libc.so itself is a linker script that dlopen refuses): a dozen failed opens, about a
    /// millisecond, on the first call of each assembly. The soname is already loaded.
    /// </summary>
    internal const string Libc = "libc.so.6";
}
