using System.Management.Automation;

namespace PSNamespaces.Runspaces;

/// <summary>Ends every idle namespace worker when the module is removed (Remove-Module, Import-Module -Force).</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    /// <summary>Called by PowerShell as the module is removed.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => NamespaceRunspaces.Pool.ReleaseAll(NamespaceRunspaces.ReleaseWait);
}
