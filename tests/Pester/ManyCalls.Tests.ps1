# Issue 9, leaks: 1,000 mixed calls of every cmdlet leave pwsh as they found it — the same
# threads in the same namespaces, as many threads, the same descriptors, no child processes —
# and every program launched gets descriptors 0, 1 and 2 only. The calls run in a pwsh of their
# own, so that nothing of Pester's or of other test files is counted.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    $modulePath = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { (Resolve-Path (Join-Path $PSScriptRoot '../../out/PSNamespaces')).Path }
    $prefix = "psns-i9m-$PID"
    $dir = "/tmp/$prefix"
    $null = New-Item -ItemType Directory -Path $dir -Force
    # The process whose namespaces the calls read and enter.
    $holder = Start-TestProcess -Unshare '--net', '--uts'

    $script = Join-Path $dir 'mixed-calls.ps1'
    Set-Content $script @'
param([string] $ModulePath, [string] $TestHelpers, [int] $HolderPid, [string] $Dir, [string] $Prefix, [int] $Calls)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module $TestHelpers

function Get-PwshState {
    $self = [Environment]::ProcessId
    $link = { param($path) (Get-Item -LiteralPath $path -Force -ErrorAction Ignore).LinkTarget }
    $main = @(Get-ChildItem "/proc/$self/task/$self/ns" | Sort-Object Name | ForEach-Object { "$($_.Name) $(& $link $_.FullName)" }) -join ', '
    $foreign = @()
    $counted = 0
    foreach ($task in Get-ChildItem "/proc/$self/task") {
        $comm = Get-Content "$($task.FullName)/comm" -ErrorAction Ignore
        $ns = @(Get-ChildItem "$($task.FullName)/ns" -ErrorAction Ignore | Sort-Object Name | ForEach-Object { "$($_.Name) $(& $link $_.FullName)" }) -join ', '
        if (-not $comm -or -not $ns) { continue }  # ended while being read
        # Without the thread id: a worker idle for 10 s (a slow machine) ends and a new one takes its place.
        # Pool threads come and go (not counted), but one in a namespace is a bug (listed).
        if (Test-SelfEndingRuntimeThread $comm) { continue }
        if ($ns -ne $main) { $foreign += "$comm [$ns]" }
        if ($comm -notlike '.NET TP *') { $counted++ }
    }
    [pscustomobject]@{
        ForeignThreads = @($foreign | Sort-Object)
        Threads        = $counted
        Descriptors    = @(Get-OpenDescriptor)
        Children       = @(Get-ChildItem "/proc/$self/task" | ForEach-Object { (Get-Content "$($_.FullName)/children" -Raw -ErrorAction Ignore) -split '\s+' } | Where-Object { $_ })
    }
}

function Test-SameState($a, $b) {
    (($a.ForeignThreads -join '|') -eq ($b.ForeignThreads -join '|')) -and $a.Threads -eq $b.Threads -and
    (($a.Descriptors -join '|') -eq ($b.Descriptors -join '|')) -and $b.Children.Count -eq 0
}

function Wait-PwshState([scriptblock] $Settled, [switch] $KeepWorker) {
    # Threads of finished calls end a moment after the call returns, helpers are reaped a moment
    # later: the state is read until it is as expected, or 20 s have passed.
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    $previous = $null
    do {
        # The cached worker is part of the state: keep it from ending idle while we look.
        if ($KeepWorker) { $null = Invoke-InNamespace -Pid $HolderPid -Type Net { 1 } }
        $now = Get-PwshState
        if (& $Settled $previous $now) { break }
        $previous = $now
        Start-Sleep -Milliseconds 200
    } while ([DateTime]::UtcNow -lt $deadline)
    $now
}

$badDescriptors = [System.Collections.Generic.List[string]]::new()
function Invoke-MixedCall([int] $Kind) {
    switch ($Kind) {
        0 { $null = Get-ProcNsStatus -Pid $HolderPid }
        1 { $null = Get-NamespaceProcess -Pid $HolderPid }
        2 { $null = Get-Namespace -Pid $HolderPid -Type Net, Uts }
        3 {
            $null = New-Namespace -Type Net -Name "$Prefix-n" -LoopbackUp
            Set-NamespaceNetNsId -Name "$Prefix-n"
            Remove-Namespace -Name "$Prefix-n" -WarningAction Stop
        }
        4 {
            $null = New-Namespace -Type Uts, Ipc, User -Path "$Dir/uts", "$Dir/ipc", "$Dir/user"
            Remove-Namespace -Path "$Dir/uts", "$Dir/ipc", "$Dir/user" -WarningAction Stop
        }
        5 { $null = Invoke-InNamespace -Pid $HolderPid -Type Net { hostname } }
        6 {
            $fds = (New-Namespace -Type Uts, Pid -MountProc -FilePath sh -ArgumentList '-c', 'ls /proc/$$/fd') -join ' '
            if ($fds -ne '0 1 2') { $badDescriptors.Add("New-Namespace: $fds") }
        }
        7 {
            $fds = (Enter-Namespace -Pid $HolderPid -Type Net, Uts -FilePath sh -ArgumentList '-c', 'ls /proc/$$/fd') -join ' '
            if ($fds -ne '0 1 2') { $badDescriptors.Add("Enter-Namespace: $fds") }
        }
        8 {
            # Calls that fail: each error is written, nothing is left of the attempt.
            Get-NamespaceProcess -Pid 2147483647 -ErrorAction SilentlyContinue
            Remove-Namespace -Name "$Prefix-missing" -ErrorAction SilentlyContinue
            New-Namespace -Type Uts -FilePath "$Dir/missing" -ErrorAction SilentlyContinue
            Invoke-InNamespace -Path /dev/null { 1 } -ErrorAction SilentlyContinue
            Enter-Namespace -Name "$Prefix-missing" -FilePath true -ErrorAction SilentlyContinue
        }
        9 {
            $launched = New-Namespace -Type Pid, Mount -MountProc -FilePath sleep -ArgumentList 100 -NoWait
            $launched.Kill()
            if (-not $launched.WaitForExit(10000)) { throw "sleep $($launched.Pid) did not end after Kill()" }
        }
    }
}

# One of each first: what the module starts once (its spawner thread, a cached worker for the
# holder's network namespace) and what pwsh loads on first use are the baseline, not a leak.
foreach ($kind in 0..9) { Invoke-MixedCall $kind }
$before = Wait-PwshState -KeepWorker { param($previous, $now) $previous -and (Test-SameState $previous $now) }
for ($i = 0; $i -lt $Calls; $i++) { Invoke-MixedCall ($i % 10) }
$after = Wait-PwshState -KeepWorker { param($previous, $now) Test-SameState $before $now }
Remove-Module PSNamespaces
$removed = Wait-PwshState { param($previous, $now) $now.ForeignThreads.Count -eq 0 }

[pscustomobject]@{
    Before         = $before
    After          = $after
    AfterRemove    = $removed
    BadDescriptors = @($badDescriptors)
} | ConvertTo-Json -Depth 4
'@
}

AfterAll {
    if ($holder) { Stop-TestProcess $holder }
    Clear-TestNamespace -Directory $dir -NamePrefix $prefix
}

Describe '1,000 mixed calls' -Tag 'Root', 'Slow' {
    BeforeAll {
        $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $script -ModulePath $modulePath -TestHelpers (Join-Path $PSScriptRoot 'TestHelpers.psm1') -HolderPid $holder.Pid -Dir $dir -Prefix $prefix -Calls 1000 2>&1
        $exitCode = $LASTEXITCODE
        $report = if ($exitCode -eq 0) { ($output -join "`n") | ConvertFrom-Json }
    }

    It 'all succeed (the ones meant to fail write their error and go on)' {
        $exitCode | Should -Be 0 -Because ($output -join "`n")
    }

    Context 'what the calls left' {
        BeforeEach {
            # Without a report every check below would compare nothing with nothing, and pass.
            $report | Should -Not -BeNullOrEmpty -Because 'the calls must run to the end and report'
        }

        It 'leave every thread of pwsh in the namespaces it was in' {
            # Before and after alike: the main thread's namespaces, and one cached worker in the holder's network namespace.
            $report.Before.ForeignThreads.Count | Should -Be 1
            $report.Before.ForeignThreads[0] | Should -Match "net net:\[$(Get-NsInode $holder.Pid net)\]"
            $report.After.ForeignThreads | Should -Be $report.Before.ForeignThreads
        }

        It 'leave as many threads as before' {
            $report.After.Threads | Should -Be $report.Before.Threads
        }

        It 'leave the same descriptors open' {
            $report.After.Descriptors | Should -Be $report.Before.Descriptors -Because (Compare-Object $report.Before.Descriptors $report.After.Descriptors | Out-String)
        }

        It 'leave no child process, running or zombie' {
            $report.After.Children | Should -BeNullOrEmpty
        }

        It 'give every launched program descriptors 0, 1 and 2 only' {
            $report.BadDescriptors | Should -BeNullOrEmpty
        }

        It 'and Remove-Module ends the cached workers: no thread is left in another namespace' {
            $report.AfterRemove.ForeignThreads | Should -BeNullOrEmpty
        }
    }
}
