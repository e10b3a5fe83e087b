<#
    The benchmark fixture: groups of processes, each group in its own fresh pid, net, uts, ipc and
    mount namespaces (what `unshare -nuipmf --mount-proc` makes), plus named network namespaces.

    Every process of the fixture lives inside one outer PID namespace whose init is a shell
    reading commands from our pipe. Tearing down is making that init exit: the kernel then kills
    everything in the namespace, nested groups included. The init exits when the pipe closes,
    so the fixture also goes away when the benchmark's pwsh dies in any way (even SIGKILL).
    It runs in its own session, so Ctrl+C in the terminal reaches pwsh, not the fixture.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'BenchHarness.psm1')
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1')

$NamePrefix = 'psns-bench-'

# The outer init. "grow N" starts groups until there are N; each group's shell (PID 1 of the
# group's PID namespace) starts its sleeps and says "up" on our pipe. EOF ends the loop.
$InitScript = @'
exec 2>>"$1"
sleeps=$2
groups=0
while read -r command count; do
    [ "$command" = grow ] || continue
    while [ "$groups" -lt "$count" ]; do
        unshare --net --uts --ipc --pid --mount --fork --mount-proc --kill-child sh -c '
            i=0
            while [ "$i" -lt "$1" ]; do sleep infinity & i=$((i + 1)); done
            echo up
            wait' sh "$sleeps" &
        groups=$((groups + 1))
    done
done
'@

function Start-BenchFixture {
    <#
    .SYNOPSIS
        Starts the fixture's outer PID namespace, empty; Resize-BenchFixture adds the groups.
        GroupSize counts every process of a group: its unshare, its shell and GroupSize-2 sleeps.
    .PARAMETER StatePath
        Where unshare's PID and start time are written (and removed once the fixture is gone), so
        that the script which started this session can kill what is left if it died first.
    #>
    param(
        [Parameter(Mandatory)] [ValidateRange(3, 1000)] [int] $GroupSize,
        [Parameter(Mandatory)] [string] $LogPath,
        [Parameter(Mandatory)] [string] $StatePath
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new('setsid')
    foreach ($a in @('unshare', '--pid', '--fork', '--kill-child', '--', 'sh', '-c', $InitScript, 'sh', $LogPath, ($GroupSize - 2))) {
        $psi.ArgumentList.Add([string]$a)
    }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $fixture = [pscustomobject]@{
        Process   = $process
        Pid       = $process.Id
        StartTime = Get-ProcessStartTime $process.Id
        GroupSize = $GroupSize
        Groups    = [System.Collections.Generic.List[object]]::new()
        StatePath = $StatePath
    }
    @{ Pid = $fixture.Pid; StartTime = $fixture.StartTime } | ConvertTo-Json | Set-Content $StatePath
    # setsid(1) forks only when it is a process group leader, which a child of pwsh is not:
    # the PID we hold is unshare's, and it leads the fixture's session and process group
    # once setsid(1) has called setsid(2), which may be a moment after Process.Start returns.
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while (($sid = Get-ProcessSessionId $fixture.Pid) -ne $fixture.Pid -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 10
    }
    if ($sid -ne $fixture.Pid) {
        Stop-BenchFixture $fixture
        throw "The fixture did not start in its own session (sid $sid, pid $($fixture.Pid))."
    }
    $fixture
}

function Resize-BenchFixture {
    <# Adds groups until the fixture has GroupCount of them, and waits until each says it is up. #>
    param([Parameter(Mandatory)] $Fixture, [Parameter(Mandatory)] [int] $GroupCount)
    $adding = $GroupCount - $Fixture.Groups.Count
    if ($adding -lt 0) { throw 'The fixture only grows; start a new one for fewer groups.' }
    if ($adding -eq 0) { return }
    $Fixture.Process.StandardInput.WriteLine("grow $GroupCount")
    $Fixture.Process.StandardInput.Flush()
    $deadline = [DateTime]::UtcNow.AddSeconds(30 + $adding / 10)
    for ($up = 0; $up -lt $adding; $up++) {
        $line = $Fixture.Process.StandardOutput.ReadLineAsync()
        while (-not $line.Wait(200)) {
            if ($Fixture.Process.HasExited) { throw "The fixture ended (exit code $($Fixture.Process.ExitCode)); see its log." }
            if ([DateTime]::UtcNow -gt $deadline) { throw "Only $up of $adding new fixture groups came up in time; see the fixture log." }
        }
        if ($line.Result -ne 'up') { throw "The fixture said '$($line.Result)' instead of 'up'." }
    }

    # The groups, as PIDs of this PID namespace: the init's children are the groups' unshare
    # processes, and each of those has one child, the group's PID 1.
    $init = @(Get-ChildPid $Fixture.Pid)
    if ($init.Count -ne 1) { throw "The fixture's unshare has $($init.Count) children, expected 1." }
    $Fixture.Groups.Clear()
    foreach ($unsharePid in Get-ChildPid $init[0]) {
        $shell = @(Get-ChildPid $unsharePid)
        if ($shell.Count -eq 1) { $Fixture.Groups.Add([pscustomobject]@{ UnsharePid = $unsharePid; ShellPid = $shell[0] }) }
    }
    if ($Fixture.Groups.Count -ne $GroupCount) { throw "Found $($Fixture.Groups.Count) fixture groups, expected $GroupCount." }
    $expected = 2 + $GroupCount * $Fixture.GroupSize
    $actual = Get-FixtureProcessCount $Fixture
    if ($actual -ne $expected) { throw "The fixture has $actual processes, expected $expected." }
}

function Get-FixtureProcessCount {
    <# The processes of the fixture's session, as ps sees them. #>
    param([Parameter(Mandatory)] $Fixture)
    @(ps -e -o sid= | Where-Object { [int]$_ -eq $Fixture.Pid }).Count
}

function Stop-BenchFixture {
    <#
    .SYNOPSIS
        Closes the init's pipe so that it exits and the kernel kills its PID namespace; if that
        does not happen in time, kills the init, then the session's process group. Throws when
        anything of the fixture is still there afterwards.
    #>
    param([Parameter(Mandatory)] $Fixture)
    $process = $Fixture.Process
    if (-not $process.HasExited) {
        try { $process.StandardInput.Close() } catch { Write-Verbose "Closing the fixture's pipe: $_" }
        if (-not $process.WaitForExit(10000)) {
            foreach ($init in Get-ChildPid $Fixture.Pid) { kill -KILL $init 2>$null }
            if (-not $process.WaitForExit(5000)) { kill -KILL -- "-$($Fixture.Pid)" 2>$null }
            $null = $process.WaitForExit(5000)
        }
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (($left = Get-FixtureProcessCount $Fixture) -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    if ($left -gt 0) { throw "$left fixture processes are still running (session $($Fixture.Pid))." }
    $process.Dispose()
    Remove-Item $Fixture.StatePath -ErrorAction Ignore
}

function Add-BenchNamedNetns {
    <#
    .SYNOPSIS
        Makes Count named network namespaces with `ip netns add` (no process in them), and names
        the network namespace of one process with `ip netns attach`, so that one name has
        processes in it. Returns that name.
    #>
    param([Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [int] $AttachPid)
    for ($i = 0; $i -lt $Count; $i++) { Invoke-Checked ip @('netns', 'add', "$NamePrefix$i") }
    $name = "${NamePrefix}group"
    Invoke-Checked ip @('netns', 'attach', $name, $AttachPid)
    $name
}

function Remove-BenchNamedNetns {
    <#
    .SYNOPSIS
        Deletes every named network namespace the benchmarks made, whoever made it, then
        /run/netns itself: iproute2 bind-mounts it onto itself on first use and leaves it so.
        Only for the benchmark session, whose /run is a tmpfs of its own.
    .PARAMETER KeepMountId
        Mounts on /run/netns that were there before the session's tmpfs hid them (the rest of
        the machine's /run/netns): not ours to unmount.
    #>
    param([string[]] $KeepMountId = @())
    $failed = @()
    foreach ($entry in Get-ChildItem /run/netns -Filter "$NamePrefix*" -ErrorAction Ignore) {
        ip netns delete $entry.Name 2>$null
        if ($LASTEXITCODE -ne 0) { $failed += $entry.Name }
    }
    if ($failed) { throw "Could not delete the named network namespaces $($failed -join ', ')." }
    if (Test-Path /run/netns) {
        foreach ($mount in Get-NetnsDirMountId | Where-Object { $_ -notin $KeepMountId }) { Invoke-Checked umount @('/run/netns') }
        Remove-Item /run/netns
    }
}

function Get-NetnsDirMountId {
    <# The ids of the mounts whose mount point is /run/netns (mountinfo field 5), stacked or hidden. #>
    foreach ($line in Get-Content /proc/self/mountinfo) {
        $f = $line -split ' '
        if ($f[4] -eq '/run/netns') { $f[0] }
    }
}

function Get-ProcessStat {
    # /proc/PID/stat split after the command (which may hold spaces): field 3 (state) comes first.
    param([Parameter(Mandatory)] [int] $ProcessId)
    $text = Get-Content "/proc/$ProcessId/stat" -Raw -ErrorAction Ignore
    if (-not $text) { return $null }
    -split $text.Substring($text.LastIndexOf(')') + 1)
}

function Get-ProcessStartTime {
    <# Field 22 of /proc/PID/stat: with the PID, it names one process even after PID reuse. #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    $fields = Get-ProcessStat $ProcessId
    if ($fields) { [uint64]$fields[19] } else { $null }
}

function Get-ProcessSessionId {
    param([Parameter(Mandatory)] [int] $ProcessId)
    $fields = Get-ProcessStat $ProcessId
    if ($fields) { [int]$fields[3] } else { $null }
}

Export-ModuleMember -Function Start-BenchFixture, Resize-BenchFixture, Stop-BenchFixture, Get-FixtureProcessCount,
    Add-BenchNamedNetns, Remove-BenchNamedNetns, Get-NetnsDirMountId, Get-ProcessStartTime
