# The cmdlets' manifest, runtimes/PSNamespaces.psd1 in the module folder, imported by the
# module's own PSNamespaces.psd1 after PSNamespaces.Loader.dll. PSNamespaces.dll is not in this
# folder but in runtimes/RID/: PowerShell loads it by name, which the loader answers with this
# architecture's copy, and it is loaded before the types and formats below, which refer to its
# types. ModuleVersion is the module's (Module.Tests compares them).
@{
    RootModule        = 'PSNamespaces.dll'
    ModuleVersion     = '0.1.0'
    GUID              = '0b7d4f3e-2c61-4a8e-9b35-7e1c52d8a640'
    FormatsToProcess  = @('../PSNamespaces.Format.ps1xml')
    TypesToProcess    = @('../PSNamespaces.Types.ps1xml')
    CmdletsToExport   = '*'
    FunctionsToExport = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
