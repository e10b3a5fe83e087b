<#
.SYNOPSIS
    Makes a small fixture of namespaces, draws it with ConvertTo-NamespaceGraph, and removes it.
.DESCRIPTION
    The fixture: a "container" — unshare and its sleep in their own PID, mount, UTS, IPC and
    network namespaces, moved into a cgroup shaped as docker's systemd driver makes it
    (system.slice/docker-ID.scope) — a user namespace with a nested network namespace (what a
    rootless runtime makes), and a named network namespace (ip netns add). Only the fixture's
    namespaces and the user namespaces owning them are drawn. docs/namespace-graph.svg was made
    with `-OutFile docs/namespace-graph.svg`. Run as root, with the module built
    (dotnet pwsh ./build.ps1 -Task Build).
.PARAMETER OutFile
    Where to write the picture (.svg needs Graphviz's dot) or the text; without it, the DOT text
    is written to the pipeline.
.PARAMETER Format
    Dot or Mermaid.
.PARAMETER ModulePath
    The built module to import; out/PSNamespaces by default.
#>
param(
    [string] $OutFile,
    [ValidateSet('Dot', 'Mermaid')] [string] $Format = 'Dot',
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PSNamespaces')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

# Where cgroup v2 is mounted with its root visible (/sys/fs/cgroup, or .../unified on a hybrid system).
$cgroupRoot = foreach ($line in Get-Content /proc/self/mountinfo) {
    $fields = $line -split ' '
    $dash = [array]::IndexOf($fields, '-')
    if ($fields[$dash + 1] -eq 'cgroup2' -and $fields[3] -eq '/') { $fields[4]; break }
}
$id = 'f1c2' + ('0123456789abcdef' * 4).Substring(4)
$made = [Collections.Generic.List[string]]::new()
$started = [Collections.Generic.List[object]]::new()
$netns = "demo-net"
try {
    # As a runtime starts a container: unshare makes the namespaces, its child sleep is PID 1 inside.
    $unshare = [Diagnostics.Process]::Start('unshare', '--fork --kill-child --pid --mount-proc --uts --ipc --net sleep 600')
    $started.Add($unshare)
    for ($i = 0; $i -lt 500 -and -not ($sleepPid = (Get-Content "/proc/$($unshare.Id)/task/$($unshare.Id)/children" -ErrorAction Ignore) -as [int]); $i++) { Start-Sleep -Milliseconds 10 }
    $box = [pscustomobject]@{ Pid = $sleepPid; Unshare = $unshare.Id }
    if ($cgroupRoot) {
        $path = $cgroupRoot
        foreach ($part in 'system.slice', "docker-$id.scope") {
            $path = Join-Path $path $part
            if (-not (Test-Path $path)) { $null = New-Item -ItemType Directory -Path $path; $made.Add($path) }
        }
        # unshare (the namespaces' lowest PID) and sleep, one PID per write.
        foreach ($member in $box.Unshare, $box.Pid) { Set-Content (Join-Path $path 'cgroup.procs') $member }
    }
    $rootless = New-Namespace -Type User, Net -MapRootUser -FilePath sleep -ArgumentList 600 -NoWait -PassThru
    $started.Add($rootless)
    $null = New-Namespace -Type Net -Name $netns

    # The fixture's own namespaces (not those it shares with this session), and the user namespaces owning them.
    $session = @{}; foreach ($ns in Get-Namespace -Pid $PID) { if ($ns.Type -ne 'User') { $session[$ns.Inode] = $true } }
    $mine = @(Get-Namespace -Pid $box.Pid, $rootless.Pid) + @(Get-Namespace -Name $netns) | Where-Object { -not $session.ContainsKey($_.Inode) }
    $wanted = @{}
    foreach ($ns in $mine) { foreach ($inode in $ns.Inode, $ns.Owner, $ns.Parent) { if ($inode) { $wanted[$inode] = $true } } }
    $drawn = Get-Namespace | Where-Object { $wanted.ContainsKey($_.Inode) }
    if ($OutFile) { $drawn | ConvertTo-NamespaceGraph -Format $Format -OutFile $OutFile }
    else { $drawn | ConvertTo-NamespaceGraph -Format $Format }
}
finally {
    # unshare --kill-child takes its sleep along.
    foreach ($p in $started) { if (-not $p.HasExited) { $p.Kill(); $null = $p.WaitForExit(10000) } }
    Remove-Namespace -Name $netns -ErrorAction Ignore
    foreach ($path in ($made | Sort-Object Length -Descending)) {
        for ($i = 0; $i -lt 250 -and (Test-Path $path); $i++) { try { [IO.Directory]::Delete($path) } catch { Start-Sleep -Milliseconds 20 } }
    }
}
