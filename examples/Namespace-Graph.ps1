<#
.SYNOPSIS
    Makes a small host of boxes, draws it with ConvertTo-NamespaceGraph, and removes it.
.DESCRIPTION
    The host: three "containers" — unshare and its sleep in their own PID, mount, UTS, IPC and
    network namespaces, moved into cgroups shaped as docker's systemd driver and podman's
    cgroupfs driver make them (system.slice/docker-ID.scope, libpod_parent/libpod-ID), and a
    rootless one: a user namespace with a network namespace and a nested PID namespace inside —
    and two named network namespaces (ip netns add). Drawn are the host's own namespaces (those
    of the initial user namespace's lowest PID: one node), the fixture's, and the user
    namespaces owning them. docs/namespace-graph.svg was made with
    `-OutFile docs/namespace-graph.svg`. Run as root, with the module built
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
$made = [Collections.Generic.List[string]]::new()
$started = [Collections.Generic.List[object]]::new()
$names = 'demo-blue', 'demo-green'

function Start-Box([string] $Cgroup, [string] $HostName) {
    # As a runtime starts a container: unshare makes the namespaces, its child sleep is PID 1 inside.
    $start = [Diagnostics.ProcessStartInfo]::new('unshare')
    foreach ($argument in '--fork', '--kill-child', '--pid', '--mount-proc', '--uts', '--ipc', '--net', 'sh', '-c', "hostname $HostName; exec sleep 600") { $start.ArgumentList.Add($argument) }
    $unshare = [Diagnostics.Process]::Start($start)
    $started.Add($unshare)
    for ($i = 0; $i -lt 500 -and -not ($sleepPid = (Get-Content "/proc/$($unshare.Id)/task/$($unshare.Id)/children" -ErrorAction Ignore) -as [int]); $i++) { Start-Sleep -Milliseconds 10 }
    if ($cgroupRoot) {
        $path = $cgroupRoot
        foreach ($part in $Cgroup -split '/') {
            $path = Join-Path $path $part
            if (-not (Test-Path $path)) { $null = New-Item -ItemType Directory -Path $path; $made.Add($path) }
        }
        # unshare (the namespaces' lowest PID) and sleep, one PID per write.
        foreach ($member in $unshare.Id, $sleepPid) { Set-Content (Join-Path $path 'cgroup.procs') $member }
    }
    $sleepPid
}

try {
    $boxes = @(
        Start-Box "system.slice/docker-f1c2$('0123456789abcdef' * 4 -replace '^.{4}').scope" 'web'
        Start-Box "libpod_parent/libpod-3d4c$('fedcba9876543210' * 4 -replace '^.{4}')" 'db'
    )
    $rootless = New-Namespace -Type User, Net, Pid -MapRootUser -FilePath sleep -ArgumentList 600 -NoWait -PassThru
    $started.Add($rootless)
    foreach ($name in $names) { $null = New-Namespace -Type Net -Name $name }

    # The host's namespaces are those of the initial user namespace's lowest PID (the kernel names no owner for it).
    $all = Get-Namespace
    $initial = $all | Where-Object { $_.Type -eq 'User' -and $null -eq $_.Owner -and $null -eq $_.Parent }
    $session = @{}; foreach ($ns in Get-Namespace -Pid $PID) { $session[$ns.Inode] = $true }
    $mine = @(Get-Namespace -Pid ($boxes + $rootless.Pid)) + @(Get-Namespace -Name $names) | Where-Object { -not $session.ContainsKey($_.Inode) }
    $wanted = @{}
    foreach ($ns in $mine) { foreach ($inode in $ns.Inode, $ns.Owner, $ns.Parent) { if ($inode) { $wanted[$inode] = $true } } }
    $drawn = $all | Where-Object { $wanted.ContainsKey($_.Inode) -or $_.Pid -eq $initial.Pid }
    if ($OutFile) { $drawn | ConvertTo-NamespaceGraph -Format $Format -OutFile $OutFile }
    else { $drawn | ConvertTo-NamespaceGraph -Format $Format }
}
finally {
    # unshare --kill-child takes its sleep along.
    foreach ($p in $started) { if (-not $p.HasExited) { $p.Kill(); $null = $p.WaitForExit(10000) } }
    foreach ($name in $names) { Remove-Namespace -Name $name -ErrorAction Ignore }
    foreach ($path in ($made | Sort-Object Length -Descending)) {
        for ($i = 0; $i -lt 250 -and (Test-Path $path); $i++) { try { [IO.Directory]::Delete($path) } catch { Start-Sleep -Milliseconds 20 } }
    }
}
