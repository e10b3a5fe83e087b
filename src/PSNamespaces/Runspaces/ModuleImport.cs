using System;
using System.IO;
using System.Management.Automation;
using PSNamespaces.Core.Launch;
using PSNamespaces.Interop;

namespace PSNamespaces.Runspaces;

/// <summary>
/// Starts what must begin in pwsh's own namespaces as the module is imported: the thread every
/// exec helper is started from (<see cref="SpawnerThread"/>). Imported again inside a namespace
/// worker's runspace, it finds that thread already there.
/// </summary>
public sealed class ModuleImport : IModuleAssemblyInitializer
{
    /// <summary>Called by PowerShell as the module is imported.</summary>
    public void OnImport()
    {
        try
        {
            SpawnerThread.Start();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ErrnoException)
        {
            // Importing must not fail for it (no /proc here, or imported inside a namespace
            // worker): the first launch starts it, or says why it cannot.
        }
    }
}
