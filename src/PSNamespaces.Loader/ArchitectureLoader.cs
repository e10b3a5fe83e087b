using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PSNamespaces.Loader;

/// <summary>
/// Makes the assembly name "PSNamespaces" load from runtimes/RID/ of the module folder, the
/// copy precompiled (ReadyToRun) for this process's architecture.
/// </summary>
/// <remarks>
/// Precompiled code saves a one-shot script the JIT of every method its first call runs, but an
/// image precompiled for one architecture is refused on the other, so the module ships one per
/// runtime identifier and no PSNamespaces.dll at its top. A manifest cannot choose by
/// architecture; this can. PSNamespaces.psd1 imports this first (NestedModules), then
/// runtimes/PSNamespaces.psd1, whose RootModule, PSNamespaces.dll, is not beside it: PowerShell
/// then loads it by name, which this resolver answers, before it loads the types and formats
/// that refer to its types.
/// </remarks>
public sealed class ArchitectureLoader : IModuleAssemblyInitializer
{
    internal const string ModuleAssembly = "PSNamespaces";

    // Import-Module -Force imports this again; one resolver answers for the process.
    private static readonly object s_gate = new();
    private static bool s_registered;

    /// <summary>Called by PowerShell as the module is imported.</summary>
    public void OnImport()
    {
        string? runtimeIdentifier = RuntimeIdentifierOf(RuntimeInformation.ProcessArchitecture);
        if (runtimeIdentifier is null)
        {
            throw new PlatformNotSupportedException(
                $"PSNamespaces ships for linux-x64 and linux-arm64; this process is {RuntimeInformation.ProcessArchitecture}.");
        }

        string moduleBase = Path.GetDirectoryName(typeof(ArchitectureLoader).Assembly.Location) ?? AppContext.BaseDirectory;
        string path = Path.Combine(moduleBase, "runtimes", runtimeIdentifier, ModuleAssembly + ".dll");

        // .NET loads an assembly name once per process, this one too: after Remove-Module, an
        // import of another copy of the module runs this copy's loader and code again.
        lock (s_gate)
        {
            if (!s_registered)
            {
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    string.Equals(name.Name, ModuleAssembly, StringComparison.Ordinal) ? context.LoadFromAssemblyPath(path) : null;
                s_registered = true;
            }
        }
    }

    /// <summary>The runtime identifier the module ships for an architecture, or null.</summary>
    internal static string? RuntimeIdentifierOf(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        _ => null,
    };
}
