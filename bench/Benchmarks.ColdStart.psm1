<#
    Benchmarks of one-shot scripts (issue 17): whole pwsh processes, as cron, Ansible or a CI step
    runs them, each side's figure being its overhead over a bare `pwsh -NoProfile -c $null=1`
    measured alongside in the same rotation. Returns @{ Rows; Samples }.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')

function New-PwshSide {
    <#
    .SYNOPSIS
        A side that starts `pwsh -NoProfile -NonInteractive -c Command` and waits for it. The
        command ends with `exit 3` when its work went wrong, so a side that did nothing cannot
        look fast; any exit code but 0 fails the sample.
    #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Pwsh, [Parameter(Mandatory)] [string] $Command, [string] $Unavailable)
    New-BenchSide $Name -Unavailable $Unavailable -Script {
        $output = & $Pwsh -NoProfile -NonInteractive -c $Command
        if ($LASTEXITCODE) { throw "pwsh -c '$Command' exited with $LASTEXITCODE" }
        $output
    }.GetNewClosure()
}

function Get-Overhead {
    <# A side whose median is another side's median minus the bare pwsh's, for New-BenchRow. #>
    param([Parameter(Mandatory)] $Side, [Parameter(Mandatory)] $Bare)
    [pscustomobject]@{
        Name        = "$($Side.Name) − bare pwsh"
        Unavailable = $Side.Unavailable
        Median      = if ($Side.Unavailable) { $null } else { [Math]::Max($Side.Median - $Bare.Median, 0.01) }
    }
}

function Invoke-ColdStartBenchmark {
    <#
        C1 import + first Get-Namespace against lsns -J | ConvertFrom-Json; C2 import + first
        New-Namespace -Type Net -FilePath true against unshare -n true; C3 import + first
        Invoke-InNamespace, reported beside nsenter -n true. All in fresh pwsh processes.
    #>
    param([Parameter(Mandatory)] $Context)
    $pwsh = $Context.Pwsh
    $module = "'$($Context.ModulePath -replace "'", "''")'"
    $target = $Context.Fixture.Groups[0].ShellPid
    $import = "Import-Module $module -ErrorAction Stop"

    $bare = New-PwshSide 'pwsh -c $null=1' $pwsh '$null=1'
    $scan = New-PwshSide 'pwsh -c ''Import-Module; Get-Namespace''' $pwsh `
        "$import; `$n = @(Get-Namespace).Count; if (`$n -lt 8) { exit 3 }"
    $lsns = New-PwshSide 'pwsh -c ''lsns -J | ConvertFrom-Json''' $pwsh `
        '$n = @((lsns -J | ConvertFrom-Json).namespaces).Count; if ($LASTEXITCODE -or $n -lt 8) { exit 3 }'
    $launch = New-PwshSide 'pwsh -c ''Import-Module; New-Namespace -Type Net -FilePath true''' $pwsh `
        "$import; New-Namespace -Type Net -FilePath true -ErrorAction Stop; if (`$LASTEXITCODE) { exit 3 }" `
        -Unavailable (Test-BenchCommand New-Namespace FilePath)
    $unshare = New-PwshSide 'pwsh -c ''unshare -n true''' $pwsh 'unshare -n true; if ($LASTEXITCODE) { exit 3 }'
    $invoke = New-PwshSide 'pwsh -c ''Import-Module; Invoke-InNamespace -Pid P -Type Net { 1 }''' $pwsh `
        "$import; if ((Invoke-InNamespace -Pid $target -Type Net { 1 } -ErrorAction Stop) -ne 1) { exit 3 }" `
        -Unavailable (Test-BenchCommand Invoke-InNamespace Pid, Type)
    $nsenter = New-PwshSide 'pwsh -c ''nsenter -t P -n true''' $pwsh "nsenter -t $target -n true; if (`$LASTEXITCODE) { exit 3 }"
    $sides = @($bare, $scan, $lsns, $launch, $unshare, $invoke, $nsenter)
    Measure-BenchSide $sides -Repetitions $Context.Repetitions

    # The same work on each pair of sides, in fresh processes too: the program runs in a new
    # network namespace, and the script block runs in P's.
    $ownNet = readlink /proc/self/ns/net
    $problems = @(
        if (-not $launch.Unavailable) {
            $seen = & $pwsh -NoProfile -NonInteractive -c "$import; New-Namespace -Type Net -FilePath readlink -ArgumentList /proc/self/ns/net"
            $reference = & $pwsh -NoProfile -NonInteractive -c 'unshare -n readlink /proc/self/ns/net'
            foreach ($pair in @(@('New-Namespace', $seen), @('unshare -n', $reference))) {
                if ("$($pair[1])" -notmatch '^net:\[\d+\]$' -or "$($pair[1])" -eq $ownNet) { "$($pair[0]) ran its program in '$($pair[1])'" }
            }
        }
        if (-not $invoke.Unavailable) {
            $expected = readlink "/proc/$target/ns/net"
            $inside = & $pwsh -NoProfile -NonInteractive -c "$import; Invoke-InNamespace -Pid $target -Type Net { (Get-Item /proc/thread-self/ns/net).LinkTarget }"
            if ("$inside" -ne $expected) { "Invoke-InNamespace ran in '$inside', P is in $expected" }
        }
    )
    $check = if ($problems) { 'differs: ' + ($problems -join '; ') } else { 'every side exits 0 after its work; the launched program is in a new netns, the block in P''s' }

    $bareOverhead = "overhead over bare pwsh (median $(Format-Milliseconds $bare.Median))"
    $c3 = New-BenchRow -Id C3 -Benchmark "first Invoke-InNamespace in a one-shot pwsh, $bareOverhead" -Ours (Get-Overhead $invoke $bare) -Reference (Get-Overhead $nsenter $bare) -Target ([double]::MaxValue) -TargetText 'reported' -Check $check
    if ($c3.Holds -eq 'yes') { $c3.Holds = 'reported' }
    @{
        Rows    = @(
            New-BenchRow -Id C1 -Benchmark "import + first scan in a one-shot pwsh, $bareOverhead" -Ours (Get-Overhead $scan $bare) -Reference (Get-Overhead $lsns $bare) -Target (1 / 3) -TargetText '≤ 1/3' -Check $check
            New-BenchRow -Id C2 -Benchmark "import + first launch in a new netns, one-shot pwsh, $bareOverhead" -Ours (Get-Overhead $launch $bare) -Reference (Get-Overhead $unshare $bare) -Target 1.5 -TargetText '≤ 1.5' -Check $check
            $c3
        )
        Samples = @(Get-SampleRecord C $sides)
    }
}

Export-ModuleMember -Function Invoke-ColdStartBenchmark
