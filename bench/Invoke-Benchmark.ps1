<#
.SYNOPSIS
    Runs the PSNamespaces benchmark suite and writes bench/RESULTS.md. See bench/README.md.
.DESCRIPTION
    Builds the C programs of bench/src with gcc into out/bench/, then runs BenchmarkSession.ps1
    in a fresh pwsh inside a private mount namespace (`unshare --mount --propagation private`):
    the fixture and every mount and named netns the benchmarks make live there and die with it.
    Needs root and the built module (build.ps1 -Task Bench does both).
.PARAMETER Benchmark
    Which benchmarks to run (default: all): FullScan, NetnsPids, AllProcesses, NetnsInterfaces, Memory,
    NetnsChurn, Launch, InvokeInNamespace, Growth, ColdStart, Watch. The table keeps this order.
.PARAMETER Repetitions
    Timed samples per side, after one warm-up run of each.
.PARAMETER ProcessCount
    Processes in the fixture, in groups of GroupSize; the growth benchmark runs at 1/4, 1/2, 1
    and 2 times this.
#>
[CmdletBinding()]
param(
    [string[]] $Benchmark,

    [ValidateRange(1, 1000)]
    [int] $Repetitions = 7,

    [ValidateRange(10, 20000)]
    [int] $ProcessCount = 2000,

    [ValidateRange(3, 100)]
    [int] $GroupSize = 10,

    [ValidateRange(0, 1000)]
    [int] $NetnsCount = 100,

    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PSNamespaces'),

    [string] $OutputPath = (Join-Path $PSScriptRoot 'RESULTS.md')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ((id -u) -ne '0') { throw 'The benchmarks make namespaces and mounts: run them as root.' }
foreach ($tool in 'gcc', 'lsns', 'ip', 'unshare', 'nsenter', 'ps', 'setsid') {
    if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { throw "The benchmarks need '$tool'." }
}
$ModulePath = (Resolve-Path $ModulePath).Path
if (-not (Test-Path (Join-Path $ModulePath 'PSNamespaces.psd1'))) { throw "No built module in $ModulePath; run build.ps1 first." }

$outDir = Join-Path $PSScriptRoot '../out/bench'
$null = New-Item -ItemType Directory -Force -Path $outDir
$outDir = (Resolve-Path $outDir).Path
$programs = @{}
foreach ($name in 'ns-floor', 'netns-loop') {
    $programs[$name] = Join-Path $outDir $name
    & gcc -O2 -Wall -Wextra -Werror -pthread -o $programs[$name] (Join-Path $PSScriptRoot "src/$name.c")
    if ($LASTEXITCODE) { throw "gcc failed on bench/src/$name.c" }
}

# The one-shot rows' floors (bench/ColdStartFloors.psm1): built only when ColdStart runs, since
# the ReadyToRun copy of pwsh takes a minute or two the first time.
# From bash (pwsh -File), `-Benchmark A,B` arrives as the one string "A,B".
$selectedNames = @($Benchmark -split ',' | ForEach-Object Trim | Where-Object { $_ })
$emptyModule = $null
$readyToRunPwsh = $null
if (-not $selectedNames -or 'ColdStart' -in $selectedNames) {
    Import-Module (Join-Path $PSScriptRoot 'ColdStartFloors.psm1')
    Write-Host 'Building the cold-start floors: the empty module and a ReadyToRun copy of pwsh...'
    $emptyModule = Build-EmptyModule -OutputPath (Join-Path $outDir 'EmptyModule')
    $readyToRunPwsh = Build-ReadyToRunPwsh -PwshHome $PSHOME -OutputPath (Join-Path $outDir 'pwsh-readytorun') -WorkPath $outDir
}

$logPath = Join-Path $PSScriptRoot 'fixture.log'
Remove-Item $logPath -ErrorAction Ignore
$statePath = Join-Path $outDir 'fixture.json'
$optionsPath = Join-Path $outDir 'options.json'
$pwsh = Join-Path $PSHOME 'pwsh'
@{
    Benchmark            = $selectedNames
    Repetitions          = $Repetitions
    ProcessCount         = $ProcessCount
    GroupSize            = $GroupSize
    NetnsCount           = $NetnsCount
    ModulePath           = $ModulePath
    OutputPath           = [System.IO.Path]::GetFullPath($OutputPath)
    Floor                = $programs['ns-floor']
    NetnsLoop            = $programs['netns-loop']
    Pwsh                 = $pwsh
    ReadyToRunPwsh       = $readyToRunPwsh
    EmptyModule          = $emptyModule
    LogPath              = $logPath
    StatePath            = $statePath
    CallerMountNamespace = readlink /proc/self/ns/mnt
} | ConvertTo-Json | Set-Content $optionsPath

# Ctrl+C reaches the session too (same process group); this waits while its finally tears down.
& unshare --mount --propagation private -- $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'BenchmarkSession.ps1') -OptionsPath $optionsPath
$exitCode = $LASTEXITCODE

# The session removes the state file once its fixture is gone. If it is still there, the session
# died before tearing down: kill the fixture's session, if it is still the process we started.
if (Test-Path $statePath) {
    Import-Module (Join-Path $PSScriptRoot 'BenchFixture.psm1')
    $state = Get-Content $statePath -Raw | ConvertFrom-Json
    if ((Get-ProcessStartTime $state.Pid) -eq $state.StartTime) {
        Write-Warning "The fixture (session $($state.Pid)) outlived the benchmark session; killing it."
        kill -KILL -- "-$($state.Pid)"
    }
    Remove-Item $statePath
}
if ($exitCode -ne 0) { throw "The benchmark session failed (exit code $exitCode)." }
