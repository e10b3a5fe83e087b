<#
    Real containers for the -Container and graph tests: plain `runc run -d` containers and a
    podman one, each a busybox root (New-BusyboxRoot) running sleep, taken apart with
    `runc delete -f` and `podman rm -f`. Expected values come from the runtimes themselves
    (runc state, podman inspect, podman ps) and /proc.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'LaunchTestHelpers.psm1')


function Assert-Program([string] $Name, [string] $Package) {
    if (-not (Get-Command $Name -CommandType Application -ErrorAction Ignore)) {
        throw "The container tests need $Name (apt-get install -y $Package)."
    }
}

function Invoke-Quiet {
    <# Runs a runtime's command with stdin, stdout and stderr away from pwsh's pipes (a detached container keeps what it is given open); throws with its stderr when it fails. #>
    param([Parameter(Mandatory)] [string[]] $Command)
    $out = [IO.Path]::GetTempFileName()
    $err = [IO.Path]::GetTempFileName()
    try {
        sh -c 'out=$1 err=$2; shift 2; "$@" </dev/null >"$out" 2>"$err"' sh $out $err @Command
        if ($LASTEXITCODE -ne 0) { throw "$($Command -join ' ') failed ($LASTEXITCODE): $(Get-Content $err -Raw)" }
        Get-Content $out
    }
    finally { Remove-Item $out, $err -ErrorAction Ignore }
}

function New-RuncContainer {
    <#
    .SYNOPSIS
        `runc run -d ID` of a bundle whose config is `runc spec`'s, with the busybox root, a
        hostname, and busybox sleep as its process; no cgroupsPath, so runc puts it in the
        cgroup /ID. Returns Id, Pid (runc state's), HostName and Bundle.
    #>
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [string] $RootFs, [string] $HostName = $Id)
    Assert-Program runc runc
    $bundle = Join-Path ([IO.Path]::GetTempPath()) "psns-bundle-$Id"
    $null = New-Item -ItemType Directory -Path $bundle -Force
    Invoke-Quiet runc, spec, --bundle, $bundle
    $config = Get-Content (Join-Path $bundle config.json) -Raw | ConvertFrom-Json -Depth 50
    $config.root.path = $RootFs
    $config.root.readonly = $true
    $config.hostname = $HostName
    $config.process.terminal = $false
    $config.process.args = @('/bin/busybox', 'sleep', '1000')
    $config | ConvertTo-Json -Depth 50 | Set-Content (Join-Path $bundle config.json)
    $null = Invoke-Quiet runc, run, -d, --bundle, $bundle, $Id
    $state = Invoke-Quiet runc, state, $Id | ConvertFrom-Json
    [pscustomobject]@{ Id = $Id; Pid = [int]$state.pid; HostName = $HostName; Bundle = $bundle }
}

function Remove-RuncContainer {
    <#
        runc delete -f (kills its processes) and the bundle; quiet when it is already gone. The
        container's process was orphaned when runc run -d exited: it is this pwsh's (a child
        subreaper) to reap.
    #>
    param([Parameter(Mandatory)] [string] $Id)
    $state = runc state $Id 2>$null | ConvertFrom-Json
    runc delete -f $Id *> $null
    if ($state -and $state.pid) { Receive-Orphan ([int]$state.pid) }
    Remove-Item (Join-Path ([IO.Path]::GetTempPath()) "psns-bundle-$Id") -Recurse -Force -ErrorAction Ignore
}

function New-PodmanContainer {
    <#
    .SYNOPSIS
        `podman run -d --name NAME --rootfs ROOT` with no network, running busybox sleep.
        Returns Id (podman inspect's), ShortId (what podman ps prints), Name, Pid and HostName.
    #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $RootFs, [string] $HostName = $Name)
    Assert-Program podman podman
    # podman's default nofile and nproc limits are above a container host's hard limits; runc refuses to raise them.
    $id = Invoke-Quiet podman, run, -d, --name, $Name, --hostname, $HostName, --network, none,
        --ulimit, nofile=1024:1024, --ulimit, nproc=1024:1024, --rootfs, $RootFs, /bin/busybox, sleep, 1000
    $inspect = (Invoke-Quiet podman, inspect, $Name | ConvertFrom-Json)[0]
    $short = Invoke-Quiet podman, ps, --filter, "name=^$Name$", --format, '{{.ID}}'
    [pscustomobject]@{ Id = $inspect.Id; ShortId = "$short".Trim(); Name = $Name; Pid = [int]$inspect.State.Pid; HostName = $HostName; Printed = "$id".Trim() }
}

function Remove-PodmanContainer {
    <# podman rm -f, then reaps the container's process and its conmon: both were orphaned to this pwsh (a child subreaper). #>
    param([Parameter(Mandatory)] [string] $Name)
    $inspect = podman inspect $Name 2>$null | ConvertFrom-Json
    podman rm -f -t 0 $Name *> $null
    if ($inspect) {
        # waitpid of a process that is not this pwsh's child returns at once (ECHILD).
        $orphans = @($inspect[0].State.Pid, $inspect[0].State.ConmonPid) | Where-Object { $_ -gt 0 }
        if ($orphans) { Receive-Orphan ([int[]]$orphans) }
    }
}

Export-ModuleMember -Function New-RuncContainer, Remove-RuncContainer, New-PodmanContainer, Remove-PodmanContainer, New-BusyboxRoot
