<#
    Helpers for the tests of programs started inside namespaces (New-Namespace -FilePath,
    Enter-Namespace): a busybox root filesystem, waiting for programs and reaping orphans.
#>

Set-StrictMode -Version Latest

function New-BusyboxRoot {
    <#
    .SYNOPSIS
        A small root filesystem: a static busybox (Debian's busybox-static, which build.ps1
        -Task Test installs), its applets, and /init, which prints what it sees as key=value lines.
    #>
    $busybox = '/bin/busybox'
    # A dynamically linked busybox (Debian's busybox package) would find no libc in the new root.
    if (-not (Test-Path $busybox) -or (ldd $busybox 2>&1) -notmatch 'not a dynamic executable') {
        throw "$busybox is not a static busybox: install busybox-static (build.ps1 -Task Test does, as root)."
    }
    $fs = Join-Path ([IO.Path]::GetTempPath()) "psns-i5-root-$([Guid]::NewGuid().ToString('n').Substring(0, 8))"
    foreach ($dir in 'bin', 'proc', 'tmp') { $null = New-Item -ItemType Directory -Path (Join-Path $fs $dir) -Force }
    Copy-Item $busybox (Join-Path $fs 'bin/busybox')
    foreach ($applet in 'sh', 'id', 'ip', 'ls', 'cat', 'wc', 'grep') {
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $fs "bin/$applet") -Target busybox
    }
    $init = Join-Path $fs 'init'
    Set-Content -Path $init -Value @(
        '#!/bin/sh'
        'echo "pid=$$"'
        'echo "uid=$(id -u)"'
        'echo "links=$(ip -o link | wc -l)"'
        'if grep -q " /proc proc " /proc/mounts; then echo proc=mounted; else echo proc=none; fi'
        'echo "root=$(ls /)"'
    )
    chmod 755 $init $fs
    $fs
}

function Wait-ProcessWithArgument {
    <# The PID of a program whose command line contains text, within a few seconds, or $null. #>
    param([Parameter(Mandatory)] [string] $Text)
    # Generous: a pwsh that starts the program may take seconds to start on a loaded machine.
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        foreach ($dir in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
            $cmdline = Get-Content "$($dir.FullName)/cmdline" -Raw -ErrorAction Ignore
            # Not pwsh's command line that mentions it, nor the exec helper's (its short command line, "nsexec unshare pid -- PROGRAM ARGS", names the program).
            if ($cmdline -and $cmdline.Contains($Text) -and $cmdline -notmatch 'pwsh|Import-Module|^nsexec[\x00 ]') {
                return [int]$dir.Name
            }
        }
        Start-Sleep -Milliseconds 50
    }
    $null
}

function Wait-ProcessGone {
    <# Whether a process is gone (or a zombie) within 30 s. #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $stat = Get-Content "/proc/$ProcessId/stat" -Raw -ErrorAction Ignore
        if (-not $stat -or $stat -match '\) Z ') { return $true }
        Start-Sleep -Milliseconds 50
    }
    $false
}

function Wait-SignalCaught {
    <#
    .SYNOPSIS
        Whether a process has a handler for a signal (its SigCgt bit in /proc/PID/status) within
        30 s. A PID namespace's init drops a signal it has no handler for, so a test that
        signals a shell's trap must wait for the trap, not for the shell to exist.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [int] $Signal)
    $bit = [uint64]1 -shl ($Signal - 1)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = (Get-Content "/proc/$ProcessId/status" -ErrorAction Ignore) -match '^SigCgt:'
        if (-not $line) { return $false }
        if (([Convert]::ToUInt64(($line -split '\s+')[1], 16) -band $bit) -ne 0) { return $true }
        Start-Sleep -Milliseconds 20
    }
    $false
}

function Stop-LaunchedProcess {
    <# Sends a signal to a launched program and gives it a moment. #>
    param([Parameter(Mandatory)] $Process, [string] $Signal = 'TERM')
    kill "-$Signal" $Process.Pid
    $null = $Process.WaitForExit(500)
}

function Get-SettledDescriptor {
    <#
    .SYNOPSIS
        The descriptors a program holds once it has started: right after exec, the dynamic loader
        briefly opens its libraries (as fd 3), and a stalled program can hold them for a while, so
        the list is read until it is the expected one, or 30 s have passed; a descriptor the
        program was given stays, so a leak still shows.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId, [string[]] $Expected = @('0', '1', '2'))
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    do {
        $now = @(Get-ChildItem "/proc/$ProcessId/fd" -ErrorAction Ignore | ForEach-Object Name | Sort-Object { [int]$_ })
        if (($now -join ' ') -eq ($Expected -join ' ')) { break }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    $now
}

function Receive-Orphan {
    <# Reaps processes re-parented to this pwsh (a child subreaper) once they have ended. #>
    param([Parameter(Mandatory)] [int[]] $ProcessId)
    if (-not ('PSNamespacesTests.Wait' -as [type])) {
        Add-Type -Namespace PSNamespacesTests -Name Wait -MemberDefinition @'
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
public static extern int waitpid(int pid, out int status, int options);
'@
    }
    foreach ($id in $ProcessId) {
        $status = 0
        if (Wait-ProcessGone $id) { $null = [PSNamespacesTests.Wait]::waitpid($id, [ref]$status, 0) }
    }
}

Export-ModuleMember -Function *
