<#
    The probe of build/SystemDependencies.psd1, shared by build.ps1 (which installs what is
    missing) and the test suite (which skips, or in CI fails, what needs a missing row).
#>

Set-StrictMode -Version Latest

function Get-SystemDependency {
    <#
    .SYNOPSIS
        The rows of build/SystemDependencies.psd1 (all, or those named), each with Present.
    #>
    param([string[]] $Name)
    $rows = (Import-PowerShellDataFile (Join-Path $PSScriptRoot 'SystemDependencies.psd1')).Dependencies
    if ($Name) {
        $unknown = @($Name | Where-Object { $_ -notin $rows.Name })
        if ($unknown) { throw "No row named $($unknown -join ', ') in build/SystemDependencies.psd1." }
        $rows = @($rows | Where-Object { $_.Name -in $Name })
    }
    foreach ($row in $rows) {
        $present = if ($row.ContainsKey('Command')) {
            [bool](Get-Command $row.Command -CommandType Application -ErrorAction Ignore)
        } elseif ($row.ContainsKey('File')) {
            Test-Path -LiteralPath $row.File
        } else {
            # dpkg knows the package by name where a file would not tell (busybox is static only from busybox-static).
            $dpkg = Get-Command dpkg-query -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            $dpkg -and ((& $dpkg.Source -W -f '${Status}' $row.DebianPackage 2>$null) -match 'install ok installed')
        }
        [pscustomobject]@{
            Name     = $row.Name
            Packages = [string[]]$row.Packages
            Why      = $row.Why
            Present  = [bool]$present
        }
    }
}

function Format-MissingDependency {
    <# One line per missing row: what, the Debian package, and why. #>
    param([Parameter(ValueFromPipeline)] $Dependency)
    process {
        if (-not $Dependency.Present) { "$($Dependency.Name) (Debian/Ubuntu package $($Dependency.Packages -join ' ')): $($Dependency.Why)" }
    }
}

Export-ModuleMember -Function Get-SystemDependency, Format-MissingDependency
