BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces
    $fixture = @{}
    Start-NamespaceFixture $fixture

    function ConvertFrom-LsnsNetnsid($Value) {
        # lsns prints a number, "unassigned", or nothing for other kinds; the module has a number or $null.
        if ($null -eq $Value -or $Value -eq 'unassigned') { $null } else { [int]$Value }
    }
    function Get-LsnsNamespace {
        # lsns -J --output-all: every column of every namespace a process is in.
        $json = lsns -J --output-all
        if ($LASTEXITCODE -ne 0) { throw 'lsns failed' }
        ($json | ConvertFrom-Json).namespaces
    }

    # lsns counts itself: it runs in this pwsh's namespaces.
    $lsnsOwn = foreach ($link in 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts') { readlink "/proc/$PID/ns/$link" }
    function Compare-WithLsns($Namespace, $Entry, $Id) {
        # The columns that depend on which processes there are, as "COLUMN ours lsns" where they differ.
        $pairs = [ordered]@{
            NPROCS = ($Namespace.ProcessCount + [int]($Id -in $lsnsOwn)), $Entry.nprocs
            PID = $Namespace.Pid, $Entry.pid; PPID = $Namespace.PPid, $Entry.ppid; UID = $Namespace.Uid, $Entry.uid
            USER = $Namespace.User, $Entry.user; COMMAND = $Namespace.Command, $Entry.command
        }
        foreach ($column in $pairs.Keys) {
            if ("$($pairs[$column][0])" -cne "$($pairs[$column][1])") { "$Id $column ours=$($pairs[$column][0]) lsns=$($pairs[$column][1])" }
        }
    }

    function Compare-WithLsnsWhileStable {
        <#
            Other tests on this machine start and end processes all the time: a scan before and one
            after lsns bracket it, and a namespace whose processes both scans agree on is one lsns
            must show the same. A process that lived only while lsns ran can still slip between,
            so a disagreement is looked at again, up to five times; a real one stays. lsns itself
            may fail when a process exits under it; that is looked at again too.
        #>
        for ($attempt = 1; $attempt -le 5; $attempt++) {
            $before = @(Get-Namespace)
            try { $lsns = @(Get-LsnsNamespace) } catch { if ($attempt -eq 5) { throw } else { continue } }
            $after = @(Get-Namespace)
            $ours = @{}
            foreach ($ns in $after) { $ours[$ns.Id] = $ns }
            $stable = @{}
            foreach ($ns in $before) {
                $later = $ours[$ns.Id]
                if ($later -and ($later.Pids -join ',') -eq ($ns.Pids -join ',')) { $stable[$ns.Id] = $ns }
            }
            $lsnsById = @{}
            foreach ($entry in $lsns) { $lsnsById["$($entry.type):[$($entry.ns)]"] = $entry }
            $differences = @(foreach ($id in $lsnsById.Keys) { if ($stable[$id]) { Compare-WithLsns $stable[$id] $lsnsById[$id] $id } })
            # What lsns saw that neither of our scans saw: a namespace that lived only while lsns ran, or a real miss.
            $missing = @($lsnsById.Keys | Where-Object { -not $ours.ContainsKey($_) -and -not ($before.Id -contains $_) })
            if (-not $differences -and -not $missing) { break }
        }
        @{ Before = $before; Lsns = $lsns; Ours = $ours; Stable = $stable; LsnsById = $lsnsById; Differences = $differences; Missing = $missing }
    }
}

AfterAll {
    Stop-NamespaceFixture $fixture
}

Describe 'Get-Namespace against lsns -J --output-all' -Tag 'Root' {
    BeforeAll {
        $scan = Compare-WithLsnsWhileStable
        $before = $scan.Before; $lsns = $scan.Lsns; $ours = $scan.Ours; $stable = $scan.Stable
        $lsnsById = $scan.LsnsById; $differences = $scan.Differences; $missing = $scan.Missing
        $fixtureIds = @($lsns | Where-Object { $_.ns -in $fixture.ProcessInodes } | ForEach-Object { "$($_.type):[$($_.ns)]" })
    }

    It 'lists every (TYPE, NS) lsns lists' {
        $lsns.Count | Should -BeGreaterThan 20
        $missing | Should -BeNullOrEmpty
    }

    It 'covers the whole fixture: fresh, nested user, pid, net, uts, ipc, mnt, cgroup and time namespaces, and the named netns' {
        $fixtureIds.Count | Should -Be $fixture.ProcessInodes.Count
        # Fresh ones of every kind; user and pid nested two deep; net also in the inner user namespace and named.
        $least = @{ cgroup = 1; ipc = 1; mnt = 3; net = 3; pid = 3; time = 1; user = 2; uts = 2 }
        foreach ($type in $least.Keys) {
            @($fixtureIds | Where-Object { $_ -like "${type}:*" }).Count | Should -BeGreaterOrEqual $least[$type] -Because "the fixture makes $type namespaces"
        }
        foreach ($id in $fixtureIds) { $stable.ContainsKey($id) | Should -BeTrue -Because "$id is held by the fixture's processes only" }
    }

    It 'has lsns''s NPROCS, PID, PPID, UID, USER and COMMAND for every namespace whose processes did not change meanwhile' {
        $differences | Should -BeNullOrEmpty
        @($lsnsById.Keys | Where-Object { $stable.ContainsKey($_) }).Count | Should -BeGreaterOrEqual $fixtureIds.Count
        # The fixture's are always among them, and checked one by one as well.
        foreach ($id in $fixtureIds) {
            Compare-WithLsns $stable[$id] $lsnsById[$id] $id | Should -BeNullOrEmpty
            $stable[$id].ProcessCount | Should -BeGreaterThan 0
        }
    }

    It 'has lsns''s PNS and ONS for every namespace' {
        foreach ($id in $lsnsById.Keys) {
            $ns = $ours[$id]
            if (-not $ns) { continue }
            $l = $lsnsById[$id]
            [uint64]$(if ($null -eq $ns.Parent) { 0 } else { $ns.Parent }) | Should -Be $l.pns -Because "PNS of $id"
            [uint64]$(if ($null -eq $ns.Owner) { 0 } else { $ns.Owner }) | Should -Be $l.ons -Because "ONS of $id"
        }
        # The fixture nests: the inner user namespace's parent and owner is the outer one.
        $outer = Get-NsInode $fixture.Users.Unshare.Id user
        $innerUser = $ours["user:[$(Get-NsInode $fixture.Users.Pid user)]"]
        $innerUser.Parent | Should -Be $outer
        $innerUser.Owner | Should -Be $outer
        $ours["pid:[$(Get-NsInode $fixture.Users.Pid pid)]"].Parent | Should -Be (Get-NsInode (Get-ChildPid $fixture.Users.Unshare.Id)[0] pid)
    }

    It 'has lsns''s NETNSID and NSFS for the fixture''s namespaces' {
        foreach ($id in $fixtureIds) {
            $l = $lsnsById[$id]
            $ns = $ours[$id]
            $ns.NetNsId | Should -Be (ConvertFrom-LsnsNetnsid $l.netnsid) -Because "NETNSID of $id"
            $(if ($ns.NsfsPaths) { $ns.NsfsPaths -join "`n" } else { $null }) | Should -Be $l.nsfs -Because "NSFS of $id"
        }
    }

    It 'shows the named netns with the NETNSID ip netns set gave it, its name and its bind mount' {
        $inode = Get-NsInode $fixture.NetnsProcess.Pid net
        $l = $lsnsById["net:[$inode]"]
        $l.netnsid | Should -Be "$($fixture.NetnsId)"
        $ns = $ours["net:[$inode]"]
        $ns.NetNsId | Should -Be $fixture.NetnsId
        $ns.Name | Should -Be $fixture.NetnsName
        $ns.NsfsPaths | Should -Be @("/run/netns/$($fixture.NetnsName)")
        $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]'Process, BindMount')
        # Also what ip itself says.
        ip netns list | Should -Contain "$($fixture.NetnsName) (id: $($fixture.NetnsId))"
    }

    It 'lists the pids of a namespace as /proc shows them' {
        $inode = Get-NsInode $fixture.Fresh.Pid pid
        $expected = @(Get-ProcessInNamespace pid "pid:[$inode]" | Sort-Object)
        $expected.Count | Should -Be 3
        $ours["pid:[$inode]"].Pids | Should -Be $expected
    }
}

Describe 'Get-Namespace: a scan split across threads' -Tag 'Root' {
    BeforeAll {
        # From this many processes on, the scan is cut into runs of PIDs read at the same time
        # and merged. The fixture alone is that many: three groups of fresh pid, mnt, net, uts
        # and ipc namespaces, inside one user and PID namespace that spans them all, so that it
        # is seen by every run and its processes are counted across the cuts.
        $catalog = [PSNamespaces.Namespace].Assembly.GetType('PSNamespaces.Core.Inventory.NamespaceCatalog')
        $threshold = [int]$catalog.GetField('PartitionedScanThreshold', [Reflection.BindingFlags]'NonPublic, Static').GetValue($null)
        $perGroup = [int][math]::Ceiling($threshold / 3)
        $group = "unshare --fork --kill-child --pid --mount-proc --net --uts --ipc -- sh -c 'for i in `$(seq $perGroup); do sleep 1000 & done; wait'"
        # Killing the outer PID namespace's init ends everything inside it, reaped there.
        $outer = Start-NativeProcess unshare @('--fork', '--kill-child', '--user', '--map-root-user', '--pid', '--mount-proc', '--', 'sh', '-c', "for g in 1 2 3; do $group & done; wait")
        # unshare, sh, and per group unshare, sh and the sleeps.
        $expected = 2 + 3 * ($perGroup + 2)
        $hostUser = Get-NsInode $PID user
        Wait-Condition { (Get-NsInode $outer.Id user) -ne $hostUser } 'the outer unshare has its user namespace'
        $userInode = Get-NsInode $outer.Id user
        Wait-Condition { @(Get-ProcessInNamespace user "user:[$userInode]").Count -eq $expected } "the fixture's $expected processes run" -TimeoutSeconds 60
        $sleepPid = (Get-ProcessInNamespace user "user:[$userInode]" | Where-Object { (Get-Content "/proc/$_/comm" -ErrorAction Ignore) -eq 'sleep' } | Select-Object -Last 1)
        $modulePath = (Get-Module PSNamespaces).Path
    }

    AfterAll {
        $init = @(Get-ChildPid $outer.Id)
        if ($init) { kill -KILL $init }
        $outer.WaitForExit()
    }

    It 'has lsns''s NPROCS, PID, PPID, UID, USER, COMMAND, PNS and ONS for every namespace' {
        @(Get-ChildItem /proc -Directory -Name | Where-Object { $_ -match '^\d+$' }).Count | Should -BeGreaterOrEqual $threshold
        $scan = Compare-WithLsnsWhileStable
        $scan.Differences | Should -BeNullOrEmpty
        $owned = @($scan.Lsns | Where-Object { $_.ons -eq $userInode })
        $owned.Count | Should -BeGreaterOrEqual 16 -Because 'the outer pid namespace and three groups of five are owned by the fixture''s user namespace'
        foreach ($entry in @($owned) + @($scan.Lsns | Where-Object { $_.ns -eq $userInode })) {
            $id = "$($entry.type):[$($entry.ns)]"
            $scan.Stable.ContainsKey($id) | Should -BeTrue -Because "$id is held by the fixture's processes only"
            $ns = $scan.Ours[$id]
            [uint64]$(if ($null -eq $ns.Parent) { 0 } else { $ns.Parent }) | Should -Be $entry.pns -Because "PNS of $id"
            [uint64]$(if ($null -eq $ns.Owner) { 0 } else { $ns.Owner }) | Should -Be $entry.ons -Because "ONS of $id"
        }
    }

    It 'lists every PID of a namespace that spans the whole scan, ascending, as /proc shows them' {
        $expectedPids = @(Get-ProcessInNamespace user "user:[$userInode]" | Sort-Object)
        $expectedPids.Count | Should -Be $expected
        $ns = Get-Namespace -Type User | Where-Object Inode -eq $userInode
        $ns.Pids | Should -Be $expectedPids
        $ns.ProcessCount | Should -Be $expected
        $ns.Pid | Should -Be $expectedPids[0]
    }

    It 'scans inside Invoke-InNamespace -Type Pid, where the kernel lets no thread be made, and -Type Net, leaving no thread inside (-Type <Type>)' -TestCases @(@{ Type = 'Pid' }, @{ Type = 'Net' }) {
        $count = Invoke-InNamespace -Pid $sleepPid -Type $Type {
            Import-Module $using:modulePath
            (Get-Namespace -Type User | Where-Object Inode -eq $using:userInode).ProcessCount
        } -WarningVariable warn -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $warn | Should -BeNullOrEmpty
        $count | Should -Be $expected
    }
}

Describe 'Get-Namespace: namespaces no process is in' -Tag 'Root' {
    It 'lists a namespace held only by a bind mount (unshare --uts=FILE), as persistent' {
        $ns = Get-Namespace -Inode $fixture.BindInode
        $ns.Type | Should -Be 'Uts'
        $ns.ProcessCount | Should -Be 0
        $ns.Pid | Should -BeNullOrEmpty
        $ns.Persistent | Should -BeTrue
        $ns.NsfsPaths | Should -Be @($fixture.BindPath)
        $ns.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::BindMount) | Should -BeTrue
        $ns.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::Process) | Should -BeFalse
        # The owner uid stands for the uid, as in lsns: the namespace belongs to root's user namespace.
        $ns.Owner | Should -Be (Get-NsInode $PID user)
        $ns.Uid | Should -Be 0
        (Get-Namespace -Persistent).Inode | Should -Contain $fixture.BindInode
    }

    It 'lists a namespace held only by an open descriptor with -IncludeDescriptors' {
        # No process is in it: readlink of every /proc/*/ns/ipc says so.
        $inProcess = @(Get-ProcessInNamespace ipc "ipc:[$($fixture.FdInode)]")
        $inProcess | Should -BeNullOrEmpty
        findmnt -n -o TARGET | Should -Not -Contain $fixture.FdMount

        $ns = Get-Namespace -IncludeDescriptors -Inode $fixture.FdInode
        $ns.Type | Should -Be 'Ipc'
        $ns.ProcessCount | Should -Be 0
        $ns.Persistent | Should -BeTrue
        $ns.Descriptors | Should -Contain $fixture.FdPath
        $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]::Descriptor)
        (Get-Namespace -Persistent -IncludeDescriptors).Inode | Should -Contain $fixture.FdInode
    }

    It 'does not read descriptors without -IncludeDescriptors, and says the namespace was not found' {
        Get-Namespace -Inode $fixture.FdInode -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        (Get-Namespace -Type Net).Descriptors | Should -BeNullOrEmpty
    }

    It 'lists a PID namespace only a process''s pid_for_children holds (unshare --pid without --fork)' {
        $fixture.ForChildrenInode | Should -Not -Be (Get-NsInode $fixture.ForChildren.Id pid)
        $ns = Get-Namespace -Inode $fixture.ForChildrenInode
        $ns.Type | Should -Be 'Pid'
        $ns.ProcessCount | Should -Be 0
        $ns.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::ForChildren) | Should -BeTrue
        $ns.Parent | Should -Be (Get-NsInode $PID pid)
    }

    It 'lists an owner whose only hold is what it owns, and marks it held by a namespace' {
        $outer = Get-NsInode $fixture.Users.Unshare.Id user
        $ns = Get-Namespace -Inode $outer
        $ns.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::Namespace) | Should -BeTrue
        (Get-Namespace -Inode (Get-NsInode $PID user)).HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::Namespace) | Should -BeTrue
    }
}

Describe 'Get-Namespace: identities' -Tag 'Root' {
    BeforeAll {
        # An independent reading of the 64-bit id: name_to_handle_at(AT_HANDLE_FID) on nsfs gives
        # struct nsfs_file_handle { u64 ns_id; u32 ns_type; u32 ns_inum; } (Linux 6.18).
        $source = Join-Path $TestDrive 'nsid.c'
        Set-Content $source @'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        struct { struct file_handle fh; unsigned char data[64]; } h = { .fh.handle_bytes = 64 };
        int mount_id; uint64_t id; uint32_t inum;
        if (name_to_handle_at(AT_FDCWD, argv[i], &h.fh, &mount_id, 0x200 | AT_SYMLINK_FOLLOW) != 0) { perror(argv[i]); return 1; }
        memcpy(&id, h.fh.f_handle, 8); memcpy(&inum, h.fh.f_handle + 12, 4);
        printf("%u %llu\n", inum, (unsigned long long)id);
    }
    return 0;
}
'@
        $nsidProgram = Join-Path $TestDrive 'nsid'
        gcc -o $nsidProgram $source
        if ($LASTEXITCODE -ne 0) { throw 'gcc failed' }
    }

    It 'carries the kernel''s 64-bit namespace id as the nsfs file handle gives it' {
        $paths = foreach ($link in 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts') { "/proc/$($fixture.Fresh.Pid)/ns/$link" }
        $expected = @{}
        foreach ($line in & $nsidProgram @paths $fixture.BindPath) { $f = -split $line; $expected[[uint64]$f[0]] = [uint64]$f[1] }
        $expected.Count | Should -Be 9
        foreach ($inode in $expected.Keys) {
            (Get-Namespace -Inode $inode).NsId | Should -Be $expected[$inode] -Because "the nsfs handle of $inode"
        }
    }

    It 'has Id, Inode and Device as readlink and stat show them' {
        $ns = Get-Namespace -Pid $fixture.Fresh.Pid -Type Net
        $ns.Id | Should -Be (readlink "/proc/$($fixture.Fresh.Pid)/ns/net")
        $ns.Inode | Should -Be ([uint64](stat -L -c '%i' "/proc/$($fixture.Fresh.Pid)/ns/net"))
        $ns.Device | Should -Be ([uint64](stat -L -c '%d' "/proc/$($fixture.Fresh.Pid)/ns/net"))
        "$ns" | Should -Be $ns.Id
    }
}

Describe 'Get-Namespace: choosing namespaces' -Tag 'Root' {
    It 'gives the namespaces of a process, from Get-Process in the pipeline too' {
        $expected = foreach ($link in 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts') { readlink "/proc/$($fixture.Fresh.Pid)/ns/$link" }
        @(Get-Namespace -Pid $fixture.Fresh.Pid).Id | Sort-Object | Should -Be ($expected | Sort-Object)
        @(Get-Process -Id $fixture.Fresh.Pid | Get-Namespace).Id | Sort-Object | Should -Be ($expected | Sort-Object)
    }

    It 'gives each namespace of several processes once, with the whole system''s counts' {
        $sleeps = @(Get-ChildPid $fixture.Fresh.Pid)
        $result = @(Get-Namespace -Pid $sleeps -Type Pid)
        $result.Count | Should -Be 1
        $result[0].ProcessCount | Should -Be 3
    }

    It 'filters by several types' {
        $result = @(Get-Namespace -Type Net, Uts)
        @($result.Type | Sort-Object -Unique) | Should -Be @('Net', 'Uts')
        $result.Inode | Should -Contain (Get-NsInode $fixture.Fresh.Pid net)
        $result.Inode | Should -Contain (Get-NsInode $fixture.Fresh.Pid uts)
    }

    It 'finds namespaces by inode, by Id text, and from the pipeline: relations can be followed' {
        $inner = Get-Namespace -Pid $fixture.Users.Pid -Type User
        $outer = Get-Namespace -Inode $inner.Parent
        $outer.Inode | Should -Be (Get-NsInode $fixture.Users.Unshare.Id user)
        (Get-Namespace -Inode $inner.Id).Inode | Should -Be $inner.Inode
        (Get-Namespace -Inode (readlink "/proc/$($fixture.Users.Pid)/ns/net")).Owner | Should -Be $inner.Inode
        @($inner.Owner | Get-Namespace).Inode | Should -Be @($outer.Inode)
        @($inner | Get-Namespace).Inode | Should -Be @($inner.Inode)
    }

    It 'finds named network namespaces by name and by wildcard' {
        $inode = Get-NsInode $fixture.NetnsProcess.Pid net
        (Get-Namespace -Name $fixture.NetnsName).Inode | Should -Be $inode
        @(Get-Namespace -Name "psns-i3-$PID*").Inode | Should -Be @($inode)
        Get-Namespace -Name 'psns-i3-no-such-*' -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'with -Persistent, gives only namespaces no process is in' {
        $result = @(Get-Namespace -Persistent)
        $result.Inode | Should -Contain $fixture.BindInode
        $result.Inode | Should -Not -Contain (Get-NsInode $fixture.Fresh.Pid net)
        $result | ForEach-Object { $_.ProcessCount | Should -Be 0 }
    }
}

Describe 'Get-Namespace: bad input and a changing system' -Tag 'Root', 'Slow' {
    It 'writes ObjectNotFound for a PID that does not exist and goes on with the next' {
        $out = @(Get-Namespace -Pid 999999999, $fixture.Fresh.Pid -Type Net -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Inode | Should -Be @(Get-NsInode $fixture.Fresh.Pid net)
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err[0].TargetObject | Should -Be 999999999
    }

    It 'refuses PID <Value> at parameter validation' -TestCases @(@{ Value = 0 }, @{ Value = -5 }) {
        { Get-Namespace -Pid $Value -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSNamespaces.Commands.GetNamespaceCommand'
    }

    It 'gives PermissionDenied for PID 1, whose namespaces this machine does not let us read' {
        readlink /proc/1/ns/net 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        Get-Namespace -Pid 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].TargetObject | Should -Be 1
    }

    It 'gives ObjectNotFound for a name that does not exist' {
        Get-Namespace -Name 'psns-i3-no-such-netns' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err[0].TargetObject | Should -Be 'psns-i3-no-such-netns'
    }

    It 'gives ObjectNotFound for an inode no namespace has, and goes on with the next' {
        $net = Get-NsInode $fixture.Fresh.Pid net
        $out = @(Get-Namespace -Inode 12345, $net -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Inode | Should -Be @($net)
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 12345
    }

    It 'refuses an inode that is not a whole number (<Form>) instead of rounding it to a neighbour' -TestCases @(
        @{ Form = 'a double below'; Offset = -0.5 }, @{ Form = 'a double above'; Offset = 0.5 }, @{ Form = 'a string'; Offset = 'text' }
    ) {
        # PowerShell rounds half to even: one of N - 0.5 and N + 0.5 is N, the fixture's network namespace.
        $net = Get-NsInode $fixture.Fresh.Pid net
        $value = if ($Offset -eq 'text') { "$net.5" } else { [double]$net + $Offset }
        $err = { Get-Namespace -Inode $value -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,PSNamespaces.Commands.GetNamespaceCommand'
        $err.Exception.Message | Should -BeLike '*not an inode*whole number*'
    }

    It 'gives InvalidArgument for an inode of another type than asked for' {
        $uts = Get-NsInode $fixture.Fresh.Pid uts
        Get-Namespace -Inode $uts -Type Net -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WrongNamespaceType,*'
        $err[0].TargetObject | Should -Be $uts
    }

    It 'gives InvalidWildcardPattern for a -Name or -Unit that is not a wildcard pattern' {
        $name = "psns-gw-$PID"
        ip netns add $name
        try {
            Get-Namespace -Name 'psns-gw-[' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,PSNamespaces.Commands.GetNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'psns-gw-['
        } finally {
            ip netns delete $name
        }
        { Get-Namespace -Unit 'ssh[' } | Should -Throw -ErrorId 'InvalidWildcardPattern,PSNamespaces.Commands.GetNamespaceCommand'
    }

    It 'refuses a type that does not exist at parameter binding' {
        { Get-Namespace -Type Bogus -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSNamespaces.Commands.GetNamespaceCommand'
    }

    It 'skips the unreadable PID 1 in a full scan with a Verbose line, and no error' {
        $out = Get-Namespace -Verbose -ErrorVariable err 4>&1
        $err | Should -BeNullOrEmpty
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Skipped PID 1:' }).Count | Should -Be 1
        $namespaces = @($out | Where-Object { $_ -is [PSNamespaces.Namespace] })
        ($namespaces | Where-Object Id -eq (readlink /proc/self/ns/net)).ProcessCount | Should -BeGreaterThan 10
        $namespaces.Pids | Should -Not -Contain 1
    }

    It 'skips processes that exit during a scan without an error' {
        $churn = Start-NativeProcess bash '-c', 'for i in $(seq 200); do unshare --net --uts /bin/true & done; wait'
        try {
            for ($i = 0; $i -lt 5; $i++) {
                $null = Get-Namespace -IncludeDescriptors -ErrorVariable err
                $err | Should -BeNullOrEmpty
            }
        } finally {
            $churn.WaitForExit()
        }
    }

    It 'leaves no descriptor open over 100 calls' {
        $before = Get-OpenDescriptor
        for ($i = 0; $i -lt 100; $i++) {
            $null = Get-Namespace -Type Net
            $null = Get-Namespace -Pid 999999999 -ErrorAction SilentlyContinue
        }
        $null = Get-Namespace -IncludeDescriptors
        Get-OpenDescriptor | Should -Be $before
    }
}

Describe 'Get-Namespace: output' -Tag 'Root' {
    It 'shows lsns''s default columns in a table that fits 120 columns' {
        $lines = Get-Namespace -Pid $fixture.Fresh.Pid | Format-Table | Out-String -Width 120 -Stream | Where-Object { $_ }
        $lines[0] | Should -Match '^\s*Inode\s+Type\s+Processes\s+Pid\s+User\s+Name / Path\s+Command$'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $net = Get-NsInode $fixture.Fresh.Pid net
        # The lowest PID in it, as the kernel lists them: unshare, unless PIDs wrapped (pid_max) while the fixture started.
        $lowest = @(Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' |
            Where-Object { (readlink "/proc/$($_.Name)/ns/net" 2>$null) -eq "net:[$net]" } | ForEach-Object { [int]$_.Name } | Sort-Object)[0]
        $lines | Should -Contain ($lines | Where-Object { $_ -match "^\s*$net\s+Net\s+4\s+$lowest\s+root\s+$([regex]::Escape(((Get-Content /proc/$lowest/cmdline -Raw) -split "`0")[0]))" })
    }

    It 'shows in Name / Path the netns name, else the bind mount lsns shows as NSFS' {
        $nsfs = @{}
        foreach ($entry in (lsns -J -o NS,NSFS | ConvertFrom-Json).namespaces) { if ($entry.nsfs) { $nsfs["$($entry.ns)"] = $entry.nsfs } }
        $named = Get-Namespace -Name $fixture.NetnsName
        $nsfs["$($named.Inode)"] | Should -Be "/run/netns/$($fixture.NetnsName)" -Because 'lsns names the file ip netns made'
        $bound = Get-Namespace -Inode $fixture.BindInode
        $lines = @($named, $bound) | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_ }
        $lines | Where-Object { $_ -match "^\s*$($named.Inode)\s" } | Should -Match "\s$([regex]::Escape($fixture.NetnsName))(\s|$)"
        # lsns lists no namespace without a process; the path is the file unshare --uts=FILE bound,
        # as findmnt sees it. One longer than the column ends in an ellipsis: its beginning is shown.
        $path = @(findmnt -n -r -t nsfs -o TARGET | Where-Object { $_ -eq $fixture.BindPath })[0]
        $path | Should -Be $fixture.BindPath
        $shown = @(($lines | Where-Object { $_ -match "^\s*$($bound.Inode)\s" }) -split '\s+' | Where-Object { $_ -like '/*' })[0]
        $path | Should -BeLike ($shown.TrimEnd([char]0x2026) + '*')
    }

    It 'has a list view with every property' {
        $text = Get-Namespace -Name $fixture.NetnsName | Format-List | Out-String
        foreach ($property in 'Id', 'NsId', 'ProcessCount', 'Pids', 'NetNsId', 'Name', 'NsfsPaths', 'BindMounts', 'Threads', 'Descriptors', 'Sockets', 'Parent', 'Owner', 'OwnerUid', 'HeldBy', 'Persistent') {
            $text | Should -Match "(?m)^$property\s+:" -Because $property
        }
        $text | Should -Match "(?m)^NetNsId\s+: $($fixture.NetnsId)$"
    }

    It 'serializes to JSON and survives Export-Clixml, keeping its view and its use as input' {
        $ns = Get-Namespace -Name $fixture.NetnsName
        $json = $ns | ConvertTo-Json | ConvertFrom-Json
        $json.Inode | Should -Be $ns.Inode
        $json.NsfsPaths | Should -Be $ns.NsfsPaths
        $json.Name | Should -Be $fixture.NetnsName
        $file = Join-Path $TestDrive 'ns.xml'
        $ns | Export-Clixml $file
        $back = Import-Clixml $file
        # With the module imported, PSNamespaces.Types.ps1xml makes it a namespace again.
        $back.PSObject.TypeNames[0] | Should -Be 'PSNamespaces.Namespace'
        $back.Type | Should -Be ([PSNamespaces.NamespaceType]::Net)
        ($back | Format-Table | Out-String) | Should -Be ($ns | Format-Table | Out-String)
        (Get-Namespace -Inode $back).Inode | Should -Be $ns.Inode
    }
}

Describe 'NamespaceCatalog.Describe, for other cmdlets' -Tag 'Root' {
    It 'describes an open namespace descriptor as Get-Namespace shows it' {
        $assembly = [PSNamespaces.Namespace].Assembly
        $sys = $assembly.GetType('PSNamespaces.Interop.Sys')
        $open = $sys.GetMethod('Open', [Reflection.BindingFlags]'NonPublic, Static')
        $describe = $assembly.GetType('PSNamespaces.Core.Inventory.NamespaceCatalog').GetMethod('Describe', [Reflection.BindingFlags]'NonPublic, Static', $null, @($assembly.GetType('PSNamespaces.Interop.SafeFd'), [Nullable[PSNamespaces.NamespaceType]]), $null)
        $fd = $open.Invoke($null, @([string]$fixture.BindPath, 0))
        try {
            $described = $describe.Invoke($null, @($fd, $null))
        } finally {
            $fd.Dispose()
        }
        $shown = Get-Namespace -Inode $fixture.BindInode
        foreach ($property in $shown.PSObject.Properties.Name) {
            $described.$property | Should -Be $shown.$property -Because $property
        }
    }

    It 'describes a namespace by type and inode as Get-Namespace shows it, and not by the wrong type' {
        $assembly = [PSNamespaces.Namespace].Assembly
        $describe = $assembly.GetType('PSNamespaces.Core.Inventory.NamespaceCatalog').GetMethod('Describe', [Reflection.BindingFlags]'NonPublic, Static', $null, @([PSNamespaces.NamespaceType], [uint64], [bool]), $null)
        $inode = Get-NsInode $fixture.Users.Pid net
        $described = $describe.Invoke($null, @([PSNamespaces.NamespaceType]::Net, [uint64]$inode, $false))
        $shown = Get-Namespace -Inode $inode
        foreach ($property in $shown.PSObject.Properties.Name) {
            $described.$property | Should -Be $shown.$property -Because $property
        }
        $described.ProcessCount | Should -Be 4
        $describe.Invoke($null, @([PSNamespaces.NamespaceType]::Uts, [uint64]$inode, $false)) | Should -BeNullOrEmpty
    }
}
