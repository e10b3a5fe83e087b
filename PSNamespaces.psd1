@{
    RootModule           = 'PSNamespaces.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6d0f5b8e-3f43-4c39-9d1e-6a2f0f3c9b71'
    Author               = 'PSNamespaces contributors'
    CompanyName          = 'PSNamespaces'
    Copyright            = '(c) PSNamespaces contributors. MIT License.'
    Description          = 'Linux namespaces (mount, uts, ipc, net, pid, user, cgroup, time) as PowerShell objects: inspect them like lsns, create them like unshare, enter them like nsenter, and manage named ones like ip netns.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PSNamespaces.Format.ps1xml')
    CmdletsToExport      = @(
        'ConvertTo-NamespaceGraph'
        'Enter-Namespace'
        'Format-NamespaceTree'
        'Get-Namespace'
        'Get-NamespaceProcess'
        'Get-ProcNsStatus'
        'Invoke-InNamespace'
        'New-Namespace'
        'Remove-Namespace'
        'Set-NamespaceNetNsId'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'Namespace', 'Container', 'unshare', 'nsenter', 'lsns', 'netns', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/psnamespaces/PSNamespaces'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
