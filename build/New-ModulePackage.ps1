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
# The package is for linux-x64 and linux-arm64 machines alike: a folder built for one is refused.
foreach ($rid in 'linux-x64', 'linux-arm64') {
    foreach ($file in 'PSNamespaces.dll', 'Tmds.LibC.dll', 'nsexec') {
        if (-not (Test-Path (Join-Path $ModulePath "runtimes/$rid/$file"))) {
            throw "$ModulePath has no runtimes/$rid/${file}: a package ships the module and its exec helper for linux-x64 and linux-arm64 (build.ps1 -Task Package builds both)."
        }
    }
}
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
