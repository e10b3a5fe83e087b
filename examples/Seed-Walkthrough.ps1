<#
.SYNOPSIS
    The seed article's walk through PID namespaces, step by step, with PSNamespaces.
.DESCRIPTION
    Each step prints the shell command the article uses, then does the same with this module.
    Everything it starts (processes, namespaces) it removes again, also when a step fails.
    Run it with `dotnet pwsh ./build.ps1 -Task Demo`, as root.
#>
param([string] $ModulePath = (Join-Path $PSScriptRoot '../out/PSNamespaces'))

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Show-Step([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }
function Show-Command([string] $Text) { Write-Host "PS> $Text" -ForegroundColor DarkGray }

function Start-Unshared([string[]] $Arguments) {
    # A long-lived namespace for the walk: `unshare --fork --kill-child ...`, and the PID of the
    # program it runs (PID 1 inside the new PID namespace).
    $psi = [System.Diagnostics.ProcessStartInfo]::new('unshare')
    foreach ($a in @('--fork', '--kill-child') + $Arguments) { $psi.ArgumentList.Add($a) }
    $outer = [System.Diagnostics.Process]::Start($psi)
    for ($i = 0; $i -lt 500; $i++) {
        $child = (Get-Content "/proc/$($outer.Id)/task/$($outer.Id)/children" -Raw -ErrorAction Ignore) -split '\s+' | Where-Object { $_ } | Select-Object -First 1
        if ($child -and (Get-Content "/proc/$child/comm" -ErrorAction Ignore) -ne 'unshare') {
            return [pscustomobject]@{ Outer = $outer; Pid = [int]$child }
        }
        Start-Sleep -Milliseconds 10
    }
    throw "unshare $Arguments did not start"
}

$started = @()
try {
    Show-Step 'A new PID namespace: the program is PID 1, but only a fresh /proc says so'
    Show-Command 'unshare --fork --pid readlink /proc/self          # without --mount-proc'
    unshare --fork --pid readlink /proc/self
    Write-Host '   ^ the host''s /proc still answers with the PID seen from outside.'
    Show-Command 'unshare --fork --pid --mount-proc readlink /proc/self'
    unshare --fork --pid --mount-proc readlink /proc/self
    Write-Host '   ^ PID 1: the program is the init of its new PID namespace.'

    Show-Step 'A long-lived namespace with several processes, seen from outside'
    Show-Command "unshare --fork --pid --mount-proc --uts --ipc --net bash -c 'sleep 600 & sleep 600 & wait'"
    $box = Start-Unshared @('--pid', '--mount-proc', '--uts', '--ipc', '--net', 'bash', '-c', 'sleep 600 & sleep 600 & wait')
    $started += $box
    Start-Sleep -Milliseconds 200
    Write-Host "   bash is PID $($box.Pid) outside."

    Show-Step '/proc/PID/status: NSpid lists the PID in every PID namespace, outermost first'
    Show-Command "grep NSpid /proc/$($box.Pid)/status"
    grep NSpid "/proc/$($box.Pid)/status"
    Show-Command "Get-ProcNsStatus -Pid $($box.Pid) | Format-Table"
    Get-ProcNsStatus -Pid $box.Pid | Format-Table | Out-Host

    Show-Step 'ls -l /proc/PID/ns: the namespaces of one process'
    Show-Command "ls -l /proc/$($box.Pid)/ns"
    ls -l "/proc/$($box.Pid)/ns" | Out-Host
    Show-Command "Get-NamespaceProcess -Pid $($box.Pid) | Format-List"
    $inside = Get-NamespaceProcess -Pid $box.Pid
    $inside | Format-List | Out-Host

    Show-Step 'The stat of the ns/pid file is the PID namespace''s identity'
    Show-Command "stat -L -c 'dev=%d inode=%i' /proc/$($box.Pid)/ns/pid"
    stat -L -c 'dev=%d inode=%i' "/proc/$($box.Pid)/ns/pid"
    Write-Host "   PidNs = $($inside.PidNs): the same inode, and the same for every process in that namespace."

    Show-Step 'Every process in that PID namespace (lsns INODE)'
    Show-Command "Get-NamespaceProcess -Type Pid -Inode $($inside.PidNs) | Format-Table"
    Get-NamespaceProcess -Type Pid -Inode $inside.PidNs | Format-Table | Out-Host

    Show-Step 'Entering with the namespace''s PID and listing the processes from inside'
    Show-Command "nsenter --target $($box.Pid) --pid --mount ps -o pid,comm"
    nsenter --target $box.Pid --pid --mount ps -o pid,comm
    Show-Command "Get-ProcNsStatus -Pid (Get-NamespaceProcess -Type Pid -Inode $($inside.PidNs)).Pid | Format-Table Pid, Name, NSpid"
    Get-ProcNsStatus -Pid (Get-NamespaceProcess -Type Pid -Inode $inside.PidNs).Pid | Format-Table Pid, Name, @{ n = 'PID inside'; e = { $_.InnermostPid } }, @{ n = 'NSpid'; e = { $_.NSpid -join ' ' } } | Out-Host
}
finally {
    Show-Step 'Cleaning up'
    foreach ($s in $started) {
        kill -KILL $s.Pid 2>$null
        $s.Outer.WaitForExit()
        Write-Host "   stopped PID $($s.Pid) and its namespace."
    }
}
