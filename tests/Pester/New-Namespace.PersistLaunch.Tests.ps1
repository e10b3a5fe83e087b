<#
    New-Namespace -FilePath with -Path or -Name: persist and run in one step, as
    unshare --net=/run/netns/NAME PROGRAM and unshare --pid=FILE --fork PROGRAM do. Expected state
    from findmnt, ip netns, nsenter and unshare itself.
#>
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $dir = "/tmp/psns-i13-pl-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    $prefix = "psns-i13-pl-$PID"
    $kinds = @{
        Net = @('net', 'net'); Uts = @('uts', 'uts'); Ipc = @('ipc', 'ipc'); Cgroup = @('cgroup', 'cgroup')
        Mount = @('mount', 'mnt'); Time = @('time', 'time'); Pid = @('pid', 'pid'); User = @('user', 'user')
    }

    function Get-NsfsMountLine([string] $Path) {
        <# The findmnt line of a namespace file, the namespace's inode left out: what makes two such files the same kind of state. #>
        (findmnt -rn -o FSTYPE,SOURCE,PROPAGATION $Path) -replace '\[\d+\]', '[N]'
    }
}

AfterAll {
    Clear-TestNamespace -Directory $dir -NamePrefix $prefix
}

Describe 'New-Namespace -Type Net -Name X -FilePath (unshare --net=/run/netns/X)' -Tag 'Root' {
    It 'leaves the state unshare leaves: a named namespace ip netns lists, its nsfs mount, only lo inside; ip netns exec enters it' {
        $ours = "$prefix-ours"
        $theirs = "$prefix-theirs"
        try {
            $out = @(New-Namespace -Type Net -Name $ours -FilePath ip -ArgumentList '-o', 'link')
            $LASTEXITCODE | Should -Be 0
            # unshare binds onto an existing file; ip netns add makes /run/netns a mount point first.
            ip netns add "$prefix-setup"; ip netns delete "$prefix-setup"
            New-Item -ItemType File "/run/netns/$theirs" | Out-Null
            $reference = @(unshare "--net=/run/netns/$theirs" ip -o link)
            $LASTEXITCODE | Should -Be 0

            $out | Should -Be $reference
            Get-NetnsName | Should -Contain $ours
            Get-NetnsName | Should -Contain $theirs
            Get-NsfsMountLine "/run/netns/$ours" | Should -Be (Get-NsfsMountLine "/run/netns/$theirs")
            Get-MountCount "/run/netns/$ours" | Should -Be 1
            (ip netns exec $ours readlink /proc/self/ns/net) | Should -Be "net:[$(Get-FileInode "/run/netns/$ours")]"
            @(ip netns exec $ours ip -o link) | Should -Be @(ip netns exec $theirs ip -o link)
            # The program has ended; the mount alone holds the namespace, which is not this session's.
            @(Get-NamespaceProcess -Name $ours).Count | Should -Be 0
            Get-FileInode "/run/netns/$ours" | Should -Not -Be (Get-NsInode $PID net)
        } finally {
            ip netns delete $ours 2>$null
            ip netns delete $theirs 2>$null
        }
    }

    It 'gives the LaunchedProcess with -NoWait -PassThru, whose namespace is the one on the name' {
        $name = "$prefix-nowait"
        $p = New-Namespace -Type Net -Name $name -FilePath sleep -ArgumentList 1000 -NoWait -PassThru
        try {
            $inode = Get-FileInode "/run/netns/$name"
            Get-NsInode $p.Pid net | Should -Be $inode
            ($p.Namespaces | Where-Object Type -EQ Net).Inode | Should -Be $inode
            ip netns pids $name | Should -Be $p.Pid
        } finally {
            $p.Kill(); $null = $p.WaitForExit(10000)
            ip netns delete $name
        }
    }
}

Describe 'New-Namespace -Type Pid -Path FILE -FilePath (unshare --pid=FILE --fork)' -Tag 'Root' {
    It 'binds the PID namespace once the program is its PID 1; nsenter --pid=FILE enters it while it lives' {
        $pidFile = "$dir/pid"
        $p = New-Namespace -Type Pid -Path $pidFile -MountProc -FilePath sleep -ArgumentList 1000 -NoWait -PassThru
        try {
            Get-FileInode $pidFile | Should -Be (Get-NsInode $p.Pid pid)
            (Get-StatusField $p.Pid NSpid) -split '\s+' | Select-Object -Last 1 | Should -Be '1'
            # Inside, entered through the file (with a /proc of it): sleep is PID 1, the shell PID 2.
            $inside = @(nsenter "--pid=$pidFile" -- unshare --mount --mount-proc ps -o pid=,comm=) | ForEach-Object { ($_.Trim() -split '\s+') -join ' ' }
            $inside | Should -Contain '1 sleep'
            Get-NsfsMountLine $pidFile | Should -Match '^nsfs nsfs\[pid:\[N\]\]'
        } finally {
            $p.Kill(); $null = $p.WaitForExit(10000)
            Remove-Namespace -Path $pidFile -WarningAction SilentlyContinue
        }
    }

    It 'makes the same kind of mount as unshare --pid=FILE --fork' {
        $ours = "$dir/pid-ours"; $theirs = "$dir/pid-theirs"
        try {
            New-Namespace -Type Pid -Path $ours -FilePath true
            $LASTEXITCODE | Should -Be 0
            New-Item -ItemType File $theirs | Out-Null
            unshare "--pid=$theirs" --fork true
            Get-NsfsMountLine $ours | Should -Be (Get-NsfsMountLine $theirs)
            Get-FileInode $ours | Should -Not -Be (Get-NsInode $PID pid)
        } finally {
            foreach ($f in $ours, $theirs) { umount $f 2>$null; Remove-Item $f -ErrorAction Ignore }
        }
    }
}

Describe 'New-Namespace -Path -FilePath: every type, and with other launch options' -Tag 'Root' {
    It 'persists a new <Type> namespace that nsenter enters, with the program run inside it' -TestCases @(
        @{ Type = 'Net' }, @{ Type = 'Uts' }, @{ Type = 'Ipc' }, @{ Type = 'Cgroup' }, @{ Type = 'Mount' }, @{ Type = 'Time' }, @{ Type = 'Pid' }, @{ Type = 'User' }
    ) {
        $option, $link = $kinds[$Type]
        $file = "$dir/every-$link"
        try {
            # The program reports the namespace it runs in; for Pid and Time that of its children too (the same for PID 1).
            $seen = New-Namespace -Type $Type -Path $file -FilePath readlink -ArgumentList "/proc/self/ns/$link"
            $LASTEXITCODE | Should -Be 0
            $seen | Should -Be "$($link):[$(Get-FileInode $file)]"
            $seen | Should -Not -Be (readlink "/proc/$PID/ns/$link")
            if ($Type -ne 'Pid') {
                # A PID namespace whose PID 1 has exited takes no process (nor does it for unshare).
                Get-NsenterId -Option $option -Path $file -Link $link | Should -Be $seen
            }
        } finally {
            Remove-Namespace -Path $file -WarningAction SilentlyContinue
        }
        Test-Path $file | Should -BeFalse
    }

    It 'persists with -MapRootUser (a user namespace owning the net namespace) and -KillChild' {
        $userFile = "$dir/u"; $netFile = "$dir/n"
        try {
            $uid = New-Namespace -Type User, Net -Path $userFile, $netFile -MapRootUser -KillChild -FilePath id -ArgumentList '-u'
            $uid | Should -Be '0'
            (nsenter "--user=$userFile" "--net=$netFile" --preserve-credentials readlink /proc/self/ns/net) | Should -Be "net:[$(Get-FileInode $netFile)]"
            # The new user namespace owns the new network namespace.
            (Get-Namespace -Type Net | Where-Object Inode -EQ (Get-FileInode $netFile)).Owner | Should -Be (Get-FileInode $userFile)
        } finally {
            Remove-Namespace -Path $netFile, $userFile -WarningAction SilentlyContinue
        }
    }
}

Describe 'New-Namespace -FilePath with -Path or -Name: failures leave nothing behind' -Tag 'Root' {
    It 'removes the name again when the program cannot be started' {
        $name = "$prefix-noprog"
        $before = Get-NsfsMountCount
        New-Namespace -Type Net -Name $name -FilePath /nonexistent/program -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-NetnsName | Should -Not -Contain $name
        Test-Path "/run/netns/$name" | Should -BeFalse
        Get-NsfsMountCount | Should -Be $before
    }

    It 'refuses a -Path that exists, without running the program or mounting anything' {
        $taken = "$dir/taken"; $marker = "$dir/ran"
        Set-Content $taken 'keep'
        $before = Get-NsfsMountCount
        New-Namespace -Type Uts, Net -Path "$dir/fresh", $taken -FilePath touch -ArgumentList $marker -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Test-Path $marker | Should -BeFalse
        Test-Path "$dir/fresh" | Should -BeFalse
        Get-Content $taken | Should -Be 'keep'
        Get-NsfsMountCount | Should -Be $before
        Remove-Item $taken
    }

    It 'refuses <Case> before anything is made' -TestCases @(
        @{ Case = 'a path count that does not match -Type'; Id = 'PathCountMismatch'; Call = { New-Namespace -Type Net, Uts -Path "$dir/one" -FilePath true -ErrorAction Stop } }
        @{ Case = '-Name without Net'; Id = 'NameNeedsNetType'; Call = { New-Namespace -Type Uts -Name "$prefix-x" -FilePath true -ErrorAction Stop } }
        @{ Case = '-Name and -Path together'; Id = 'PathAndName'; Call = { New-Namespace -Type Net -Name "$prefix-x" -Path "$dir/x" -FilePath true -ErrorAction Stop } }
        @{ Case = 'a bad name'; Id = 'InvalidNamespaceName'; Call = { New-Namespace -Type Net -Name 'a/b' -FilePath true -ErrorAction Stop } }
    ) {
        $before = Get-NsfsMountCount
        $e = { & $Call } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-NsfsMountCount | Should -Be $before
        Test-Path "$dir/one", "$dir/x" | Should -Be @($false, $false)
        Get-NetnsName | Should -Not -Contain "$prefix-x"
    }

    It 'makes nothing with -WhatIf' {
        New-Namespace -Type Net -Name "$prefix-whatif" -FilePath true -WhatIf
        Get-NetnsName | Should -Not -Contain "$prefix-whatif"
    }
}
