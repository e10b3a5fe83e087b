<#
.SYNOPSIS
    The benchmark run itself, started by Invoke-Benchmark.ps1 in a private mount namespace.
.DESCRIPTION
    Mounts a tmpfs on /run (in this mount namespace only), so that /run/netns and every named
    netns made here are invisible to the rest of the machine and vanish with this process; sets
    up the fixture; runs the benchmarks; tears the fixture down in `finally` (Ctrl+C and a failing
    benchmark included) and checks that nothing is left; writes RESULTS.md.
#>
param([Parameter(Mandatory)] [string] $OptionsPath)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$o = Get-Content $OptionsPath -Raw | ConvertFrom-Json

# Never hide the machine's own /run: only mount over it in a mount namespace of our own.
if ((readlink /proc/self/ns/mnt) -eq $o.CallerMountNamespace) {
    throw 'BenchmarkSession.ps1 must run in a private mount namespace; start it with Invoke-Benchmark.ps1.'
}
mount -t tmpfs -o mode=0755 psns-bench /run
if ($LASTEXITCODE) { throw 'Could not mount a tmpfs on /run in the benchmark''s mount namespace.' }

Import-Module $o.ModulePath -Global
foreach ($module in 'BenchHarness', 'BenchFixture', 'Benchmarks.Inspect', 'Benchmarks.Create', 'Benchmarks.ColdStart', 'Benchmarks.Watch') {
    Import-Module (Join-Path $PSScriptRoot "$module.psm1") -Global
}
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1') -Global
$mountsBefore = @(Get-MountSignature)
$hiddenNetnsMounts = @(Get-NetnsDirMountId)

# Benchmark name -> the function that runs it; the order is the order of the table.
$catalog = [ordered]@{
    FullScan          = 'Invoke-FullScanBenchmark'
    NetnsPids         = 'Invoke-NetnsPidsBenchmark'
    AllProcesses      = 'Invoke-AllProcessesBenchmark'
    NetnsInterfaces   = 'Invoke-NetnsInterfacesBenchmark'
    Memory            = 'Invoke-MemoryBenchmark'
    NetnsChurn        = 'Invoke-NetnsChurnBenchmark'
    Launch            = 'Invoke-LaunchBenchmark'
    InvokeInNamespace = 'Invoke-InvokeInNamespaceBenchmark'
    Growth            = 'Invoke-GrowthBenchmark'
    ColdStart         = 'Invoke-ColdStartBenchmark'
    Watch             = 'Invoke-WatchBenchmark'
}
$unknown = @($o.Benchmark | Where-Object { $_ -notin $catalog.Keys })
if ($unknown) { throw "No benchmark named $($unknown -join ', '); there are $($catalog.Keys -join ', ')." }
$selected = @(if ($o.Benchmark) { $catalog.Keys | Where-Object { $_ -in $o.Benchmark } } else { $catalog.Keys })
$groupCount = [Math]::Max(1, [int][Math]::Round($o.ProcessCount / $o.GroupSize))
$context = [pscustomobject]@{
    Repetitions = $o.Repetitions
    GroupSize   = $o.GroupSize
    GroupCount  = $groupCount
    Floor       = $o.Floor
    NetnsLoop   = $o.NetnsLoop
    Pwsh        = $o.Pwsh
    ReadyToRunPwsh = $o.ReadyToRunPwsh
    EmptyModule = $o.EmptyModule
    ModulePath  = $o.ModulePath
    LogPath     = $o.LogPath
    StatePath   = $o.StatePath
    Fixture     = $null
    NetnsName   = $null
}
$machine = Get-MachineDescription
$available = @(Get-Command -Module PSNamespaces | ForEach-Object Name | Sort-Object)
Write-Host "PSNamespaces cmdlets available: $($available -join ', ')"
Write-Host "Benchmarks: $($selected -join ', '); $($o.Repetitions) samples per side after a warm-up."

$rows = [System.Collections.Generic.List[object]]::new()
$samples = [System.Collections.Generic.List[object]]::new()
$growth = @()
$failed = 0

function Invoke-OneBenchmark([string] $Name) {
    Write-Host "== $Name"
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        $result = & $catalog[$Name] $context
        foreach ($r in $result.Rows) { $rows.Add($r) }
        if ($result['Samples']) { foreach ($s in $result.Samples) { $samples.Add($s) } }
        if ($result['Growth']) { $script:growth = $result.Growth }
    } catch {
        $script:failed++
        Write-Warning "$Name failed: $_`n$($_.ScriptStackTrace)"
        $rows.Add((New-BenchFailureRow -Id $Name -Benchmark $Name -Message "$_"))
    }
    Write-Host ("   {0:N1} s" -f $watch.Elapsed.TotalSeconds)
}

try {
    $onMainFixture = @($selected | Where-Object { $_ -ne 'Growth' })
    if ($onMainFixture) {
        Write-Host "Fixture: $groupCount groups of $($o.GroupSize) processes, $($o.NetnsCount) named netns..."
        $context.Fixture = Start-BenchFixture -GroupSize $o.GroupSize -LogPath $o.LogPath -StatePath $o.StatePath
        Resize-BenchFixture $context.Fixture $groupCount
        # Named netns after the groups: a group's new mount namespace would otherwise copy their mounts.
        $context.NetnsName = Add-BenchNamedNetns -Count $o.NetnsCount -AttachPid $context.Fixture.Groups[0].ShellPid
        foreach ($name in $onMainFixture) { Invoke-OneBenchmark $name }
    }
} finally {
    # Each step on its own, so that one failing does not leave the others undone.
    Write-Host 'Tearing the fixture down...'
    $teardown = @(
        { if ($context.Fixture) { Stop-BenchFixture $context.Fixture } }
        { Remove-BenchNamedNetns -KeepMountId $hiddenNetnsMounts }
    )
    $teardownErrors = @(foreach ($step in $teardown) { try { & $step } catch { $_ } })
    if ($teardownErrors) { throw "Tearing down failed: $($teardownErrors -join '; ')" }
}
if ('Growth' -in $selected) { Invoke-OneBenchmark Growth }

# The machine as we found it: no fixture process, no named netns, no new mount (in this mount
# namespace; the rest of the machine never saw them). Mounts may go the other way: when someone
# unlinks a mount point elsewhere, the kernel detaches the copy that this namespace inherited.
$leftMounts = @(Compare-Object $mountsBefore @(Get-MountSignature) | Where-Object SideIndicator -eq '=>' | ForEach-Object InputObject)
$leftNetns = @(Get-ChildItem /run/netns -ErrorAction Ignore | ForEach-Object Name)
if ($leftMounts -or $leftNetns) { throw "Left behind: mounts $($leftMounts -join '; '); netns $($leftNetns -join ', ')" }

$run = [ordered]@{
    Date                = (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm') + ' UTC'
    'Cmdlets available' = $available -join ', '
    Benchmarks          = $selected -join ', '
    Fixture             = "$(2 + $groupCount * $o.GroupSize) processes: $groupCount groups (each: unshare + sh + $($o.GroupSize - 2) sleeps in fresh pid, net, uts, ipc, mnt namespaces) under one outer pid namespace; $($o.NetnsCount) named netns from ip netns add, + 1 attached to a group"
    Samples             = "$($o.Repetitions) per side after 1 warm-up (the C rows at least 15), the order of the sides rotating"
    Teardown            = 'checked: no fixture process, named netns or mount left'
}
Write-BenchResult -Row $rows -Machine $machine -Run $run -Path $o.OutputPath -Growth $growth -Sample $samples
if ($failed) { exit 1 }
