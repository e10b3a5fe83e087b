<#
    Benchmarks of one-shot scripts (issues 17, 27): whole pwsh processes, as cron, Ansible or a CI
    step runs them, each side's figure being its overhead over a bare `pwsh -NoProfile -c $null=1`
    of the same pwsh, measured alongside in the same rotation. The yardstick is the platform's
    floor: C0, an empty one-cmdlet binary module's import and first call; C1-C3 compare the
    module's overhead with C0 plus the warm time of the same operation, on the pinned pwsh (IL
    only) and on a ReadyToRun copy of it (bench/ColdStartFloors.psm1). Returns @{ Rows; Samples }.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')

function New-PwshSide {
    <#
    .SYNOPSIS
        A side that starts `pwsh -NoProfile -NonInteractive -c Command` and waits for it. The
        command ends with `exit 3` when its work went wrong, so a side that did nothing cannot
        look fast; any exit code but 0 fails the sample.
    .DESCRIPTION
        Each side has its own cache folder (XDG_CACHE_HOME under out/bench/pwsh-cache/). pwsh
        keeps its startup JIT profile (multicore JIT: the methods the last run compiled, compiled
        again in the background at the next start) and its module analysis cache there, written
        by every run and read by the next. Shared, each side started with the profile of the side
        before it in the rotation (a bare pwsh took 460 ms after a bare pwsh and 600 ms after a
        module's run, issue 27); with its own, each side is what a script run again and again,
        as cron runs it, takes.
    #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Pwsh, [Parameter(Mandatory)] [string] $Command, [string] $Unavailable)
    $cache = Join-Path $PSScriptRoot "../out/bench/pwsh-cache/$([Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Name))).Substring(0, 16))"
    $null = New-Item -ItemType Directory -Force -Path $cache
    New-BenchSide $Name -Unavailable $Unavailable -Script {
        $saved = $env:XDG_CACHE_HOME
        try {
            $env:XDG_CACHE_HOME = $cache
            $output = & $Pwsh -NoProfile -NonInteractive -c $Command
        } finally {
            $env:XDG_CACHE_HOME = $saved
        }
        if ($LASTEXITCODE) { throw "pwsh -c '$Command' exited with $LASTEXITCODE" }
        $output
    }.GetNewClosure()
}

function New-WarmSide {
    <# A side that runs Operation once untimed, then times it again: the operation warm. #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Operation, [string] $Unavailable)
    New-BenchSide $Name -Unavailable $Unavailable -SelfTimed -Script {
        & $Operation
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        & $Operation
        [pscustomobject]@{ ElapsedMs = $watch.Elapsed.TotalMilliseconds }
    }.GetNewClosure()
}

function Get-Overhead {
    <#
    .SYNOPSIS
        A side whose median is the median, over rounds, of a side's sample minus the bare pwsh's
        sample of the same round, for New-BenchRow. Every side runs once per round, so the two
        samples of a round are seconds apart: load that comes and goes cancels out of each
        difference, where a difference of two medians would carry the spread of both (a bare
        pwsh takes about a second, an empty module's import some tens of milliseconds).
    #>
    param([Parameter(Mandatory)] $Side, [Parameter(Mandatory)] $Bare)
    [pscustomobject]@{
        Name        = "$($Side.Name) − bare pwsh"
        Unavailable = $Side.Unavailable
        Median      = if ($Side.Unavailable) { $null } else {
            $differences = for ($i = 0; $i -lt $Side.Samples.Count; $i++) { $Side.Samples[$i] - $Bare.Samples[$i] }
            [Math]::Max((Get-Median $differences), 0.01)
        }
    }
}

function Get-FloorSide {
    <# The reference of a C row: C0's overhead (on the same pwsh) plus the warm time of the operation. #>
    param([Parameter(Mandatory)] [string] $Floor, [Parameter(Mandatory)] $EmptyOverhead, [Parameter(Mandatory)] $Warm)
    [pscustomobject]@{
        Name        = "$Floor + warm $($Warm.Name), in session"
        Unavailable = $Warm.Unavailable
        Median      = if ($Warm.Unavailable) { $null } else { $EmptyOverhead.Median + $Warm.Median }
    }
}

function Invoke-ColdStartBenchmark {
    <#
        C0 an empty one-cmdlet module's import + first call; C1 import + first Get-Namespace; C2
        import + first New-Namespace -Type Net -FilePath true; C3 import + first
        Invoke-InNamespace. Each in fresh pwsh processes of the pinned pwsh and of its ReadyToRun
        copy (rows C0r-C3r); C1-C3 against C0 + the same operation run warm in this session.
    #>
    param([Parameter(Mandatory)] $Context)
    $module = "'$($Context.ModulePath -replace "'", "''")'"
    $empty = "'$($Context.EmptyModule -replace "'", "''")'"
    $target = $Context.Fixture.Groups[0].ShellPid
    $import = "Import-Module $module -ErrorAction Stop"
    $launchUnavailable = Test-BenchCommand New-Namespace FilePath
    $invokeUnavailable = Test-BenchCommand Invoke-InNamespace Pid, Type

    # The same operations, warm: in this session, where the module is imported and has run. Each
    # sample runs the operation once untimed first, because the rotation's cold sides take longer
    # than a namespace worker stays idle (10 s): timed alone, every Invoke-InNamespace would make
    # a new worker and runspace.
    $warmScan = New-WarmSide 'Get-Namespace' { $n = @(Get-Namespace).Count; if ($n -lt 8) { throw "Get-Namespace found $n namespaces" } }
    $warmLaunch = New-WarmSide 'New-Namespace -Type Net -FilePath true' -Unavailable $launchUnavailable -Operation {
        New-Namespace -Type Net -FilePath true -ErrorAction Stop; if ($LASTEXITCODE) { throw "true exited with $LASTEXITCODE" }
    }
    $warmInvoke = New-WarmSide 'Invoke-InNamespace -Pid P -Type Net { 1 }' -Unavailable $invokeUnavailable -Operation {
        if ((Invoke-InNamespace -Pid $target -Type Net { 1 } -ErrorAction Stop) -ne 1) { throw 'Invoke-InNamespace did not return 1' }
    }.GetNewClosure()

    $pwshes = [ordered]@{ '' = $Context.Pwsh; 'r' = $Context.ReadyToRunPwsh }
    $cold = [ordered]@{}
    foreach ($suffix in $pwshes.Keys) {
        $pwsh = $pwshes[$suffix]
        $label = if ($suffix) { 'ReadyToRun pwsh' } else { 'pwsh' }
        $cold[$suffix] = [ordered]@{
            Bare   = New-PwshSide "$label -c `$null=1" $pwsh '$null=1'
            Empty  = New-PwshSide "$label -c 'Import-Module EmptyModule; Get-Empty'" $pwsh `
                "Import-Module $empty -ErrorAction Stop; if ((Get-Empty) -ne 1) { exit 3 }"
            Scan   = New-PwshSide "$label -c 'Import-Module; Get-Namespace'" $pwsh `
                "$import; `$n = @(Get-Namespace).Count; if (`$n -lt 8) { exit 3 }"
            Launch = New-PwshSide "$label -c 'Import-Module; New-Namespace -Type Net -FilePath true'" $pwsh `
                "$import; New-Namespace -Type Net -FilePath true -ErrorAction Stop; if (`$LASTEXITCODE) { exit 3 }" `
                -Unavailable $launchUnavailable
            Invoke = New-PwshSide "$label -c 'Import-Module; Invoke-InNamespace -Pid P -Type Net { 1 }'" $pwsh `
                "$import; if ((Invoke-InNamespace -Pid $target -Type Net { 1 } -ErrorAction Stop) -ne 1) { exit 3 }" `
                -Unavailable $invokeUnavailable
        }
    }
    $sides = @($cold.Values | ForEach-Object { $_.Values }) + @($warmScan, $warmLaunch, $warmInvoke)
    # At least 15 rounds: a whole pwsh's time varies by tens of milliseconds from run to run, as
    # much as the overheads compared here; with 7, C0 alone came out anywhere from 64 to 150 ms.
    Measure-BenchSide $sides -Repetitions ([Math]::Max($Context.Repetitions, 15))

    # The same work on each side, in fresh processes too: the program runs in a new network
    # namespace, the script block in P's, and the ReadyToRun copy is what it says.
    $pwsh = $Context.Pwsh
    $ownNet = readlink /proc/self/ns/net
    $problems = @(
        if (-not $launchUnavailable) {
            $seen = & $pwsh -NoProfile -NonInteractive -c "$import; New-Namespace -Type Net -FilePath readlink -ArgumentList /proc/self/ns/net"
            $reference = & $pwsh -NoProfile -NonInteractive -c 'unshare -n readlink /proc/self/ns/net'
            foreach ($pair in @(@('New-Namespace', $seen), @('unshare -n', $reference))) {
                if ("$($pair[1])" -notmatch '^net:\[\d+\]$' -or "$($pair[1])" -eq $ownNet) { "$($pair[0]) ran its program in '$($pair[1])'" }
            }
        }
        if (-not $invokeUnavailable) {
            $expected = readlink "/proc/$target/ns/net"
            $inside = & $pwsh -NoProfile -NonInteractive -c "$import; Invoke-InNamespace -Pid $target -Type Net { (Get-Item /proc/thread-self/ns/net).LinkTarget }"
            if ("$inside" -ne $expected) { "Invoke-InNamespace ran in '$inside', P is in $expected" }
        }
        $precompiled = & $Context.ReadyToRunPwsh -NoProfile -NonInteractive -c '$s = [IO.File]::OpenRead([psobject].Assembly.Location); try { [Reflection.PortableExecutable.PEReader]::new($s).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -ne 0 } finally { $s.Dispose() }'
        if ("$precompiled" -ne 'True') { "the ReadyToRun pwsh's System.Management.Automation has no ReadyToRun code" }
    )
    $check = if ($problems) { 'differs: ' + ($problems -join '; ') } else { 'every side exits 0 after its work; the launched program is in a new netns, the block in P''s; the ReadyToRun pwsh''s System.Management.Automation is precompiled' }

    $rows = foreach ($suffix in $cold.Keys) {
        $c = $cold[$suffix]
        $on = if ($suffix) { 'ReadyToRun pwsh' } else { 'pinned pwsh (IL)' }
        $bareText = "overhead over bare $on (median $(Format-Milliseconds $c.Bare.Median))"
        $emptyOverhead = Get-Overhead $c.Empty $c.Bare
        New-BenchValueRow -Id "C0$suffix" -Benchmark "floor: an empty one-cmdlet binary module's import + first call, $bareText" `
            -Ours $emptyOverhead.Name -Value (Format-Milliseconds $emptyOverhead.Median) -TargetText 'reported (the floor)' -Holds 'reported' -Check $check
        New-BenchRow -Id "C1$suffix" -Benchmark "import + first scan in a one-shot script, $bareText" -Ours (Get-Overhead $c.Scan $c.Bare) `
            -Reference (Get-FloorSide "C0$suffix" $emptyOverhead $warmScan) -Target 1.5 -TargetText '≤ 1.5' -Check $check
        New-BenchRow -Id "C2$suffix" -Benchmark "import + first launch in a new netns, one-shot script, $bareText" -Ours (Get-Overhead $c.Launch $c.Bare) `
            -Reference (Get-FloorSide "C0$suffix" $emptyOverhead $warmLaunch) -Target 1.5 -TargetText '≤ 1.5' -Check $check
        New-BenchRow -Id "C3$suffix" -Benchmark "import + first Invoke-InNamespace in a one-shot script, $bareText" -Ours (Get-Overhead $c.Invoke $c.Bare) `
            -Reference (Get-FloorSide "C0$suffix" $emptyOverhead $warmInvoke) -Target 1.5 -TargetText '≤ 1.5' -Check $check
    }
    @{
        Rows    = @($rows)
        Samples = @(Get-SampleRecord C $sides)
    }
}

Export-ModuleMember -Function Invoke-ColdStartBenchmark
