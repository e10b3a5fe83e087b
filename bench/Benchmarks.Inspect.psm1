<#
    Benchmarks of the inspecting cmdlets (issues 3 and the foundation): the full scan against lsns
    and the C floor, its memory and its growth, and Get-NamespaceProcess against ip netns pids
    and ps. Each returns @{ Rows; Samples } (and Growth) for the results table.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')
Import-Module (Join-Path $PSScriptRoot 'BenchFixture.psm1')

function Get-LsnsInode {
    <# The inodes of every namespace lsns -J lists; in tree mode it nests some under "children". #>
    $pending = [System.Collections.Generic.Stack[object]]::new()
    foreach ($ns in (Invoke-Checked lsns @('-J') | ConvertFrom-Json).namespaces) { $pending.Push($ns) }
    while ($pending.Count) {
        $ns = $pending.Pop()
        [uint64]$ns.ns
        if ($ns.PSObject.Properties['children']) { foreach ($child in $ns.children) { $pending.Push($child) } }
    }
}

function Compare-Inode {
    <# Nothing when the two inode lists hold the same set, else what differs. #>
    param([string] $Name, [uint64[]] $Ours, [uint64[]] $Reference)
    $only = @(Compare-Object @($Ours | Sort-Object -Unique) @($Reference | Sort-Object -Unique))
    if ($only) {
        $mine = @($only | Where-Object SideIndicator -eq '<=').Count
        $theirs = @($only | Where-Object SideIndicator -eq '=>').Count
        "$Name has $mine namespaces lsns lacks and lacks $theirs of lsns's ($(@($Ours).Count) vs $(@($Reference).Count))"
    }
}

function Invoke-Floor {
    <#
    Runs ns-floor: what it counted, and how long its scan took by its own clock. With -Threaded,
    it scans as Get-Namespace does, on the threads the module's rule gives for this session's
    processor count, and also says how many threads scanned.
    #>
    param([Parameter(Mandatory)] [string] $Path, [switch] $Threaded)
    $arguments = if ($Threaded) { '-t', [Environment]::ProcessorCount } else { @() }
    $said = -split (& $Path @arguments)
    if ($LASTEXITCODE -or $said.Count -ne $(if ($Threaded) { 4 } else { 3 })) { throw "ns-floor said '$said', exit code $LASTEXITCODE" }
    [pscustomobject]@{
        Processes  = [int]$said[0]
        Namespaces = [int]$said[1]
        ElapsedMs  = [double]$said[2] / 1000
        Threads    = if ($Threaded) { [int]$said[3] } else { 1 }
    }
}

function Invoke-FullScanBenchmark {
    <#
    1. Every namespace on the system into the pipeline, against lsns -J, lsns -J | ConvertFrom-Json,
    the C floor, and the C floor scanning on as many threads as the module does.
    #>
    param([Parameter(Mandatory)] $Context)
    $floor = $Context.Floor
    $unavailable = Test-BenchCommand Get-Namespace
    $ours = New-BenchSide 'Get-Namespace | Measure-Object' -Unavailable $unavailable -Script { (Get-Namespace | Measure-Object).Count }
    $lsns = New-BenchSide 'lsns -J' -Retries 3 {
        $json = lsns -J
        if ($LASTEXITCODE) { throw "lsns -J exited with $LASTEXITCODE" }
        @($json).Count
    }
    $parsed = New-BenchSide 'lsns -J | ConvertFrom-Json' -Retries 3 {
        $namespaces = (lsns -J | ConvertFrom-Json).namespaces
        if ($LASTEXITCODE) { throw "lsns -J exited with $LASTEXITCODE" }
        @($namespaces).Count
    }
    $c = New-BenchSide 'ns-floor (C, own clock)' -SelfTimed { Invoke-Floor $floor }
    $threaded = New-BenchSide "ns-floor -t $([Environment]::ProcessorCount) (C, module's threads, own clock)" -SelfTimed { Invoke-Floor $floor -Threaded }
    $sides = @($ours, $lsns, $parsed, $c, $threaded)
    Measure-BenchSide $sides -Repetitions $Context.Repetitions

    $checkOurs = -not $unavailable
    $check = Test-Repeatedly -Success 'same namespaces as lsns (Get-Namespace: those with processes); floor count equal' {
        $reference = @(Get-LsnsInode)
        $floorCount = (Invoke-Floor $floor).Namespaces
        if ($floorCount -ne $reference.Count) { "the floor counts $floorCount namespaces, lsns $($reference.Count)" }
        if ($checkOurs) {
            # lsns 2.38 lists only namespaces that processes are in; Get-Namespace also lists those held by mounts or descriptors.
            $withProcesses = @(Get-Namespace | Where-Object { -not $_.PSObject.Properties['ProcessCount'] -or $_.ProcessCount -gt 0 } | ForEach-Object Inode)
            Compare-Inode 'Get-Namespace' $withProcesses $reference
        }
    }
    # 1d also needs the threaded floor to count what the single-threaded one counts, run back to
    # back, on the threads the module's rule gives (min(processors, 4) from 256 PIDs).
    $threadedCheck = Test-Repeatedly -Success "$check; ns-floor -t counts as many, on $($threaded.Output.Threads) threads" {
        $single = Invoke-Floor $floor
        $split = Invoke-Floor $floor -Threaded
        if ($split.Namespaces -ne $single.Namespaces) { "ns-floor -t counts $($split.Namespaces) namespaces, ns-floor $($single.Namespaces)" }
    }
    if ($check -like 'differs*') { $threadedCheck = $check }
    $lsnsFailures = $lsns.Failures + $parsed.Failures
    if ($lsnsFailures) { $check += "; lsns -J exited 1 in $lsnsFailures runs, which were run again" }

    @{
        Rows    = @(
            New-BenchRow -Id 1a -Benchmark 'full scan' -Ours $ours -Reference $lsns -Target (1 / 3) -TargetText '≤ 1/3' -Check $check
            New-BenchRow -Id 1b -Benchmark 'full scan' -Ours $ours -Reference $parsed -Target (1 / 5) -TargetText '≤ 1/5' -Check $check
            New-BenchRow -Id 1c -Benchmark 'full scan' -Ours $ours -Reference $c -Target 1.5 -TargetText '≤ 1.5' -Check $check
            New-BenchRow -Id 1d -Benchmark 'full scan' -Ours $ours -Reference $threaded -Target 1.2 -TargetText '≤ 1.2' -Check $threadedCheck
        )
        Samples = @(Get-SampleRecord 1 $sides)
    }
}

function Invoke-NetnsPidsBenchmark {
    <# 2. Who is in one named network namespace: Get-NamespaceProcess -Name against ip netns pids. #>
    param([Parameter(Mandatory)] $Context)
    $name = $Context.NetnsName
    $ours = New-BenchSide "Get-NamespaceProcess -Name $name" -Unavailable (Test-BenchCommand Get-NamespaceProcess Name) -Script {
        $found = Get-NamespaceProcess -Name $name -ErrorAction Stop
        @($found).Count
    }
    $ip = New-BenchSide "ip netns pids $name" {
        $found = ip netns pids $name
        if ($LASTEXITCODE) { throw "ip netns pids $name exited with $LASTEXITCODE" }
        @($found).Count
    }
    Measure-BenchSide @($ours, $ip) -Repetitions $Context.Repetitions

    $groupSize = $Context.GroupSize
    $checkOurs = -not $ours.Unavailable
    $check = Test-Repeatedly -Success "same $groupSize PIDs as ip netns pids" {
        $reference = @(ip netns pids $name | ForEach-Object { [int]$_ })
        if ($reference.Count -ne $groupSize) { "ip netns pids lists $($reference.Count) PIDs, the fixture put $groupSize there" }
        if ($checkOurs) {
            $found = @(Get-NamespaceProcess -Name $name | ForEach-Object Pid)
            if (Compare-Object ($found | Sort-Object) ($reference | Sort-Object)) { "Get-NamespaceProcess lists $($found -join ',') but ip netns pids $($reference -join ',')" }
        }
    }

    @{
        Rows    = @(New-BenchRow -Id 2 -Benchmark 'processes of one named netns' -Ours $ours -Reference $ip -Target 1 -TargetText '≤ 1' -Check $check)
        Samples = @(Get-SampleRecord 2 @($ours, $ip))
    }
}

function Invoke-AllProcessesBenchmark {
    <# 3. Every process with its namespaces: Get-NamespaceProcess against ps -eo pid,netns,... #>
    param([Parameter(Mandatory)] $Context)
    $columns = 'pid,netns,mntns,pidns,utsns,ipcns,userns,cgroupns'
    $ours = New-BenchSide 'Get-NamespaceProcess' -Unavailable (Test-BenchCommand Get-NamespaceProcess) -Script {
        $all = Get-NamespaceProcess
        $all.Count
    }
    $ps = New-BenchSide "ps -eo $columns" {
        $lines = ps -eo $columns
        if ($LASTEXITCODE) { throw "ps exited with $LASTEXITCODE" }
        $lines.Count
    }
    Measure-BenchSide @($ours, $ps) -Repetitions $Context.Repetitions

    $minimum = $Context.Fixture.Groups.Count * $Context.GroupSize
    $check = if ($ours.Unavailable) { '' } else {
        Test-Repeatedly -Success 'same 7 namespace columns as ps for every PID both list' {
            $byPid = @{}
            foreach ($p in Get-NamespaceProcess) { $byPid[$p.Pid] = "$($p.NetNs) $($p.MountNs) $($p.PidNs) $($p.UtsNs) $($p.IpcNs) $($p.UserNs) $($p.CgroupNs)" }
            $compared = 0
            $different = @()
            foreach ($line in ps -e -o "$($columns -replace ',', '=,')=") {
                $f = -split $line
                # ps prints "-" for a process it may not read (PID 1 here), which Get-NamespaceProcess skips.
                if ($f[1] -eq '-' -or -not $byPid.ContainsKey([int]$f[0])) { continue }
                $compared++
                if ($byPid[[int]$f[0]] -ne ($f[1..7] -join ' ')) { $different += $f[0] }
            }
            if ($different) { "PIDs $($different -join ',') differ" }
            if ($compared -lt $minimum) { "only $compared PIDs in both lists, the fixture alone has $minimum" }
        }
    }

    @{
        Rows    = @(New-BenchRow -Id 3 -Benchmark 'all processes with their namespaces' -Ours $ours -Reference $ps -Target 1 -TargetText '≤ 1' -Check $check)
        Samples = @(Get-SampleRecord 3 @($ours, $ps))
    }
}

function Invoke-MemoryBenchmark {
    <#
    M. Peak resident memory of a fresh pwsh during benchmark 1's warm-up and samples, over its
    resident memory right after importing the module (a separate process, so nothing the other
    benchmarks loaded counts).
    #>
    param([Parameter(Mandatory)] $Context)
    $label = 'Get-Namespace | Measure-Object (fresh pwsh)'
    $unavailable = Test-BenchCommand Get-Namespace
    if ($unavailable) {
        return @{ Rows = @(New-BenchValueRow -Id M -Benchmark 'peak memory of the full scan' -Ours $label -Value "not available ($unavailable)" -TargetText '< 100 MiB' -Holds 'not available') }
    }
    $script = Join-Path $PSScriptRoot 'Measure-ScanMemory.ps1'
    $json = & $Context.Pwsh -NoProfile -NonInteractive -File $script -ModulePath $Context.ModulePath -Repetitions ($Context.Repetitions + 1)
    if ($LASTEXITCODE) { throw "Measure-ScanMemory.ps1 exited with $LASTEXITCODE" }
    $m = $json | ConvertFrom-Json
    $growthMiB = ($m.PeakKiB - $m.BaselineKiB) / 1KB
    $value = '{0:N1} MiB (baseline {1:N0} MiB, peak {2:N0} MiB)' -f $growthMiB, ($m.BaselineKiB / 1KB), ($m.PeakKiB / 1KB)
    @{ Rows = @(New-BenchValueRow -Id M -Benchmark 'peak memory of the full scan' -Ours $label -Value $value -TargetText '< 100 MiB' -Holds $(if ($growthMiB -lt 100) { 'yes' } else { 'no' }) -Check "$($m.Namespaces) namespaces per scan") }
}

function Invoke-GrowthBenchmark {
    <#
    G. Benchmark 1 at a quarter, half, once and twice the fixture size, on a fixture of its own
    (groups only, no named netns), with the C floor alongside: the time per process scanned
    must not grow with the number of processes.
    #>
    param([Parameter(Mandatory)] $Context)
    $floor = $Context.Floor
    $unavailable = Test-BenchCommand Get-Namespace
    $groupCounts = @(0.25, 0.5, 1, 2 | ForEach-Object { [Math]::Max(1, [int][Math]::Round($Context.GroupCount * $_)) })
    $table = @()
    $samples = @()
    $fixture = Start-BenchFixture -GroupSize $Context.GroupSize -LogPath $Context.LogPath -StatePath $Context.StatePath
    try {
        foreach ($groups in $groupCounts) {
            Resize-BenchFixture $fixture $groups
            $ours = New-BenchSide 'Get-Namespace | Measure-Object' -Unavailable $unavailable -Script { (Get-Namespace | Measure-Object).Count }
            $c = New-BenchSide 'ns-floor (C, own clock)' -SelfTimed { Invoke-Floor $floor }
            Measure-BenchSide @($ours, $c) -Repetitions $Context.Repetitions
            $scanned = $c.Output.Processes
            $fixtureProcesses = 2 + $groups * $Context.GroupSize
            $table += [pscustomobject]@{
                FixtureProcesses = $fixtureProcesses
                Scanned          = $scanned
                OursMedian       = if ($unavailable) { 'not available' } else { Format-Milliseconds $ours.Median }
                OursPerProcess   = if ($unavailable) { '—' } else { '{0:N1} µs' -f ($ours.Median * 1000 / $scanned) }
                FloorMedian      = Format-Milliseconds $c.Median
                FloorPerProcess  = '{0:N1} µs' -f ($c.Median * 1000 / $scanned)
                OursToFloor      = if ($unavailable) { '—' } else { '{0:N2}' -f ($ours.Median / $c.Median) }
                OursPerProcessMs = if ($unavailable) { $null } else { $ours.Median / $scanned }
                FloorMs          = $c.Median
            }
            $samples += Get-SampleRecord "G $fixtureProcesses" @($ours, $c)
        }
    } finally {
        Stop-BenchFixture $fixture
    }

    $first, $last = $table[0], $table[-1]
    $label = "Get-Namespace per process at $($last.FixtureProcesses) vs $($first.FixtureProcesses) fixture processes"
    if ($unavailable) {
        $row = New-BenchValueRow -Id G -Benchmark 'growth of the full scan' -Ours $label -Value "not available ($unavailable)" -TargetText '≤ 1 (no growth)' -Holds 'not available'
    } else {
        $ratio = $last.OursPerProcessMs / $first.OursPerProcessMs
        # The floor's own growth, measured alongside, tells machine noise from our scaling; it is
        # context for the reader, not part of the verdict.
        $floorGrowth = ($last.FloorMs / $last.Scanned) / ($first.FloorMs / $first.Scanned)
        $row = New-BenchValueRow -Id G -Benchmark 'growth of the full scan' -Ours $label -Value ('{0} vs {1} per process' -f $last.OursPerProcess, $first.OursPerProcess) -TargetText '≤ 1 (no growth)' -Holds $(if ($ratio -le 1) { 'yes' } else { 'no' }) -Check ('the C floor, measured alongside, grew ×{0:N2} per process' -f $floorGrowth)
        $row.Ratio = Format-Ratio $ratio
    }
    @{ Rows = @($row); Samples = $samples; Growth = @($table | Select-Object * -ExcludeProperty OursPerProcessMs, FloorMs) }
}

function Invoke-NetnsInterfacesBenchmark {
    <#
    7. The interfaces and addresses of every named network namespace (the fixture's 100 and its
    group's): Get-NamespaceInterface -Name * against ip -j addr run for each name, as a shell loop
    does. The check: the same interface names, in the same order, for every name.
    #>
    param([Parameter(Mandatory)] $Context)
    $ours = New-BenchSide 'Get-NamespaceInterface -Name *' -Unavailable (Test-BenchCommand Get-NamespaceInterface) -Script {
        @(Get-NamespaceInterface -Name * -ErrorAction Stop).Count
    }
    $ip = New-BenchSide 'for n in $(ip netns list); do ip -n $n -j addr; done' {
        $text = sh -c 'for n in $(ip netns list | cut -d" " -f1); do ip -n "$n" -j addr || exit 1; done'
        if ($LASTEXITCODE) { throw "ip -n NAME -j addr exited with $LASTEXITCODE" }
        @($text).Count
    }
    Measure-BenchSide @($ours, $ip) -Repetitions $Context.Repetitions

    $checkOurs = -not $ours.Unavailable
    $names = @(ip netns list | ForEach-Object { ($_ -split ' ')[0] })
    $check = Test-Repeatedly -Success "same interfaces as ip -j addr in each of $($names.Count) named netns" {
        if ($names.Count -lt 100) { "ip netns list shows $($names.Count) names, the fixture made more" }
        if ($checkOurs) {
            $found = @(Get-NamespaceInterface -Name *) | Group-Object NetnsName -AsHashTable -AsString
            foreach ($name in $names) {
                $reference = @((ip -n $name -j addr | ConvertFrom-Json).ifname) -join ','
                $mine = @($found[$name] | ForEach-Object Name) -join ','
                if ($mine -ne $reference) { "$name`: Get-NamespaceInterface lists $mine, ip -j addr $reference" }
            }
        }
    }

    @{
        Rows    = @(New-BenchRow -Id 7 -Benchmark "interfaces and addresses of $($names.Count) named netns" -Ours $ours -Reference $ip -Target (1 / 5) -TargetText '≤ 1/5' -Check $check)
        Samples = @(Get-SampleRecord 7 @($ours, $ip))
    }
}

Export-ModuleMember -Function Invoke-FullScanBenchmark, Invoke-NetnsPidsBenchmark, Invoke-AllProcessesBenchmark,
    Invoke-MemoryBenchmark, Invoke-GrowthBenchmark, Invoke-NetnsInterfacesBenchmark
