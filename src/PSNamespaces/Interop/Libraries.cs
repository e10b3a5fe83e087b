namespace PSNamespaces.Interop;

internal static class Libraries
{
    /// <summary>glibc, resolved by the runtime's probing ("libc" → libc.so.6).</summary>
    internal const string Libc = "libc";
}
