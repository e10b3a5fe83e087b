<#
    Helpers for the tests of persisted namespaces (New-Namespace -Path/-Name, Remove-Namespace,
    Set-NamespaceNetNsId). Expected values come from iproute2, nsenter, stat and findmnt.
#>

Set-StrictMode -Version Latest

function Get-NetnsName {
    <# The names `ip netns list` shows (it prints "NAME" or "NAME (id: N)"). #>
    @(ip netns list | ForEach-Object { ($_ -split ' ')[0] })
}

function Get-NetnsId {
    <# The NETNSID `ip netns list` shows for a name, or $null. #>
    param([Parameter(Mandatory)] [string] $Name)
    foreach ($line in ip netns list) {
        if ($line -match "^$([regex]::Escape($Name)) \(id: (\d+)\)$") { return [int]$Matches[1] }
    }
    $null
}

function Get-FileInode {
    <# The inode stat(1) reports for a path: for a namespace file, the namespace's nsfs inode. #>
    param([Parameter(Mandatory)] [string] $Path)
    $inode = stat -c '%i' $Path
    if ($LASTEXITCODE -ne 0) { throw "stat $Path failed" }
    [uint64]$inode
}

function Get-MountCount {
    <# How many mounts findmnt(8) lists on exactly this mount point. #>
    param([Parameter(Mandatory)] [string] $Path)
    @(findmnt -rn -o TARGET | Where-Object { $_ -ceq $Path }).Count
}

function Get-NsfsMountCount {
    <# How many nsfs mounts there are in this mount namespace, per findmnt(8). #>
    @(findmnt -rn -t nsfs -o TARGET).Count
}

function Get-NsenterId {
    <# What a program entered into a namespace file with nsenter(1) reads in /proc/self/ns: "net:[4026532...]". #>
    param([Parameter(Mandatory)] [string] $Option, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Link)
    # nsenter --user switches to uid/gid 0 inside, which a user namespace with no id map refuses.
    [string[]] $keep = if ($Option -eq 'user') { '--preserve-credentials' } else { @() }
    $text = nsenter "--$Option=$Path" @keep readlink "/proc/self/ns/$Link"
    if ($LASTEXITCODE -ne 0) { throw "nsenter --$Option=$Path failed" }
    $text
}

function Get-ThreadNamespace {
    <# Every thread of a process with the namespaces readlink(1) shows for it, one "TID name target" line per entry. #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    foreach ($task in Get-ChildItem "/proc/$ProcessId/task" -ErrorAction Ignore) {
        foreach ($entry in Get-ChildItem "$($task.FullName)/ns" -ErrorAction Ignore) {
            $target = readlink $entry.FullName 2>$null
            # A thread that exited meanwhile has nothing to say.
            if ($target) { [pscustomobject]@{ Tid = [int]$task.Name; Name = $entry.Name; Target = $target } }
        }
    }
}

function Clear-TestNamespace {
    <# Whatever a failed test left: unmounts and deletes a test directory, and deletes the named netns with a prefix. #>
    param([string] $Directory, [Parameter(Mandatory)] [string] $NamePrefix)
    if ($Directory) {
        foreach ($file in Get-ChildItem $Directory -Force -ErrorAction Ignore) {
            while ((Get-MountCount $file.FullName) -gt 0) { umount -l $file.FullName }
        }
        Remove-Item $Directory -Recurse -Force -ErrorAction Ignore
    }
    foreach ($name in Get-NetnsName | Where-Object { $_ -like "$NamePrefix*" }) { ip netns delete $name }
}

Export-ModuleMember -Function *
