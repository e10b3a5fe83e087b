<#
    Thread hygiene: no thread of this pwsh but a namespace worker may be in a namespace other than
    the session's. Read from /proc/self/task/TID/ns/* against /proc/self/ns/* (the main thread's);
    workers are known by their name in /proc/self/task/TID/comm, "PSNamespaces wo" (the 15 bytes
    the kernel keeps of "PSNamespaces worker"). Runtime threads get no pass: the module must keep
    them out of targets. The one exception is the kind the module cannot keep out and that ends on
    its own (Test-SelfEndingRuntimeThread: the JIT's tiered-compilation thread, started by
    whichever thread needs it, ends after 4 idle seconds, later while this pwsh keeps it busy):
    such a thread must be gone within a minute, not within the few seconds others get.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

$script:links = 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'

function Get-StrayThread {
    <# "TID comm link:[inode]" for each thread, not a worker, in a namespace other than the session's. #>
    $self = [Environment]::ProcessId
    $session = @{}
    foreach ($link in $script:links) { $session[$link] = [IO.FileInfo]::new("/proc/$self/ns/$link").LinkTarget }
    foreach ($task in [IO.Directory]::GetDirectories("/proc/$self/task")) {
        $comm = Get-Content "$task/comm" -ErrorAction Ignore
        if ($null -eq $comm -or $comm -like 'PSNamespaces wo*') { continue }
        $foreign = foreach ($link in $script:links) {
            # A thread that ended meanwhile reads as nothing.
            $target = try { [IO.FileInfo]::new("$task/ns/$link").LinkTarget } catch { $null }
            if ($target -and $target -ne $session[$link]) { $target }
        }
        if ($foreign) { "$(Split-Path -Leaf $task) $comm $($foreign -join ',')" }
    }
}

function Assert-ThreadHygiene {
    <#
    .SYNOPSIS
        Throws, naming them, when threads other than workers are in other namespaces after up to
        Seconds (a thread the test told to end is given that long to be gone).
    #>
    param([int] $Seconds = 5)
    $started = [DateTime]::UtcNow
    do {
        $strays = @(Get-StrayThread)
        if ($strays.Count -eq 0) { return }
        # "TID comm link:[inode]": a comm may hold spaces ('.NET Tiered Com').
        $selfEnding = @($strays | Where-Object { Test-SelfEndingRuntimeThread (($_ -replace '^\d+ ', '') -replace ' \S+$', '') })
        $limit = if ($selfEnding.Count -eq $strays.Count) { 60 } else { $Seconds }
        Start-Sleep -Milliseconds 100
    } while (([DateTime]::UtcNow - $started).TotalSeconds -lt $limit)
    throw "Threads other than namespace workers are inside other namespaces: $($strays -join '; ')"
}

Export-ModuleMember -Function Get-StrayThread, Assert-ThreadHygiene
