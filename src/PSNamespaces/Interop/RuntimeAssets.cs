using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PSNamespaces.Interop;

/// <summary>
/// The module's per-architecture files. PSNamespaces.dll itself is IL that means the same on
/// every 64-bit Linux (its own constants, struct offsets and syscall numbers are those shared by
/// x86-64 and aarch64), but Tmds.LibC compiles each architecture's constants into a separate
/// assembly and the exec helper is native code, so both ship once per runtime identifier, in
/// runtimes/RID/ beside this assembly, and the running process picks its own.
/// </summary>
internal static class RuntimeAssets
{
    private const string LibCAssembly = "Tmds.LibC";

    /// <summary>The runtime identifier of this process ("linux-x64", "linux-arm64"); null on others.</summary>
    internal static string? RuntimeIdentifier { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        _ => null,
    };

    /// <summary>The ELF e_machine this process runs (EM_X86_64 = 62, EM_AARCH64 = 183).</summary>
    internal static ushort ElfMachine { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 62,
        Architecture.Arm64 => 183,
        _ => 0,
    };

    /// <summary>The folder this assembly was loaded from: the module folder.</summary>
    internal static string ModuleDirectory { get; } =
        Path.GetDirectoryName(typeof(RuntimeAssets).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>A per-architecture file of the module, as runtimes/RID/NAME.</summary>
    /// <exception cref="PlatformNotSupportedException">No files ship for this architecture.</exception>
    internal static string PathOf(string fileName) =>
        Path.Combine(
            ModuleDirectory,
            "runtimes",
            RuntimeIdentifier ?? throw new PlatformNotSupportedException(
                $"PSNamespaces ships its native parts for linux-x64 and linux-arm64; this process is {RuntimeInformation.ProcessArchitecture}."),
            fileName);

    /// <summary>
    /// Runs before any code of this assembly: from then on a Tmds.LibC that is not beside the
    /// assembly (the module folder's layout) is loaded from runtimes/RID/. A build folder or a
    /// test project that has Tmds.LibC beside the assembly never reaches the handler.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The resolver must be in place before the first type that uses Tmds.LibC is loaded, which happens before any import hook runs.")]
    internal static void RegisterResolver()
    {
        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(typeof(RuntimeAssets).Assembly) ?? AssemblyLoadContext.Default;
        context.Resolving += ResolveLibC;
    }

    private static Assembly? ResolveLibC(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, LibCAssembly, StringComparison.Ordinal) || RuntimeIdentifier is null)
        {
            return null;
        }

        string path = PathOf(LibCAssembly + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
