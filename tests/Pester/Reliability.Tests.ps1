# Issue 9: hostile input, races, interruption and hardening. Every case checks the error the
# design documents AND that the system is as it was (mounts, /run/netns, files, child processes),
# with the kernel's and the reference tools' view (mountinfo, ip netns, /proc, strace).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noStrace = Test-DependencySkip -Name strace -For 'The hardening checks'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $modulePath = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { (Resolve-Path (Join-Path $PSScriptRoot '../../out/PSNamespaces')).Path }
    $prefix = "psns-i9-$PID"
    $dir = "/tmp/$prefix"
    $null = New-Item -ItemType Directory -Path $dir -Force
    Set-Content "$dir/regular" 'regular file'
    $null = New-Item -ItemType Directory "$dir/directory"
    $null = New-Item -ItemType SymbolicLink -Path "$dir/link-to-regular" -Target "$dir/regular"
    $long = 'n' * 256
    $longPath = "$dir/" + ('p' * 4100)

    function Test-Ours {
        # Other developers' test runs share this machine: their psns-* mounts and names come and go.
        param([string] $Line)
        $Line -notmatch 'psns-' -or $Line -match [regex]::Escape($prefix)
    }

    function Get-SystemSnapshot {
        <# What a refused call must leave alone, as the kernel and ls show it. #>
        [pscustomobject]@{
            Mounts   = (@(Get-MountSignature | Where-Object { Test-Ours $_ }) | Sort-Object) -join "`n"
            Netns    = (@(Get-ChildItem /run/netns -Force -ErrorAction Ignore | ForEach-Object Name | Where-Object { Test-Ours $_ }) | Sort-Object) -join "`n"
            IpNetns  = (@(Get-NetnsName | Where-Object { Test-Ours $_ }) | Sort-Object) -join "`n"
            Files    = (@(Get-ChildItem $dir -Recurse -Force | ForEach-Object { "$($_.FullName) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }) | Sort-Object) -join "`n"
            Children = (@(Get-ChildPid $PID) | Sort-Object) -join ' '
        }
    }

    function Get-OurNetnsMount {
        <# The mounts findmnt(8) lists under /run/netns for this file's names (other developers' runs have their own). #>
        @(findmnt -rn -o TARGET | Where-Object { $_ -like "/run/netns/$prefix-*" })
    }

    function Assert-SystemUnchanged {
        param([Parameter(Mandatory)] $Before)
        # A refused launch's helper may still be in the middle of being reaped.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do {
            $after = Get-SystemSnapshot
            if ($after.Children -eq $Before.Children) { break }
            Start-Sleep -Milliseconds 50
        } while ([DateTime]::UtcNow -lt $deadline)
        foreach ($property in 'Mounts', 'Netns', 'IpNetns', 'Files', 'Children') {
            $after.$property | Should -Be $Before.$property -Because "$property must be unchanged"
        }
    }

    # A network namespace of our own, and a UTS namespace file, for wrong-type cases.
    $holder = Start-TestProcess -Unshare '--net', '--uts'
    $null = New-Namespace -Type Uts -Path "$dir/uts-file"
}

AfterAll {
    if ($holder) { Stop-TestProcess $holder }
    Clear-TestNamespace -Directory $dir -NamePrefix $prefix
    Remove-TestBinaries
}

Describe 'Bad input for every parameter' -Tag 'Root', 'Slow' {
    It '<Case> gives <Category> (<Id>) and changes nothing' -TestCases @(
        # PIDs that name no process: the largest int, and one above the largest pid_max (2^22).
        @{ Case = 'Get-NamespaceProcess -Pid 2147483647'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Get-NamespaceProcess -Pid 2147483647 } }
        @{ Case = 'Get-NamespaceProcess -Pid 4194305'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Get-NamespaceProcess -Pid 4194305 } }
        @{ Case = 'Get-ProcNsStatus -Pid 2147483647'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Get-ProcNsStatus -Pid 2147483647 } }
        @{ Case = 'Get-Namespace -Pid 4194305'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Get-Namespace -Pid 4194305 } }
        @{ Case = 'New-Namespace -Path -Pid 2147483647'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { New-Namespace -Type Uts -Path "$dir/new" -Pid 2147483647 } }
        @{ Case = 'New-Namespace -Name -Pid 4194305'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { New-Namespace -Type Net -Name "$prefix-new" -Pid 4194305 } }
        @{ Case = 'Enter-Namespace -Pid 2147483647'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Enter-Namespace -Pid 2147483647 -Type Uts -FilePath true } }
        @{ Case = 'Invoke-InNamespace -Pid 2147483647'; Category = 'ObjectNotFound'; Id = 'ProcessNotFound'; Command = { Invoke-InNamespace -Pid 2147483647 -Type Net { 1 } } }
        # Names: '/', '..', NUL, too long (NAME_MAX is 255), missing.
        @{ Case = 'Get-NamespaceProcess -Name a/b'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Get-NamespaceProcess -Name 'a/b' } }
        @{ Case = 'Get-NamespaceProcess -Name NUL'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Get-NamespaceProcess -Name "a`0b" } }
        @{ Case = 'Get-NamespaceProcess -Name newline (missing)'; Category = 'ObjectNotFound'; Id = 'NamespaceNotFound'; Command = { Get-NamespaceProcess -Name "$prefix`nx" } }
        @{ Case = 'Get-Namespace -Name ..'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Get-Namespace -Name '..' } }
        @{ Case = 'Get-Namespace -Name 256 bytes'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Get-Namespace -Name $long } }
        @{ Case = 'New-Namespace -Name empty'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name '' } }
        @{ Case = 'New-Namespace -Name .'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name '.' } }
        @{ Case = 'New-Namespace -Name ..'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name '..' } }
        @{ Case = 'New-Namespace -Name ../x'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name "../$prefix" } }
        @{ Case = 'New-Namespace -Name NUL'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name "$prefix`0x" } }
        @{ Case = 'New-Namespace -Name 256 bytes'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name $long } }
        # ip netns list prints names raw, one per line: a new name with a control character would break it.
        @{ Case = 'New-Namespace -Name newline'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name "$prefix`nx" } }
        @{ Case = 'New-Namespace -Name escape'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { New-Namespace -Type Net -Name "$prefix`e[2Jx" } }
        @{ Case = 'Remove-Namespace -Name empty'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Remove-Namespace -Name '' } }
        @{ Case = 'Remove-Namespace -Name ..'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Remove-Namespace -Name '..' } }
        @{ Case = 'Remove-Namespace -Name a/b'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Remove-Namespace -Name 'a/b' } }
        @{ Case = 'Remove-Namespace -Name NUL'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Remove-Namespace -Name "a`0b" } }
        @{ Case = 'Remove-Namespace -Name 256 bytes'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceName'; Command = { Remove-Namespace -Name $long } }
        @{ Case = 'Remove-Namespace -Name missing'; Category = 'ObjectNotFound'; Id = 'NamespaceNotFound'; Command = { Remove-Namespace -Name "$prefix-missing" } }
        @{ Case = 'Set-NamespaceNetNsId -Name missing'; Category = 'ObjectNotFound'; Id = 'NamespaceNotFound'; Command = { Set-NamespaceNetNsId -Name "$prefix-missing" -NetNsId 5 } }
        @{ Case = 'Enter-Namespace -Name a/b'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceTarget'; Command = { Enter-Namespace -Name 'a/b' -FilePath true } }
        @{ Case = 'Enter-Namespace -Name missing'; Category = 'ObjectNotFound'; Id = 'NamespaceNotFound'; Command = { Enter-Namespace -Name "$prefix-missing" -FilePath true } }
        @{ Case = 'Invoke-InNamespace -Name ..'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceTarget'; Command = { Invoke-InNamespace -Name '..' { 1 } } }
        # Paths: too long, NUL, a directory, a symlink, a missing directory, files that are not namespaces.
        @{ Case = 'New-Namespace -Path >4096 bytes'; Category = 'InvalidArgument'; Id = 'open,ENAMETOOLONG'; Command = { New-Namespace -Type Uts -Path $longPath } }
        @{ Case = 'New-Namespace -Path directory'; Category = 'InvalidArgument'; Id = 'PathIsDirectory'; Command = { New-Namespace -Type Uts -Path "$dir/directory" } }
        @{ Case = 'New-Namespace -Path regular file'; Category = 'ResourceExists'; Id = 'PathExists'; Command = { New-Namespace -Type Uts -Path "$dir/regular" } }
        @{ Case = 'New-Namespace -Path symlink to a file'; Category = 'InvalidArgument'; Id = 'PathIsSymbolicLink'; Command = { New-Namespace -Type Uts -Path "$dir/link-to-regular" } }
        @{ Case = 'New-Namespace -Path in a missing directory'; Category = 'ObjectNotFound'; Id = 'DirectoryNotFound'; Command = { New-Namespace -Type Uts -Path "$dir/missing/x" } }
        @{ Case = 'New-Namespace -Path relative ../ into a missing directory'; Category = 'ObjectNotFound'; Id = 'DirectoryNotFound'; Command = { New-Namespace -Type Uts -Path "../$prefix-missing/x" } }
        @{ Case = 'Remove-Namespace -Path regular file'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Remove-Namespace -Path "$dir/regular" } }
        @{ Case = 'Remove-Namespace -Path /dev/null'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Remove-Namespace -Path /dev/null } }
        # /proc/PID, not /proc/self: Remove-Namespace never goes through a link, and /proc/self is one (PathIsSymbolicLink).
        @{ Case = 'Remove-Namespace -Path /proc/PID/status'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Remove-Namespace -Path "/proc/$PID/status" } }
        @{ Case = 'Remove-Namespace -Path directory'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Remove-Namespace -Path "$dir/directory" } }
        @{ Case = 'Remove-Namespace -Path symlink'; Category = 'InvalidArgument'; Id = 'PathIsSymbolicLink'; Command = { Remove-Namespace -Path "$dir/link-to-regular" } }
        @{ Case = 'Remove-Namespace -Path missing'; Category = 'ObjectNotFound'; Id = 'NamespaceNotFound'; Command = { Remove-Namespace -Path "$dir/missing" } }
        @{ Case = 'Remove-Namespace -Path >4096 bytes'; Category = 'InvalidArgument'; Id = 'open,ENAMETOOLONG'; Command = { Remove-Namespace -Path $longPath } }
        @{ Case = 'Remove-Namespace -Path NUL'; Category = 'InvalidArgument'; Id = 'InvalidPath'; Command = { Remove-Namespace -Path "$dir/uts-file`0x" } }
        @{ Case = 'Set-NamespaceNetNsId -Path regular file'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Set-NamespaceNetNsId -Path "$dir/regular" -NetNsId 5 } }
        @{ Case = 'Set-NamespaceNetNsId -Path /dev/null'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Set-NamespaceNetNsId -Path /dev/null -NetNsId 5 } }
        @{ Case = 'Set-NamespaceNetNsId -Path a UTS namespace'; Category = 'InvalidArgument'; Id = 'WrongNamespaceType'; Command = { Set-NamespaceNetNsId -Path "$dir/uts-file" -NetNsId 5 } }
        @{ Case = 'Set-NamespaceNetNsId -Path NUL'; Category = 'InvalidArgument'; Id = 'InvalidPath'; Command = { Set-NamespaceNetNsId -Path "$dir/uts-file`0x" -NetNsId 5 } }
        @{ Case = 'Enter-Namespace -Path regular file'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Enter-Namespace -Path "$dir/regular" -FilePath true } }
        @{ Case = 'Enter-Namespace -Path /dev/null'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Enter-Namespace -Path /dev/null -FilePath true } }
        @{ Case = 'Enter-Namespace -Path /proc/self/status'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Enter-Namespace -Path /proc/self/status -FilePath true } }
        @{ Case = 'Enter-Namespace -Path directory'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Enter-Namespace -Path "$dir/directory" -FilePath true } }
        @{ Case = 'Enter-Namespace -Path UTS file -Type Net'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceTarget'; Command = { Enter-Namespace -Path "$dir/uts-file" -Type Net -FilePath true } }
        @{ Case = 'Invoke-InNamespace -Path regular file'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Invoke-InNamespace -Path "$dir/regular" { 1 } } }
        @{ Case = 'Invoke-InNamespace -Path /dev/null'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Invoke-InNamespace -Path /dev/null { 1 } } }
        @{ Case = 'Invoke-InNamespace -Path /proc/self/status'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Invoke-InNamespace -Path /proc/self/status { 1 } } }
        @{ Case = 'Invoke-InNamespace -Path directory'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Invoke-InNamespace -Path "$dir/directory" { 1 } } }
        @{ Case = 'Invoke-InNamespace -Path symlink to a file'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { Invoke-InNamespace -Path "$dir/link-to-regular" { 1 } } }
        @{ Case = 'Invoke-InNamespace -Path UTS file -Type Net'; Category = 'InvalidArgument'; Id = 'InvalidNamespaceTarget'; Command = { Invoke-InNamespace -Path "$dir/uts-file" -Type Net { 1 } } }
        # Launch parameters that name nothing usable.
        @{ Case = 'New-Namespace -FilePath missing'; Category = 'ObjectNotFound'; Id = 'execvp,ENOENT'; Command = { New-Namespace -Type Uts -FilePath "$dir/missing" } }
        @{ Case = 'New-Namespace -FilePath directory'; Category = 'PermissionDenied'; Id = 'execvp,EACCES'; Command = { New-Namespace -Type Uts -FilePath "$dir/directory" } }
        @{ Case = 'New-Namespace -FilePath not executable'; Category = 'PermissionDenied'; Id = 'execvp,EACCES'; Command = { New-Namespace -Type Uts -FilePath "$dir/regular" } }
        @{ Case = 'New-Namespace -Root missing'; Category = 'ObjectNotFound'; Id = 'chroot,ENOENT'; Command = { New-Namespace -Type Uts -FilePath true -Root "$dir/missing" } }
        @{ Case = 'New-Namespace -Root regular file'; Category = 'InvalidArgument'; Id = 'chroot,ENOTDIR'; Command = { New-Namespace -Type Uts -FilePath true -Root "$dir/regular" } }
        @{ Case = 'New-Namespace -WorkingDirectory missing'; Category = 'ObjectNotFound'; Id = 'chdir,ENOENT'; Command = { New-Namespace -Type Uts -FilePath true -WorkingDirectory "$dir/missing" } }
        @{ Case = 'Format-NamespaceTree of a string'; Category = 'InvalidArgument'; Id = 'NotANamespace'; Command = { 'x' | Format-NamespaceTree } }
    ) {
        $ErrorActionPreference = 'Continue'
        $before = Get-SystemSnapshot
        $output = @(& $Command 2>&1)
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 1 -Because ($output | Out-String)
        $errors[0].CategoryInfo.Category | Should -Be $Category
        $errors[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        Assert-SystemUnchanged $before
        # The symlink's target is still the plain file it was.
        Get-Content "$dir/regular" | Should -Be 'regular file'
    }

    It '<Case> is refused by parameter validation and changes nothing' -TestCases @(
        @{ Case = 'Get-NamespaceProcess -Pid 0'; Command = { Get-NamespaceProcess -Pid 0 } }
        @{ Case = 'Get-ProcNsStatus -Pid -1'; Command = { Get-ProcNsStatus -Pid -1 } }
        @{ Case = 'Get-Namespace -Pid -2147483648'; Command = { Get-Namespace -Pid ([int]::MinValue) } }
        @{ Case = 'Get-Namespace -Inode 0'; Command = { Get-Namespace -Inode 0 } }
        @{ Case = 'New-Namespace -Name -Pid 0'; Command = { New-Namespace -Type Net -Name "$prefix-new" -Pid 0 } }
        @{ Case = 'New-Namespace -Path -Pid -1'; Command = { New-Namespace -Type Uts -Path "$dir/new" -Pid -1 } }
        @{ Case = 'Enter-Namespace -Pid 0'; Command = { Enter-Namespace -Pid 0 -FilePath true } }
        @{ Case = 'Invoke-InNamespace -Pid -1'; Command = { Invoke-InNamespace -Pid -1 -Type Net { 1 } } }
        @{ Case = 'Set-NamespaceNetNsId -NetNsId -5'; Command = { Set-NamespaceNetNsId -Path "$dir/uts-file" -NetNsId -5 } }
        # The kernel would read these only up to the NUL, and run or use something else.
        @{ Case = 'New-Namespace -FilePath NUL'; Command = { New-Namespace -Type Uts -FilePath "tr`0ue" } }
        @{ Case = 'New-Namespace -ArgumentList NUL'; Command = { New-Namespace -Type Uts -FilePath true -ArgumentList 'a', "b`0c" } }
        @{ Case = 'New-Namespace -Root NUL'; Command = { New-Namespace -Type Uts -FilePath true -Root "$dir`0x" } }
        @{ Case = 'New-Namespace -WorkingDirectory NUL'; Command = { New-Namespace -Type Uts -FilePath true -WorkingDirectory "$dir`0x" } }
        @{ Case = 'Enter-Namespace -FilePath NUL'; Command = { Enter-Namespace -Pid $PID -Type Uts -FilePath "tr`0ue" } }
        @{ Case = 'Enter-Namespace -ArgumentList NUL'; Command = { Enter-Namespace -Pid $PID -Type Uts -FilePath true -ArgumentList "`0" } }
        @{ Case = 'Enter-Namespace -Root NUL'; Command = { Enter-Namespace -Pid $PID -Type Uts -FilePath true -Root "/`0x" } }
        @{ Case = 'Enter-Namespace -WorkingDirectory NUL'; Command = { Enter-Namespace -Pid $PID -Type Uts -FilePath true -WorkingDirectory "/`0x" } }
    ) {
        $before = Get-SystemSnapshot
        $Command | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        Assert-SystemUnchanged $before
    }

    It '<Case> stops the whole call with InvalidArgument (<Id>) and changes nothing' -TestCases @(
        @{ Case = 'New-Namespace -Path NUL'; Id = 'InvalidPath'; Command = { New-Namespace -Type Uts -Path "$dir/uts-file`0x" } }
        @{ Case = 'New-Namespace -Type Uts -Name'; Id = 'NameNeedsNetType'; Command = { New-Namespace -Type Uts -Name "$prefix-uts" } }
        @{ Case = 'New-Namespace -UidMap not three numbers'; Id = 'InvalidIdMap'; Command = { New-Namespace -Type User -UidMap 'x y z' -FilePath true } }
    ) {
        $before = Get-SystemSnapshot
        $thrown = $null
        try { & $Command } catch { $thrown = $_ }
        $thrown | Should -Not -BeNullOrEmpty
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $thrown.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Assert-SystemUnchanged $before
    }
}

Describe 'Names iproute2 allows but New-Namespace refuses' -Tag 'Root' {
    It 'finds and removes a name with a newline that ip netns add made' {
        $name = "$prefix-nl`nx"
        ip netns add $name
        try {
            $LASTEXITCODE | Should -Be 0
            (Get-Namespace -Name $name).Inode | Should -Be ([uint64](stat -L -c %i -- "/run/netns/$name"))
            Remove-Namespace -Name $name
            Test-Path -LiteralPath "/run/netns/$name" | Should -BeFalse
            @(Get-MountSignature | Where-Object { $_ -like "*$prefix-nl*" }) | Should -BeNullOrEmpty
        } finally {
            # ip netns list splits such a name in two, so the file-level clean-up cannot find it: done here.
            if (Test-Path -LiteralPath "/run/netns/$name") { umount -l "/run/netns/$name"; Remove-Item -LiteralPath "/run/netns/$name" }
        }
    }
}

Describe 'Symbolic links are never followed by mount or unmount' -Tag 'Root' {
    It 'Remove-Namespace -Path on a symlink to a namespace file leaves the namespace file mounted' {
        $file = "$dir/persisted"
        $null = New-Namespace -Type Uts -Path $file
        $null = New-Item -ItemType SymbolicLink -Path "$dir/link-to-persisted" -Target $file
        try {
            $before = Get-SystemSnapshot
            Remove-Namespace -Path "$dir/link-to-persisted" -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsSymbolicLink,*'
            Get-MountCount $file | Should -Be 1
            (findmnt -rn -o FSTYPE --mountpoint $file) | Should -Be 'nsfs'
            Test-Path "$dir/link-to-persisted" | Should -BeTrue
            Assert-SystemUnchanged $before
        } finally {
            Remove-Item "$dir/link-to-persisted" -ErrorAction Ignore
            Remove-Namespace -Path $file
        }
    }

    It 'New-Namespace -Path on a dangling symlink creates no file at its target' {
        $null = New-Item -ItemType SymbolicLink -Path "$dir/dangling" -Target "$dir/dangling-target"
        try {
            $before = Get-SystemSnapshot
            New-Namespace -Type Uts -Path "$dir/dangling" -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsSymbolicLink,*'
            Test-Path "$dir/dangling-target" | Should -BeFalse
            Assert-SystemUnchanged $before
        } finally {
            Remove-Item "$dir/dangling" -ErrorAction Ignore
        }
    }
}

Describe 'Races with the target process' -Tag 'Root' {
    It 'a Namespace object whose processes are gone is refused by Enter-Namespace and Invoke-InNamespace, which act on no other namespace' {
        $victim = Start-TestProcess -Unshare '--net'
        try {
            $ns = Get-Namespace -Pid $victim.Pid -Type Net
            $ns.Inode | Should -Be (Get-NsInode $victim.Pid net)
        } finally {
            Stop-TestProcess $victim
        }
        # The kernel freed the namespace: no process shows its inode any more.
        @(Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object { readlink "/proc/$($_.Name)/ns/net" 2>$null }) |
            Should -Not -Contain "net:[$($ns.Inode)]"
        $before = Get-SystemSnapshot
        $ran = "$dir/ran"
        Enter-Namespace -Namespace $ns -FilePath touch -ArgumentList $ran -ErrorVariable enterErr -ErrorAction SilentlyContinue
        $enterErr.Count | Should -Be 1
        $enterErr[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $out = Invoke-InNamespace -Namespace $ns { Set-Content $args[0] 1; 'ran' } -ArgumentList $ran -ErrorVariable invokeErr -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $invokeErr.Count | Should -Be 1
        $invokeErr[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Test-Path $ran | Should -BeFalse
        Assert-SystemUnchanged $before
    }

    It 'a PID that exited between lookup and use gives ObjectNotFound, never another process''s namespace' {
        $calls = @({ Get-NamespaceProcess -Pid $victimPid }, { Get-Namespace -Pid $victimPid }, { Enter-Namespace -Pid $victimPid -Type Uts -FilePath true },
            { Invoke-InNamespace -Pid $victimPid -Type Uts { hostname } }, { New-Namespace -Type Uts -Path "$dir/from-dead" -Pid $victimPid })
        # A call whose PID the kernel reused meanwhile is about that process, and is not checked
        # here: such calls are tried again with a new dead PID, until every one was checked.
        $checked = @{}
        for ($round = 0; $round -lt 10 -and $checked.Count -lt $calls.Count; $round++) {
            $victim = Start-TestProcess -Unshare '--uts'
            $victimPid = $victim.Pid
            Stop-TestProcess $victim
            $before = Get-SystemSnapshot
            for ($i = 0; $i -lt $calls.Count; $i++) {
                $call = $calls[$i]
                if ($checked.ContainsKey($i) -or (Test-Path "/proc/$victimPid")) { continue }
                $ErrorActionPreference = 'Continue'
                $output = @(& $call 2>&1)
                $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
                $errors.Count | Should -Be 1 -Because "$call"
                $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound' -Because "$call"
                @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty -Because "$call"
                $checked[$i] = $true
            }
            Test-Path "$dir/from-dead" | Should -BeFalse
            Assert-SystemUnchanged $before
        }
        $checked.Count | Should -Be $calls.Count -Because 'every call must have been checked against a PID that was not reused'
    }

    It 'a Namespace object whose PID the kernel gave to an unrelated process is refused, and that process is left alone (5 rounds, more until an inode is reused)' {
        $ran = "$dir/ran-in-reused"
        $inodeReused = 0
        # Inode reuse is likely in a round, not certain (the old namespace is freed asynchronously).
        foreach ($round in 1..30) {
            if ($round -gt 5 -and $inodeReused -gt 0) { break }
            $victim = Start-TestProcess -Unshare '--net', '--uts'
            try {
                $reusedPid = $victim.Pid
                $net = Get-Namespace -Pid $reusedPid -Type Net
                $uts = Get-Namespace -Pid $reusedPid -Type Uts
                # This kernel has NS_GET_ID: the 64-bit id, never reused, is what tells namespaces apart.
                $net.NsId | Should -Not -BeNullOrEmpty
            } finally {
                Stop-TestProcess $victim
            }
            # The same PID, now an unrelated process in namespaces of its own (unshare execs sleep).
            $impostor = Start-TestProcessWithPid -ProcessId $reusedPid -Command unshare, '--net', '--uts', 'sleep', '1000' -Name sleep
            try {
                # Often with the very inode the victim's namespace had: nsfs hands a freed inode
                # number to the next namespace made. Only NS_GET_ID tells the two apart then.
                $impostorNet = Get-NsInode $reusedPid net
                # Counted for the net namespace only: Invoke-InNamespace -Namespace $net relies on NsId alone then.
                if ($impostorNet -eq $net.Inode) { $inodeReused++ }
                $before = Get-SystemSnapshot

                Enter-Namespace -Namespace $net, $uts -FilePath touch -ArgumentList $ran -ErrorVariable enterErr -ErrorAction SilentlyContinue
                $enterErr.Count | Should -Be 1 -Because "round $round"
                $enterErr[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
                $out = Invoke-InNamespace -Namespace $net { Set-Content $args[0] 1; 'ran' } -ArgumentList $ran -ErrorVariable invokeErr -ErrorAction SilentlyContinue
                $out | Should -BeNullOrEmpty
                $invokeErr.Count | Should -Be 1 -Because "round $round"
                $invokeErr[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
                Test-Path $ran | Should -BeFalse
                # Asked for the old namespace's processes: it is gone, whatever now has its inode.
                $listed = @(Get-NamespaceProcess -Namespace $net -ErrorVariable listErr -ErrorAction SilentlyContinue)
                $listed | Should -BeNullOrEmpty
                $listErr.Count | Should -Be 1
                $listErr[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'

                Get-NsInode $reusedPid net | Should -Be $impostorNet
                Get-Content "/proc/$reusedPid/comm" | Should -Be 'sleep'
                Assert-SystemUnchanged $before
            } finally {
                Stop-TestProcess $impostor
            }
        }
        # The case the NsId check is for happened: the same PID, and the old net namespace's inode number on a new one.
        $inodeReused | Should -BeGreaterThan 0
    }
}

Describe 'Concurrent New-Namespace -Name and Remove-Namespace' -Tag 'Root' {
    AfterAll {
        # A broken build may stack several mounts on one name: take them all away.
        foreach ($file in Get-ChildItem /run/netns -ErrorAction Ignore | Where-Object Name -like "$prefix-c*") {
            while ((Get-MountCount $file.FullName) -gt 0) { umount -l $file.FullName }
            Remove-Item $file.FullName -Force
        }
    }

    It '50 parallel creations and removals of distinct names all succeed, and /run/netns agrees with ip netns list' {
        $names = 1..50 | ForEach-Object { "$prefix-cd$_" }
        $results = $names | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:modulePath
            $ns = New-Namespace -Type Net -Name $_ -ErrorVariable e -ErrorAction SilentlyContinue
            [pscustomobject]@{ Name = $_; Inode = $ns.Inode; Errors = @($e).Count }
        }
        @($results | Where-Object Errors -ne 0) | Should -BeNullOrEmpty
        foreach ($r in $results) { Get-FileInode "/run/netns/$($r.Name)" | Should -Be $r.Inode }
        @($results.Inode | Sort-Object -Unique).Count | Should -Be 50
        $listed = Get-NetnsName | Where-Object { $_ -like "$prefix-cd*" } | Sort-Object
        $listed | Should -Be ($names | Sort-Object)
        (Get-ChildItem /run/netns | Where-Object Name -like "$prefix-cd*" | ForEach-Object Name | Sort-Object) | Should -Be ($names | Sort-Object)

        $removed = $names | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:modulePath
            Remove-Namespace -Name $_ -ErrorVariable e -ErrorAction SilentlyContinue
            @($e).Count
        }
        ($removed | Measure-Object -Sum).Sum | Should -Be 0
        @(Get-NetnsName | Where-Object { $_ -like "$prefix-cd*" }) | Should -BeNullOrEmpty
        @(Get-ChildItem /run/netns | Where-Object Name -like "$prefix-cd*") | Should -BeNullOrEmpty
        Get-OurNetnsMount | Should -BeNullOrEmpty
    }

    It '50 parallel creations and removals of the same 5 names either fully succeed or fail cleanly' {
        $names = 0..4 | ForEach-Object { "$prefix-cs$_" }
        $results = 1..50 | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:modulePath
            $name = ($using:names)[$_ % 5]
            $ns = New-Namespace -Type Net -Name $name -ErrorVariable e -ErrorAction SilentlyContinue
            [pscustomobject]@{ Name = $name; Ok = [bool]$ns; Ids = @($e | ForEach-Object { "$($_.CategoryInfo.Category) $($_.FullyQualifiedErrorId)" }) }
        }
        foreach ($name in $names) {
            $mine = @($results | Where-Object Name -eq $name)
            @($mine | Where-Object Ok).Count | Should -Be 1 -Because "exactly one creation of $name wins"
            foreach ($loser in $mine | Where-Object { -not $_.Ok }) {
                $loser.Ids.Count | Should -Be 1
                $loser.Ids[0] | Should -BeLike 'ResourceExists *'
            }
            Get-MountCount "/run/netns/$name" | Should -Be 1
        }
        (Get-NetnsName | Where-Object { $_ -like "$prefix-cs*" } | Sort-Object) | Should -Be $names

        $removed = 1..50 | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:modulePath
            $name = ($using:names)[$_ % 5]
            Remove-Namespace -Name $name -ErrorVariable e -ErrorAction SilentlyContinue
            [pscustomobject]@{ Name = $name; Ids = @($e | ForEach-Object { "$($_.CategoryInfo.Category) $($_.FullyQualifiedErrorId)" }) }
        }
        foreach ($name in $names) {
            $mine = @($removed | Where-Object Name -eq $name)
            @($mine | Where-Object { $_.Ids.Count -eq 0 }).Count | Should -Be 1 -Because "exactly one removal of $name wins"
            foreach ($loser in $mine | Where-Object { $_.Ids.Count -ne 0 }) {
                $loser.Ids.Count | Should -Be 1
                $loser.Ids[0] | Should -BeLike 'ObjectNotFound *'
            }
        }
        @(Get-NetnsName | Where-Object { $_ -like "$prefix-cs*" }) | Should -BeNullOrEmpty
        @(Get-ChildItem /run/netns | Where-Object Name -like "$prefix-cs*") | Should -BeNullOrEmpty
        Get-OurNetnsMount | Should -BeNullOrEmpty
    }
}

Describe 'Interruption (pipeline stop) returns promptly and leaves nothing behind' -Tag 'Root', 'Slow' {
    It 'stops <Case>' -TestCases @(
        @{ Case = 'a long scan'; Script = '1..1000000 | ForEach-Object { [int]($_ % 4000000) + 1 } | Get-Namespace -ErrorAction SilentlyContinue'; Program = $null }
        @{ Case = 'a launch into new PID and mount namespaces'; Script = 'New-Namespace -Type Pid, Mount -MountProc -FilePath sleep -ArgumentList 100'; Program = 'sleep100' }
        @{ Case = 'an Invoke-InNamespace block'; Script = 'Invoke-InNamespace -Pid HOLDER -Type Net { Start-Sleep 100 }'; Program = $null }
    ) {
        $before = Get-SystemSnapshot
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$modulePath'; $($Script -replace 'HOLDER', $holder.Pid)")
        $async = $ps.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            if ($Program) {
                $running = { Get-DescendantPid $PID | Where-Object { (Get-Content "/proc/$_/cmdline" -Raw -ErrorAction Ignore) -replace "`0", '' -eq $Program } }
                while (-not (& $running) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                & $running | Should -Not -BeNullOrEmpty -Because "$Program must be running when it is stopped"
            }
            Start-Sleep -Milliseconds 1500
            Assert-StopsPromptly $ps
        } finally {
            $ps.Dispose()
        }
        Assert-SystemUnchanged $before
    }
}

Describe 'Hardening seen from outside with strace' -Tag 'Root', 'Slow' -Skip:$noStrace {
    BeforeAll {
        function Merge-StraceLine([string[]] $Lines) {
            # With -f, a call another thread interrupts is split in two lines, "TID call(args
            # <unfinished ...>" and later "TID <... call resumed>rest": joined again, where it began.
            $merged = [System.Collections.Generic.List[string]]::new()
            $open = @{}
            foreach ($line in $Lines) {
                if ($line -match '^(\d+) +<\.\.\. \w+ resumed>(.*)$' -and $open.ContainsKey($Matches[1])) {
                    $at = $open[$Matches[1]]
                    $merged[$at] = $merged[$at] + $Matches[2]
                    $open.Remove($Matches[1])
                } elseif ($line -match '^(\d+) .* <unfinished \.\.\.>$') {
                    $open[$Matches[1]] = $merged.Count
                    $merged.Add(($line -replace ' <unfinished \.\.\.>$', ''))
                } else {
                    $merged.Add($line)
                }
            }
            $merged.ToArray()
        }
        $log = "$dir/strace.log"
        $script = "Import-Module '$modulePath'; New-Namespace -Type User -MapRootUser -FilePath true; Enter-Namespace -Pid $($holder.Pid) -Type Net, Uts -FilePath true"
        strace -f -qq -e trace=openat,write,prctl,setns -e write=all -o $log (Get-Command dotnet).Source (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
        $calls = @(Merge-StraceLine (Get-Content $log))
        Remove-Item $log
    }

    It 'writes deny to setgroups before anything to gid_map, through O_NOFOLLOW opens of real /proc files' {
        $setgroups = [array]::FindIndex([string[]]$calls, [Predicate[string]] { param($l) $l -match 'openat\(AT_FDCWD, "/proc/\d+/setgroups", O_WRONLY' -and $l -notmatch '= -1 ' })
        $gidmap = [array]::FindIndex([string[]]$calls, [Predicate[string]] { param($l) $l -match 'openat\(AT_FDCWD, "/proc/\d+/gid_map", O_WRONLY' -and $l -notmatch '= -1 ' })
        $setgroups | Should -BeGreaterOrEqual 0
        $gidmap | Should -BeGreaterThan $setgroups
        # The write right after the setgroups open says deny.
        $fd = [regex]::Match($calls[$setgroups], '= (\d+)$').Groups[1].Value
        $tid = ($calls[$setgroups] -split ' ')[0]
        $write = $calls[($setgroups + 1)..($gidmap - 1)] | Where-Object { $_ -match "^$tid +write\($fd, `"deny" } | Select-Object -First 1
        $write | Should -Not -BeNullOrEmpty
        foreach ($open in $calls | Where-Object { $_ -match 'openat\(AT_FDCWD, "[^"]*(uid_map|gid_map|setgroups)"' }) {
            $open | Should -Match '"/proc/\d+/(uid_map|gid_map|setgroups)", O_WRONLY\|O_NOFOLLOW'
        }
    }

    It 'turns PR_SET_DUMPABLE off in the helper before it joins a namespace' {
        $setns = [array]::FindIndex([string[]]$calls, [Predicate[string]] { param($l) $l -match ' setns\(\d+, CLONE_NEW' })
        $setns | Should -BeGreaterOrEqual 0
        $tid = ($calls[$setns] -split ' ')[0]
        $dumpable = [array]::FindIndex([string[]]$calls, [Predicate[string]] { param($l) $l -match "^$tid +prctl\(PR_SET_DUMPABLE, SUID_DUMP_DISABLE\) = 0" })
        $dumpable | Should -BeGreaterOrEqual 0
        $dumpable | Should -BeLessThan $setns
    }
}
