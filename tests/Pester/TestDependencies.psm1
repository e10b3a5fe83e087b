<#
    Skips a test whose system dependency (a row of build/SystemDependencies.psd1) is missing,
    saying which and why; in CI ($env:CI = 'true') a missing one fails instead, because there
    build.ps1 -Task Test has installed them all and no test may skip.
    Import it where the -Skip value is computed, at discovery (the top of the file or BeforeDiscovery).
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../build/SystemDependencies.psm1')

function Test-DependencySkip {
    <#
    .SYNOPSIS
        For -Skip: $false when every named row is present; $true, with the reason written,
        when one is missing; an error naming it in CI.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $Name,
        # What would be skipped, for the message.
        [Parameter(Mandatory)] [string] $For
    )
    $missing = @(Get-SystemDependency -Name $Name | Format-MissingDependency)
    if (-not $missing) { return $false }
    $reason = "for lack of $($missing -join '; ')"
    if ($env:CI -eq 'true') { throw "$For cannot run $reason, and in CI nothing may skip." }
    Write-Host "$For skipped $reason" -ForegroundColor Yellow
    $true
}

Export-ModuleMember -Function Test-DependencySkip
