<#
.SYNOPSIS
    Packs a built module folder into a .nupkg in a folder repository, with PSResourceGet.
.DESCRIPTION
    The repository is registered for this call only, so the user's own PSResourceGet
    configuration is left as it was. Returns the package file.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Destination
)

$ErrorActionPreference = 'Stop'
Import-Module Microsoft.PowerShell.PSResourceGet
$null = New-Item -ItemType Directory -Path $Destination -Force
$repository = "PSNamespacesBuild$PID"
Register-PSResourceRepository -Name $repository -Uri $Destination -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository -SkipDependenciesCheck
} finally {
    Unregister-PSResourceRepository -Name $repository
}
Get-ChildItem $Destination -Filter 'PSNamespaces.*.nupkg'
