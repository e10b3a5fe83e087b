<#
.SYNOPSIS
    Runs the Pester suite against the built module, then checks that the suite left nothing behind.
.DESCRIPTION
    Called by build.ps1 -Task Test in a fresh pwsh. Before the first test it records the baseline
    (mounts, /run/netns, this process's children); Leaks.Tests.ps1 runs last and compares.
    This process becomes a child subreaper so that a process a test orphans is re-parented here,
    where the leak check finds it, instead of vanishing under PID 1.
.PARAMETER Tag
    Comma-separated. Fast runs every Describe not tagged Slow (Pester's ExcludeTag Slow); any
    other value runs only the Describes with that tag (Filter.Tag), e.g. Fleet or Root. The leak
    check, tagged Leaks, runs last whatever the filter.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $TestPath,
    [string] $Tag
)

$ErrorActionPreference = 'Stop'
$testsDir = Join-Path $PSScriptRoot 'Pester'
Import-Module $PesterManifest -Force

Add-Type -Namespace PSNamespacesTests -Name Prctl -MemberDefinition @'
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
public static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
'@
# PR_SET_CHILD_SUBREAPER = 36
if ([PSNamespacesTests.Prctl]::prctl(36, 1, 0, 0, 0) -ne 0) { throw 'prctl(PR_SET_CHILD_SUBREAPER) failed.' }

$env:PSNS_MODULE = $ModulePath
# Child pwsh processes of the tests print plain text: escape codes would end up in results.
$env:NO_COLOR = '1'
Import-Module (Join-Path $testsDir 'TestHelpers.psm1') -Force
$baseline = Get-TestBaseline
$env:PSNS_BASELINE = Join-Path ([IO.Path]::GetTempPath()) "psns-baseline-$PID.json"
$baseline | ConvertTo-Json -Depth 4 | Set-Content $env:PSNS_BASELINE

$files = if ($TestPath) {
    $TestPath -split ',' | ForEach-Object { (Resolve-Path $_).Path }
} else {
    Get-ChildItem $testsDir -Filter '*.Tests.ps1' | Where-Object Name -ne 'Leaks.Tests.ps1' | Sort-Object Name | ForEach-Object FullName
}
$containers = @($files | ForEach-Object { New-PesterContainer -Path $_ })
# Last, so it sees what every other file left behind.
$containers += New-PesterContainer -Path (Join-Path $testsDir 'Leaks.Tests.ps1')

$config = New-PesterConfiguration
$config.Run.Container = $containers
$config.Run.PassThru = $true
# Fast is "not Slow", so a new Describe is in the fast subset until it is tagged otherwise.
$tags = @($Tag -split ',' | ForEach-Object Trim | Where-Object { $_ })
$includeTags = @($tags | Where-Object { $_ -ne 'Fast' })
if ($tags -contains 'Fast') { $config.Filter.ExcludeTag = 'Slow' }
# Filter.Tag alone would leave out the leak check, which has to run after every subset.
if ($includeTags) { $config.Filter.Tag = $includeTags + 'Leaks' }
if ($tags) {
    $selection = @(if ($includeTags) { "tagged $($includeTags -join ' or ')" }; if ($tags -contains 'Fast') { 'not tagged Slow' }) -join ' and '
    Write-Host "Pester: the Describes $selection, then the leak check."
}
$config.Output.Verbosity = if ($env:CI) { 'Detailed' } else { 'Normal' }
# The NUnit file is written after the run, not by Invoke-Pester: Pester's writer throws on a NUL
# in a failure message (a test of NUL input that fails shows it), and inside Invoke-Pester that
# loses the whole result, counts included.
$config.TestResult.Enabled = $false
try {
    $result = Invoke-Pester -Configuration $config
} finally {
    Remove-Item $env:PSNS_BASELINE -ErrorAction Ignore
}
try {
    $result | Export-NUnitReport -Path (Join-Path (Split-Path $SummaryPath) 'pester-results.xml')
} catch {
    Write-Warning "No pester-results.xml: $($_.Exception.Message)"
}

# A misspelt tag selects nothing, and the run would pass on the leak check alone.
$selectedNothing = $tags -and -not @($result.Containers | Where-Object { $_.ShouldRun -and (Split-Path $_.Item -Leaf) -ne 'Leaks.Tests.ps1' })

# What failed, one line each, so that the tail of a CI log (all that may be kept) names it.
$failures = @(
    foreach ($test in $result.Failed) {
        $message = if ($test.ErrorRecord) { "$($test.ErrorRecord[0])" -split "`n" | Select-Object -First 1 } else { '' }
        "$($test.ExpandedPath): $message"
    }
    foreach ($block in $result.FailedBlocks) { "$($block.Path -join '.') (block): $($block.ErrorRecord | Select-Object -First 1)" }
    foreach ($container in $result.FailedContainers) { "$($container.Item) (file): $($container.ErrorRecord | Select-Object -First 1)" }
    if ($selectedNothing) { "-Tag ${Tag}: no Describe in these files has that tag" }
)

[pscustomobject]@{
    Failures = $failures
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount + [int]$selectedNothing
    # A test the tag filter left out is NotRun too, but with ShouldRun false: it was not asked for.
    Skipped = $result.SkippedCount + @($result.NotRun | Where-Object ShouldRun).Count
} | ConvertTo-Json | Set-Content $SummaryPath
