# Benchmark C0: a manifest as PSNamespaces.psd1 has one (binary root module, an explicit cmdlet
# list), without format or types files.
@{
    RootModule           = 'EmptyModule.dll'
    ModuleVersion        = '1.0.0'
    GUID                 = '0b0d8f55-6b8e-4c21-9a63-2f3e8f1d7c40'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    CmdletsToExport      = @('Get-Empty')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
