<#
    Benchmarks of the cmdlets that create and enter namespaces (issues 4, 5 and 6): named netns
    churn against ip netns and a C loop, launching programs against unshare, and
    Invoke-InNamespace against nsenter + pwsh. Each returns @{ Rows; Samples }.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')

# The counts the issues fix: 100 named netns made and removed, 50 launches, 100 calls vs 10.
$ChurnCount = 100
$LaunchCount = 50
$InvokeCount = 100
$NsenterCount = 10

function Get-LiveNetnsEstimate {
    <# The kernel's net_namespace slab objects, a close count of the network namespaces not yet freed. #>
    $line = Select-String -Path /proc/slabinfo -Pattern '^net_namespace\s+(\d+)' -ErrorAction Ignore | Select-Object -First 1
    if ($line) { [int]$line.Matches[0].Groups[1].Value } else { $null }
}

function Wait-NetnsCleanup {
    <#
    .SYNOPSIS
        Waits until the kernel has freed the network namespaces deleted so far. It frees them on
        a work queue after the delete returns; without the wait, one side's teardown would be
        timed in the next side's sample.
    #>
    $deadline = [DateTime]::UtcNow.AddSeconds(3)
    $last = -1
    $steady = 0
    while ($steady -lt 3 -and [DateTime]::UtcNow -lt $deadline) {
        $now = Get-LiveNetnsEstimate
        if ($null -eq $now) { Start-Sleep -Milliseconds 200; return }
        $steady = if ($now -eq $last) { $steady + 1 } else { 0 }
        $last = $now
        Start-Sleep -Milliseconds 20
    }
}

function Invoke-NetnsChurnBenchmark {
    <# 4. Make 100 named network namespaces, then remove them: New-/Remove-Namespace against ip netns add/delete and the C loop. #>
    param([Parameter(Mandatory)] $Context)
    $prefix = 'psns-bench-churn'
    $names = @(0..($ChurnCount - 1) | ForEach-Object { "$prefix$_" })
    $loop = $Context.NetnsLoop
    $unavailable = (Test-BenchCommand New-Namespace Name), (Test-BenchCommand Remove-Namespace Name) | Where-Object { $_ } | Select-Object -First 1
    $ours = New-BenchSide "$ChurnCount × New-Namespace -Type Net -Name X, then $ChurnCount × Remove-Namespace -Name X" -Unavailable $unavailable -Script {
        foreach ($n in $names) { $made = New-Namespace -Type Net -Name $n -ErrorAction Stop }
        foreach ($n in $names) { Remove-Namespace -Name $n -Confirm:$false -ErrorAction Stop }
        $made
    }
    $ip = New-BenchSide "$ChurnCount × ip netns add X, then $ChurnCount × ip netns delete X" {
        foreach ($n in $names) { ip netns add $n; if ($LASTEXITCODE) { throw "ip netns add $n exited with $LASTEXITCODE" } }
        foreach ($n in $names) { ip netns delete $n; if ($LASTEXITCODE) { throw "ip netns delete $n exited with $LASTEXITCODE" } }
    }
    $c = New-BenchSide "netns-loop $ChurnCount (C, own clock)" -SelfTimed {
        $said = & $loop $ChurnCount $prefix
        if ($LASTEXITCODE -or $said -notmatch "^created $ChurnCount removed $ChurnCount (\d+)$") { throw "netns-loop said '$said', exit code $LASTEXITCODE" }
        [pscustomobject]@{ ElapsedMs = [double]$Matches[1] / 1000 }
    }
    $sides = @($ours, $ip, $c)
    $before = {
        $left = @(Get-ChildItem /run/netns -Filter "$prefix*" -ErrorAction Ignore)
        if ($left) { throw "A side left $($left.Count) named netns behind ($($left[0].Name)...)." }
        Wait-NetnsCleanup
    }
    Measure-BenchSide $sides -Repetitions $Context.Repetitions -BeforeSample $before
    & $before

    # The same work on both sides: what New-Namespace makes is a new network namespace that
    # iproute2 can enter, and what Remove-Namespace removes is gone for iproute2 too.
    $check = "every side made and removed all $ChurnCount (errors stop a side), none left"
    if (-not $unavailable) {
        $probe = "${prefix}-check"
        $null = New-Namespace -Type Net -Name $probe -ErrorAction Stop
        $inside = ip netns exec $probe readlink /proc/self/ns/net
        Remove-Namespace -Name $probe -Confirm:$false -ErrorAction Stop
        $listed = @(ip netns list | Where-Object { ($_ -split ' ')[0] -eq $probe })
        if (-not $inside -or $inside -eq (readlink /proc/self/ns/net) -or $listed) {
            $check = "differs: ip netns exec saw '$inside' in New-Namespace's netns; after Remove-Namespace, ip netns list has it: $([bool]$listed)"
        } else {
            $check += '; ip netns exec enters what New-Namespace makes'
        }
    }
    @{
        Rows    = @(
            New-BenchRow -Id 4a -Benchmark "make + remove $ChurnCount named netns" -Ours $ours -Reference $ip -Target (1 / 3) -TargetText '≤ 1/3' -Check $check
            New-BenchRow -Id 4b -Benchmark "make + remove $ChurnCount named netns" -Ours $ours -Reference $c -Target 3 -TargetText '≤ 3' -Check $check
        )
        Samples = @(Get-SampleRecord 4 $sides)
    }
}

function Invoke-LaunchBenchmark {
    <# 5. Run `true` 50 times in new PID + mount namespaces with a fresh /proc: New-Namespace -FilePath against unshare -pmf --mount-proc. #>
    param([Parameter(Mandatory)] $Context)
    $unavailable = Test-BenchCommand New-Namespace FilePath, MountProc
    $ours = New-BenchSide "$LaunchCount × New-Namespace -Type Pid,Mount -MountProc -FilePath true" -Unavailable $unavailable -Script {
        for ($i = 0; $i -lt $LaunchCount; $i++) {
            New-Namespace -Type Pid, Mount -MountProc -FilePath true -ErrorAction Stop
            if ($LASTEXITCODE) { throw "true exited with $LASTEXITCODE" }
        }
    }
    $unshare = New-BenchSide "$LaunchCount × unshare -pmf --mount-proc true" {
        for ($i = 0; $i -lt $LaunchCount; $i++) {
            unshare -pmf --mount-proc true
            if ($LASTEXITCODE) { throw "unshare exited with $LASTEXITCODE" }
        }
    }
    Measure-BenchSide @($ours, $unshare) -Repetitions $Context.Repetitions

    # The same work on both sides: the program is PID 1 of its namespace and sees its own /proc.
    # It writes that to a file (under this session's private /run), since what New-Namespace does
    # with a program's output is its own business.
    $probe = '/run/psns-bench-launch'
    $command = "echo `$`$ `$(cat /proc/1/comm) > $probe"
    $expected = '1 sh'
    $seen = @{}
    unshare -pmf --mount-proc sh -c $command
    $seen['unshare'] = Get-Content $probe -ErrorAction Ignore
    if (-not $unavailable) {
        Remove-Item $probe -ErrorAction Ignore
        New-Namespace -Type Pid, Mount -MountProc -FilePath sh -ArgumentList '-c', $command -ErrorAction Stop
        $seen['New-Namespace'] = Get-Content $probe -ErrorAction Ignore
    }
    Remove-Item $probe -ErrorAction Ignore
    $wrong = @($seen.Keys | Where-Object { $seen[$_] -ne $expected } | ForEach-Object { "$_ saw '$($seen[$_])'" })
    $check = if ($wrong) { 'differs: ' + ($wrong -join '; ') + " instead of '$expected'" } else { "the program is PID 1 and /proc/1 is its shell on every side" }

    @{
        Rows    = @(New-BenchRow -Id 5 -Benchmark "launch true $LaunchCount times in new pid+mnt ns" -Ours $ours -Reference $unshare -Target 1.2 -TargetText '≤ 1.2' -Check $check)
        Samples = @(Get-SampleRecord 5 @($ours, $unshare))
    }
}

function Invoke-InvokeInNamespaceBenchmark {
    <# 6. PowerShell inside a process's network namespace: 100 Invoke-InNamespace calls against 10 nsenter + pwsh. #>
    param([Parameter(Mandatory)] $Context)
    $target = $Context.Fixture.Groups[0].ShellPid
    $pwsh = $Context.Pwsh
    $unavailable = Test-BenchCommand Invoke-InNamespace Pid, Type
    $ours = New-BenchSide "$InvokeCount × Invoke-InNamespace -Pid P -Type Net { 1 }" -Unavailable $unavailable -Script {
        $sum = 0
        for ($i = 0; $i -lt $InvokeCount; $i++) { $sum += Invoke-InNamespace -Pid $target -Type Net { 1 } -ErrorAction Stop }
        if ($sum -ne $InvokeCount) { throw "Invoke-InNamespace returned $sum ones, expected $InvokeCount" }
    }
    $nsenter = New-BenchSide "$NsenterCount × nsenter -t P -n pwsh -NoProfile -c 1" {
        $sum = 0
        for ($i = 0; $i -lt $NsenterCount; $i++) {
            $sum += [int](nsenter -t $target -n $pwsh -NoProfile -c 1)
            if ($LASTEXITCODE) { throw "nsenter exited with $LASTEXITCODE" }
        }
        if ($sum -ne $NsenterCount) { throw "nsenter + pwsh printed $sum ones, expected $NsenterCount" }
    }
    Measure-BenchSide @($ours, $nsenter) -Repetitions $Context.Repetitions

    # The same work on both sides: the code runs in P's network namespace.
    $expected = readlink "/proc/$target/ns/net"
    $seen = @{ nsenter = nsenter -t $target -n readlink /proc/self/ns/net }
    if (-not $unavailable) {
        $seen['Invoke-InNamespace'] = Invoke-InNamespace -Pid $target -Type Net { (Get-Item /proc/thread-self/ns/net).LinkTarget } -ErrorAction Stop
    }
    $wrong = @($seen.Keys | Where-Object { $seen[$_] -ne $expected } | ForEach-Object { "$_ ran in $($seen[$_])" })
    $check = if ($wrong) { 'differs: ' + ($wrong -join '; ') + ", P is in $expected" } else { "every side runs in P's net namespace ($expected)" }

    @{
        Rows    = @(New-BenchRow -Id 6 -Benchmark 'PowerShell in a net namespace' -Ours $ours -Reference $nsenter -Target (1 / 10) -TargetText '≤ 1/10 (per call ≤ 1/100)' -Check $check)
        Samples = @(Get-SampleRecord 6 @($ours, $nsenter))
    }
}

Export-ModuleMember -Function Invoke-NetnsChurnBenchmark, Invoke-LaunchBenchmark, Invoke-InvokeInNamespaceBenchmark
