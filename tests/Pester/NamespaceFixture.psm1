<#
    The namespaces the Get-Namespace and Format-NamespaceTree tests look at, built with the
    reference tools (unshare, ip netns) and taken apart again by Stop-NamespaceFixture. Every
    expected value is read back with readlink, stat, findmnt or ip, never with the module.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function Wait-Condition {
    <# Polls until Condition is true; throws with Because after TimeoutSeconds. #>
    param([Parameter(Mandatory)] [scriptblock] $Condition, [Parameter(Mandatory)] [string] $Because, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting until $Because" }
        Start-Sleep -Milliseconds 20
    }
}

function Get-SleepCount {
    <# How many `sleep` processes run below ProcessId. #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    @(Get-DescendantPid $ProcessId | Where-Object { (Get-Content "/proc/$_/comm" -ErrorAction Ignore) -eq 'sleep' }).Count
}

function Get-MountedInode {
    <# The inode of the namespace bind-mounted on Path, as stat(1) reports it; throws when findmnt does not see nsfs there. #>
    param([Parameter(Mandatory)] [string] $Path)
    $fstype = findmnt -n -o FSTYPE --mountpoint $Path
    if ($fstype -ne 'nsfs') { throw "$Path is not an nsfs mount ($fstype)" }
    [uint64](stat -L -c '%i' $Path)
}

function Get-ProcessInNamespace {
    <# The PIDs whose /proc/PID/ns/LINK reads "TYPE:[INODE]", by readlink(2) (.NET's LinkTarget, in process: one readlink(1) per process is too slow here). #>
    param([Parameter(Mandatory)] [string] $Link, [Parameter(Mandatory)] [string] $Target)
    foreach ($dir in [IO.Directory]::GetDirectories('/proc')) {
        $name = [IO.Path]::GetFileName($dir)
        if ($name -notmatch '^\d+$') { continue }
        $text = try { [IO.FileInfo]::new("$dir/ns/$Link").LinkTarget } catch { $null }
        if ($text -eq $Target) { [int]$name }
    }
}

function Start-NamespaceFixture {
    <#
    .SYNOPSIS
        Fills Fixture (a hashtable, so that a failure half-way still tells Stop-NamespaceFixture
        what to remove) with:
        Fresh        pid, mnt, net, uts, ipc, cgroup and time namespaces: unshare, bash and two sleeps
        Users        a user namespace with pid and mnt, and nested in it another with pid, mnt, net
                     and uts (3 and 4 processes)
        NetnsName    a network namespace from `ip netns add`, NETNSID set with `ip netns set`,
                     with bash and two sleeps in it (NetnsProcess)
        BindPath     a uts namespace held only by a bind mount (unshare --uts=FILE)
        FdHolder     a sleep holding an ipc namespace only through descriptor 3
        ForChildren  a sleep whose pid_for_children is a PID namespace with no process left in it
    #>
    param([Parameter(Mandatory)] [hashtable] $Fixture)
    $tag = "psns-i3-$PID"

    $Fixture.Fresh = Start-TestProcess -Unshare @('--pid', '--mount-proc', '--net', '--uts', '--ipc', '--cgroup', '--time') -Command @('bash', '-c', 'sleep 1000 & sleep 1000 & wait')
    Wait-Condition { (Get-SleepCount $Fixture.Fresh.Pid) -eq 2 } 'the fresh namespaces hold their two sleeps'

    $inner = 'unshare --fork --kill-child --user --map-root-user --pid --mount-proc --net --uts -- bash -c "sleep 1000 & sleep 1000 & wait"'
    $Fixture.Users = Start-TestProcess -Unshare @('--user', '--map-root-user', '--pid', '--mount-proc') -Command @('bash', '-c', "sleep 1000 & $inner & wait")
    Wait-Condition { (Get-SleepCount $Fixture.Users.Unshare.Id) -eq 3 } 'the nested user namespaces hold their three sleeps'
    # Start-TestProcess may have settled on the outer bash before the inner one existed; the
    # fixture's process is the innermost bash, the deepest in PID namespaces.
    $Fixture.Users.Pid = [int](Get-DescendantPid $Fixture.Users.Unshare.Id | Where-Object { (Get-Content "/proc/$_/comm" -ErrorAction Ignore) -eq 'bash' } |
        Sort-Object { -((Get-StatusField $_ NSpid) -split '\s+').Count } | Select-Object -First 1)

    $Fixture.NetnsName = $tag
    ip netns add $tag
    if ($LASTEXITCODE -ne 0) { throw "ip netns add $tag failed" }
    # NETNSIDs are per network namespace: another test may have taken one, so draw until one is free.
    for ($try = 0; -not $Fixture.ContainsKey('NetnsId'); $try++) {
        $id = Get-Random -Minimum 10000 -Maximum 1000000
        ip netns set $tag $id 2>$null
        if ($LASTEXITCODE -eq 0) { $Fixture.NetnsId = $id } elseif ($try -gt 20) { throw "ip netns set $tag failed" }
    }
    $Fixture.NetnsProcess = [pscustomobject]@{ Pid = 0; Unshare = (Start-NativeProcess ip @('netns', 'exec', $tag, 'bash', '-c', 'sleep 1000 & sleep 1000 & wait')) }
    Wait-Condition { (Get-SleepCount $Fixture.NetnsProcess.Unshare.Id) -eq 2 } 'the named netns holds its two sleeps'
    $Fixture.NetnsProcess.Pid = $Fixture.NetnsProcess.Unshare.Id

    $Fixture.Directory = Join-Path ([IO.Path]::GetTempPath()) $tag
    $null = New-Item -ItemType Directory -Path $Fixture.Directory -Force
    $Fixture.BindPath = Join-Path $Fixture.Directory 'uts'
    $null = New-Item -ItemType File -Path $Fixture.BindPath
    unshare "--uts=$($Fixture.BindPath)" true
    if ($LASTEXITCODE -ne 0) { throw "unshare --uts=$($Fixture.BindPath) failed" }
    $Fixture.BindInode = Get-MountedInode $Fixture.BindPath

    # An ipc namespace held only by a descriptor: bind it, let a process open it, take the mount away.
    $Fixture.FdMount = Join-Path $Fixture.Directory 'ipc'
    $null = New-Item -ItemType File -Path $Fixture.FdMount
    unshare "--ipc=$($Fixture.FdMount)" true
    if ($LASTEXITCODE -ne 0) { throw "unshare --ipc=$($Fixture.FdMount) failed" }
    $Fixture.FdHolder = Start-NativeProcess bash @('-c', "exec 3<'$($Fixture.FdMount)'; exec sleep 1000")
    $fdLink = "/proc/$($Fixture.FdHolder.Id)/fd/3"
    Wait-Condition { (Get-Content "/proc/$($Fixture.FdHolder.Id)/comm" -ErrorAction Ignore) -eq 'sleep' } 'the descriptor holder runs'
    # Lazily: the holder's open descriptor keeps the mount busy.
    umount --lazy $Fixture.FdMount
    if ($LASTEXITCODE -ne 0) { throw "umount $($Fixture.FdMount) failed" }
    Remove-Item $Fixture.FdMount
    $Fixture.FdPath = $fdLink
    # Opened through a mount that is gone, the descriptor's link reads "/": stat tells what it is.
    if ((stat -L -f -c '%T' $fdLink) -ne 'nsfs') { throw "$fdLink is not on nsfs" }
    $Fixture.FdInode = [uint64](stat -L -c '%i' $fdLink)

    # unshare --pid without --fork: the process stays where it is, only its children go in. The
    # kernel shows pid_for_children once the namespace has had its first process; that one exits.
    $Fixture.ForChildren = Start-NativeProcess unshare @('--pid', 'bash', '-c', '/bin/true & wait; exec sleep 1000')
    Wait-Condition { (Get-Content "/proc/$($Fixture.ForChildren.Id)/comm" -ErrorAction Ignore) -eq 'sleep' } 'the pid_for_children holder runs'
    $Fixture.ForChildrenInode = Get-NsInode $Fixture.ForChildren.Id pid_for_children

    # Every namespace the fixture made and a process of it is in: what lsns must list and the
    # module must match. Those it shares with this pwsh are not the fixture's.
    $own = foreach ($link in 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts') { Get-NsInode $PID $link }
    $Fixture.ProcessInodes = @(
        foreach ($top in $Fixture.Fresh.Unshare.Id, $Fixture.Users.Unshare.Id, $Fixture.NetnsProcess.Pid) {
            foreach ($processId in @($top) + @(Get-DescendantPid $top)) {
                foreach ($link in 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts') { Get-NsInode $processId $link }
            }
        }) | Where-Object { $_ -notin $own } | Sort-Object -Unique
}

function Stop-NamespaceFixture {
    <# Takes apart whatever Start-NamespaceFixture made, even half-way. #>
    param([Parameter(Mandatory)] [hashtable] $Fixture)
    foreach ($key in 'Fresh', 'Users', 'NetnsProcess') {
        if ($Fixture[$key]) { Stop-TestProcess $Fixture[$key] }
    }
    foreach ($key in 'FdHolder', 'ForChildren') {
        if ($Fixture[$key] -and -not $Fixture[$key].HasExited) { $Fixture[$key].Kill(); $Fixture[$key].WaitForExit() }
    }
    if ($Fixture['NetnsName'] -and (Test-Path "/run/netns/$($Fixture.NetnsName)")) { ip netns delete $Fixture.NetnsName }
    if ($Fixture['Directory'] -and (Test-Path $Fixture.Directory)) {
        foreach ($file in Get-ChildItem $Fixture.Directory) {
            if (findmnt -n --mountpoint $file.FullName) { umount --lazy $file.FullName }
        }
        Remove-Item $Fixture.Directory -Recurse -Force
    }
}

function New-StaleNamespace {
    <#
    .SYNOPSIS
        A Namespace object (as Get-Namespace wrote it) whose namespace is gone, while a newer
        namespace of the same kind has its inode number: the case the NsId check is for.
    .DESCRIPTION
        nsfs numbers namespaces with the lowest free inode number, so the freed number comes back,
        but only once every lower free number is taken: namespaces are made and kept (each takes
        the next number) until one has it, up to Tries. Net: a named netns from ip netns add,
        removed with Remove-Namespace, reused by another ip netns add (Reuser is its name). Pid:
        a process's PID namespace, reused by one of `unshare --pid` (Reuser is that process).
        Every cmdlet that takes a namespace object can be run through it. Take it apart with
        Remove-StaleNamespace, also when this throws half-way (it returns nothing then, and
        cleans up itself).
    #>
    param([ValidateSet('Net', 'Pid')] [string] $Type = 'Net', [int] $Tries = 200)
    $made = [System.Collections.Generic.List[object]]::new()
    $prefix = "psns-stale-$PID-$(Get-Random -Maximum 100000)"
    try {
        if ($Type -eq 'Net') {
            ip netns add $prefix
            $object = Get-Namespace -Name $prefix
            if ([uint64](stat -L -c '%i' "/run/netns/$prefix") -ne $object.Inode) { throw "Get-Namespace -Name $prefix is not what stat shows" }
            Remove-Namespace -Name $prefix
        } else {
            $victim = Start-TestProcess -Unshare '--pid'
            try { $object = Get-Namespace -Pid $victim.Pid -Type Pid } finally { Stop-TestProcess $victim }
            if (Test-Path "/proc/$($victim.Pid)") { throw "process $($victim.Pid) is still there" }
        }
        for ($i = 0; $i -lt $Tries; $i++) {
            if ($Type -eq 'Net') {
                $name = "$prefix-$i"
                ip netns add $name
                $made.Add($name)
                $inode = [uint64](stat -L -c '%i' "/run/netns/$name")
            } else {
                $process = Start-TestProcess -Unshare '--pid'
                $made.Add($process)
                $inode = [uint64](Get-NsInode $process.Pid pid)
            }
            if ($inode -eq $object.Inode) {
                $reuser = $made[$made.Count - 1]
                $made.RemoveAt($made.Count - 1)
                Remove-StaleNamespace @{ Made = $made }
                return @{ Type = $Type; Object = $object; Inode = $inode; Reuser = $reuser; Made = [System.Collections.Generic.List[object]]::new() }
            }
        }
        throw "No new $Type namespace got inode $($object.Inode) back in $Tries tries."
    } catch {
        Remove-StaleNamespace @{ Made = $made }
        throw
    }
}

function Remove-StaleNamespace {
    <# Takes apart what New-StaleNamespace made: named netns deleted, processes stopped. #>
    param([Parameter(Mandatory)] [hashtable] $Stale)
    $all = @($Stale.Made) + @($Stale['Reuser'] | Where-Object { $_ })
    foreach ($item in $all) {
        if ($item -is [string]) {
            if (Test-Path "/run/netns/$item") { ip netns delete $item }
        } else {
            Stop-TestProcess $item
        }
    }
}

Export-ModuleMember -Function Wait-Condition, Get-MountedInode, Get-ProcessInNamespace, Start-NamespaceFixture, Stop-NamespaceFixture, New-StaleNamespace, Remove-StaleNamespace
