using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PSNamespaces.Interop;

/// <summary>
/// The module's per-architecture files. Everything that differs by architecture ships once per
/// runtime identifier in runtimes/RID/ of the module folder: PSNamespaces.dll itself (precompiled,
/// ReadyToRun, for that architecture; PSNamespaces.Loader.dll loads the process's own), Tmds.LibC
/// (which compiles each architecture's constants into a separate assembly) and the exec helper
/// (native code). So the files this process needs are the ones beside this assembly.
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

    /// <summary>The folder this assembly was loaded from: runtimes/RID/ of the module folder.</summary>
    internal static string AssemblyDirectory { get; } =
        Path.GetDirectoryName(typeof(RuntimeAssets).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>A per-architecture file of the module: runtimes/RID/NAME, beside this assembly.</summary>
    /// <exception cref="PlatformNotSupportedException">No files ship for this architecture.</exception>
    internal static string PathOf(string fileName) =>
        RuntimeIdentifier is null
            ? throw new PlatformNotSupportedException(
                $"PSNamespaces ships its native parts for linux-x64 and linux-arm64; this process is {RuntimeInformation.ProcessArchitecture}.")
            : Path.Combine(AssemblyDirectory, fileName);

    /// <summary>
    /// Runs before any code of this assembly: from then on Tmds.LibC is loaded from beside it.
    /// The default load context looks only in pwsh's own folder, so in the module folder the
    /// handler answers; a test project, whose Tmds.LibC is found by its deps.json, never asks.
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
