<#
    Benchmarks of Watch-Namespace (issue 14): how soon an Added or Removed event follows the
    change (median and 99th percentile), what an idle watch costs against an idle pwsh, and what
    a watch costs while 50 processes start per second against `lsns -J` once a second.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')

function Get-Percentile {
    param([Parameter(Mandatory)] [double[]] $Value, [Parameter(Mandatory)] [double] $Percent)
    $sorted = @($Value | Sort-Object)
    $sorted[[Math]::Min($sorted.Count - 1, [int][Math]::Ceiling($Percent / 100 * $sorted.Count) - 1)]
}

function Get-CpuMilliseconds {
    <# utime + stime (+ reaped children's, with -Children) of a process from /proc/PID/stat, in ms. #>
    param([Parameter(Mandatory)] [int] $ProcessId, [switch] $Children)
    $stat = Get-Content "/proc/$ProcessId/stat" -Raw
    $f = -split $stat.Substring($stat.LastIndexOf(')') + 2)
    $ticks = [long]$f[11] + [long]$f[12]
    if ($Children) { $ticks += [long]$f[13] + [long]$f[14] }
    $ticks * 1000 / [long](getconf CLK_TCK)
}

function Start-WatchProcess {
    <#
    A fresh pwsh that imports the module and either watches (-Watch) or sleeps, and says "ready"
    on its standard output once the watch has read the system (or at once, for the idle one).
    #>
    param([Parameter(Mandatory)] $Context, [switch] $Watch, [int] $Seconds)
    $body = if ($Watch) {
        "Watch-Namespace -Timeout $Seconds -Verbose *>&1 | ForEach-Object { if (`"`$_`" -like 'Watching *') { [Console]::Out.WriteLine('ready'); [Console]::Out.Flush() } }"
    } else {
        "[Console]::Out.WriteLine('ready'); [Console]::Out.Flush(); Start-Sleep $Seconds"
    }
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Context.Pwsh)
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$($Context.ModulePath)'; $body") { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($psi)
    if ($process.StandardOutput.ReadLine() -ne 'ready') { throw 'The watching pwsh did not start.' }
    $process
}

function Measure-WatchLatency {
    <#
    Samples of when the event reached the consuming pipeline minus when the command returned, for
    Added and Removed, over Count rounds. Arrival, not the event's Time (when the watcher found the
    change): an Added may be held back before it is written, and the user waits for the object.
    #>
    param([Parameter(Mandatory)] $Context, [Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [string] $Kind)
    $ps = [powershell]::Create()
    # A concurrent queue, which can be read while the watch adds to it (an output collection cannot).
    $out = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
    # ip netns add is watched as a script waiting for a name would: -Name.
    $filter = if ($Kind -eq 'unshare') { '' } else { "-Name 'psns-bench-watch-*'" }
    $null = $ps.AddScript("param(`$sink) Import-Module '$($Context.ModulePath)'; Watch-Namespace -Type Net $filter -Verbose | ForEach-Object { `$sink.Enqueue([pscustomobject]@{ Event = `$_; At = [DateTime]::Now }) }").AddArgument($out)
    $handle = $ps.BeginInvoke()
    $added = [System.Collections.Generic.List[double]]::new()
    $removed = [System.Collections.Generic.List[double]]::new()
    $missed = 0
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while (-not @($ps.Streams.Verbose | Where-Object Message -like 'Watching *') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        if ($handle.IsCompleted -or [DateTime]::UtcNow -ge $deadline) { throw "Watch-Namespace did not start: $($ps.Streams.Error -join '; ')" }
        foreach ($i in 1..$Count) {
            $name = "psns-bench-watch-$i"
            # Only this round's events count: nsfs inode numbers are recycled, and an earlier
            # round's Removed for the same inode would be matched, long before this one's change.
            $since = $out.Count
            if ($Kind -eq 'unshare') {
                $p = [System.Diagnostics.Process]::Start('unshare', [string[]]@('-n', 'sleep', '1000'))
                $madeAt = [DateTime]::Now
                $match = { param($e) $e.Pid -eq $p.Id }
            } else {
                ip netns add $name
                $madeAt = [DateTime]::Now
                $match = { param($e) $e.Namespace.Name -eq $name }
            }
            $ev = Wait-BenchEvent $out $since 'Added' $match
            if ($ev) { $added.Add(($ev.At - $madeAt).TotalMilliseconds) } else { $missed++ }
            $inode = if ($ev) { $ev.Event.Namespace.Inode } else { 0 }
            if ($Kind -eq 'unshare') {
                # From the kill: WaitForExit returns only once .NET has reaped the child, often after the event.
                $goneAt = [DateTime]::Now
                $p.Kill(); $p.WaitForExit()
            } else {
                ip netns delete $name
                $goneAt = [DateTime]::Now
            }
            $ev = Wait-BenchEvent $out $since 'Removed' { param($e) $e.Namespace.Inode -eq $inode }
            if ($ev) { $removed.Add(($ev.At - $goneAt).TotalMilliseconds) } else { $missed++ }
        }
    } finally {
        $ps.Stop()
        $ps.Dispose()
    }
    [pscustomobject]@{ Added = $added.ToArray(); Removed = $removed.ToArray(); Missed = $missed }
}

function Wait-BenchEvent {
    param($Output, [int] $Since, [string] $ChangeType, [scriptblock] $Match)
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        $seen = $Output.ToArray()
        for ($k = $Since; $k -lt $seen.Count; $k++) {
            if ($seen[$k].Event.ChangeType -eq $ChangeType -and (& $Match $seen[$k].Event)) { return $seen[$k] }
        }
        Start-Sleep -Milliseconds 2
    }
}

function New-LatencyRow {
    param([string] $Id, [string] $What, [double[]] $Sample, [int] $Missed, [string] $Ours = 'Watch-Namespace -Type Net')
    if (-not $Sample) { return New-BenchFailureRow -Id $Id -Benchmark "latency of $What" -Message 'no event arrived' }
    $median = Get-Median $Sample
    $p99 = Get-Percentile $Sample 99
    $holds = if ($Missed) { 'no (events missed)' } elseif ($median -le 50 -and $p99 -le 200) { 'yes' } else { 'no' }
    New-BenchValueRow -Id $Id -Benchmark "latency of $What (at arrival in the pipeline)" -Ours $Ours `
        -Value ('median {0}, p99 {1}' -f (Format-Milliseconds $median), (Format-Milliseconds $p99)) `
        -TargetText 'median ≤ 50 ms, p99 ≤ 200 ms' -Holds $holds -Check "$($Sample.Count) events, $Missed missed"
}

function Invoke-WatchBenchmark {
    <#
    W. Watch-Namespace: latency of Added and Removed after `unshare -n sleep` starts or is
    killed and after `ip netns add/delete` returns; CPU of an idle watch over 60 s against an
    idle pwsh; CPU of a watch while 50 processes start per second against lsns -J once a second.
    #>
    param([Parameter(Mandatory)] $Context)
    $unavailable = Test-BenchCommand Watch-Namespace
    if ($unavailable) {
        return @{ Rows = @(New-BenchFailureRow -Id W -Benchmark 'Watch-Namespace' -Message $unavailable) }
    }
    $rounds = [Math]::Max(20, $Context.Repetitions * 10)
    $unshare = Measure-WatchLatency $Context -Count $rounds -Kind unshare
    $netns = Measure-WatchLatency $Context -Count $rounds -Kind netns
    $rows = @(
        New-LatencyRow W1a 'Added after unshare -n sleep starts' $unshare.Added $unshare.Missed
        New-LatencyRow W1b 'Removed after it is killed' $unshare.Removed $unshare.Missed
        New-LatencyRow W1c 'Added after ip netns add returns' $netns.Added $netns.Missed 'Watch-Namespace -Type Net -Name psns-bench-watch-*'
        New-LatencyRow W1d 'Removed after ip netns delete returns' $netns.Removed $netns.Missed 'Watch-Namespace -Type Net -Name psns-bench-watch-*'
    )

    # Idle: a watching pwsh against a sleeping one, both with the module imported, over 60 s.
    $seconds = 60
    $watching = Start-WatchProcess $Context -Watch -Seconds 900
    $idle = Start-WatchProcess $Context -Seconds 900
    try {
        Start-Sleep 2 # the runtime's start-up work settles (tiered compilation)
        $w0 = Get-CpuMilliseconds $watching.Id; $i0 = Get-CpuMilliseconds $idle.Id
        Start-Sleep $seconds
        $watchCpu = (Get-CpuMilliseconds $watching.Id) - $w0
        $idleCpu = (Get-CpuMilliseconds $idle.Id) - $i0

        # Both are killed below; 900 s only bounds them should this session die.
        # Under load: 50 process starts per second for 10 s, the watch's CPU (over idle pwsh's)
        # against 10 runs of lsns -J, one a second, in a shell whose reaped children are counted.
        $loadSeconds = 10
        $w0 = Get-CpuMilliseconds $watching.Id; $i0 = Get-CpuMilliseconds $idle.Id
        # bash's read -t waits without starting a sleep process: one process start per 20 ms.
        $timer = [System.Diagnostics.Stopwatch]::StartNew()
        $load = [System.Diagnostics.Process]::Start('bash', [string[]]@('-c', "exec 3<> <(:); for i in `$(seq $($loadSeconds * 50)); do /bin/true & read -t 0.02 -u 3; done; wait"))
        $load.WaitForExit()
        $loadSeconds = [Math]::Max(1, [int][Math]::Round($timer.Elapsed.TotalSeconds))
        $loadWatchCpu = ((Get-CpuMilliseconds $watching.Id) - $w0) - ((Get-CpuMilliseconds $idle.Id) - $i0)
    } finally {
        foreach ($p in $watching, $idle) { if (-not $p.HasExited) { $p.Kill(); $p.WaitForExit() } }
    }
    $lsnsCpu = Measure-LsnsCpu -Seconds $loadSeconds
    $idleShare = ($watchCpu - $idleCpu) / ($seconds * 1000)
    $ratio = if ($lsnsCpu -gt 0) { [Math]::Max(0, $loadWatchCpu) / $lsnsCpu } else { [double]::NaN }
    $rows += New-BenchValueRow -Id W2 -Benchmark 'idle watch, CPU over 60 s' -Ours 'Watch-Namespace (pwsh) - idle pwsh' `
        -Value ('{0:N0} ms - {1:N0} ms = {2:P2} of a core' -f $watchCpu, $idleCpu, $idleShare) -TargetText '≤ 1% of one core' `
        -Holds $(if ($idleShare -le 0.01) { 'yes' } else { 'no' })
    $rows += New-BenchValueRow -Id W3 -Benchmark 'watch under 50 process starts/s' -Ours "Watch-Namespace CPU over idle pwsh, $loadSeconds s" `
        -Value ('{0:N0} ms vs lsns -J 1/s: {1:N0} ms = {2}' -f $loadWatchCpu, $lsnsCpu, $(if ([double]::IsNaN($ratio)) { '—' } else { Format-Ratio ([Math]::Max($ratio, 0.0001)) })) `
        -TargetText '≤ 1/10' -Holds $(if ($ratio -le 0.1) { 'yes' } else { 'no' })
    @{ Rows = $rows; Samples = @(
            [pscustomobject]@{ Id = 'W1a'; Name = 'Added after unshare (ms)'; Samples = ($unshare.Added | ForEach-Object { '{0:N1}' -f $_ }) -join ', ' }
            [pscustomobject]@{ Id = 'W1c'; Name = 'Added after ip netns add (ms)'; Samples = ($netns.Added | ForEach-Object { '{0:N1}' -f $_ }) -join ', ' }
        )
    }
}

function Measure-LsnsCpu {
    <# The CPU time of `lsns -J` run once a second for Seconds seconds: a shell's reaped children's utime + stime. #>
    param([Parameter(Mandatory)] [int] $Seconds)
    $text = bash -c "for i in `$(seq $Seconds); do lsns -J >/dev/null; sleep 1; done; f=(`$(cut -d')' -f2 /proc/`$`$/stat)); echo `$((f[13] + f[14]))"
    [double]$text * 1000 / [long](getconf CLK_TCK)
}

Export-ModuleMember -Function Invoke-WatchBenchmark
