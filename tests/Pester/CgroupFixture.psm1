# Cgroups shaped as container runtimes and systemd make them, for the attribution tests: made
# under the cgroup v2 hierarchy, a test process moved into each, all taken apart afterwards.
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function Get-Cgroup2Mount {
    <# Where cgroup v2 is mounted with its root visible: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system. #>
    foreach ($line in Get-Content /proc/self/mountinfo) {
        # "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS"
        $fields = $line -split ' '
        $dash = [array]::IndexOf($fields, '-')
        if ($fields[$dash + 1] -eq 'cgroup2' -and $fields[3] -eq '/') { return $fields[4] }
    }
    throw 'No cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup).'
}

function New-HexId {
    <# A container id as docker, containerd, CRI-O and podman make them: 64 lowercase hex digits. #>
    param([string] $Prefix = '')
    $bytes = [byte[]]::new(32)
    [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    $Prefix + ([Convert]::ToHexString($bytes).ToLowerInvariant()).Substring($Prefix.Length)
}

function Add-CgroupProcess {
    <#
    .SYNOPSIS
        Makes the cgroup RELATIVE (a path below the cgroup v2 root, with its parents) and moves
        a new test process into it: `unshare --fork --kill-child --uts --net sleep`, unshare and
        sleep both, the only processes in their uts and net namespaces. Records in State what it made, so
        Remove-CgroupFixture can take it apart even after a failure half-way.
    #>
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Relative, [string] $HostName = 'psns-cg')
    if (-not $State.ContainsKey('Made')) { $State.Made = [Collections.Generic.List[string]]::new(); $State.Processes = [Collections.Generic.List[object]]::new() }
    $root = Get-Cgroup2Mount
    $path = $root
    foreach ($part in $Relative.Trim('/') -split '/') {
        $path = Join-Path $path $part
        if (-not (Test-Path -LiteralPath $path)) {
            $null = New-Item -ItemType Directory -Path $path
            $State.Made.Add($path)
        }
    }
    $process = Start-TestProcess -Unshare @('--uts', '--net') -Command @('sh', '-c', "hostname $HostName; exec sleep 1000") -Name sleep
    $State.Processes.Add($process)
    # unshare itself is in the new namespaces too (it unshares, then forks sleep): it is their
    # lowest PID, so it moves as well, one PID per write as cgroup.procs takes them.
    foreach ($member in $process.Unshare.Id, $process.Pid) {
        Set-Content -LiteralPath (Join-Path $path 'cgroup.procs') -Value $member
    }
    [pscustomobject]@{ Pid = $process.Pid; Unshare = $process.Unshare.Id; Cgroup = '/' + $Relative.Trim('/'); Process = $process }
}

function Remove-CgroupFixture {
    <# Kills the test processes, then removes the cgroups that were made, deepest first. #>
    param([Parameter(Mandatory)] [hashtable] $State)
    if ($State['Processes']) { $State.Processes | Stop-TestProcess }
    if ($State['Made']) {
        foreach ($path in ($State.Made | Sort-Object { $_.Length } -Descending)) {
            # A killed process leaves its cgroup only once reaped: retry rmdir a little while.
            for ($i = 0; $i -lt 250 -and (Test-Path -LiteralPath $path); $i++) {
                try { [IO.Directory]::Delete($path) } catch { Start-Sleep -Milliseconds 20 }
            }
        }
    }
}

Export-ModuleMember -Function Get-Cgroup2Mount, New-HexId, Add-CgroupProcess, Remove-CgroupFixture
