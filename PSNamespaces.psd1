# The module. Its cmdlets are in PSNamespaces.dll, shipped precompiled (ReadyToRun) once per
# architecture in runtimes/RID/, which a manifest cannot choose between: PSNamespaces.Loader.dll
# (any architecture) makes the name PSNamespaces load the process's own, then
# runtimes/PSNamespaces.psd1 imports it by that name with its formats and types
# (docs/ARCHITECTURE.md, "The module folder").
@{
    NestedModules        = @('PSNamespaces.Loader.dll', 'runtimes/PSNamespaces.psd1')
    ModuleVersion        = '0.1.0'
    GUID                 = '6d0f5b8e-3f43-4c39-9d1e-6a2f0f3c9b71'
    Author               = 'PSNamespaces contributors'
    CompanyName          = 'PSNamespaces'
    Copyright            = '(c) PSNamespaces contributors. MIT License.'
    Description          = 'Linux namespaces (mount, uts, ipc, net, pid, user, cgroup, time) as PowerShell objects: inspect them like lsns, create them like unshare, enter them like nsenter, and manage named ones like ip netns.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    CmdletsToExport      = @(
        'Convert-NamespacePid'
        'ConvertTo-NamespaceGraph'
        'Enter-Namespace'
        'Format-NamespaceTree'
        'Get-Namespace'
        'Get-NamespaceInterface'
        'Get-NamespaceProcess'
        'Get-ProcNsStatus'
        'Invoke-InNamespace'
        'New-Namespace'
        'Remove-Namespace'
        'Set-NamespaceNetNsId'
        'Watch-Namespace'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'Namespace', 'Container', 'unshare', 'nsenter', 'lsns', 'netns', 'Remoting', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/psnamespaces/PSNamespaces'
            ReleaseNotes = '0.1.0: inspect (Get-Namespace, Get-NamespaceProcess, Get-ProcNsStatus, Get-NamespaceInterface, Convert-NamespacePid, Format-NamespaceTree, ConvertTo-NamespaceGraph), watch (Watch-Namespace), create and persist (New-Namespace, Remove-Namespace, Set-NamespaceNetNsId) and enter (Enter-Namespace, Invoke-InNamespace) Linux namespaces, on linux-x64 and linux-arm64; objects survive remoting. Full list: CHANGELOG.md in the project.'
        }
    }
}
