BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $dir = "/tmp/psns-i4-new-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    $prefix = "psns-i4-new-$PID"
    # What every thread of this pwsh is in before any test: its main thread's namespaces.
    $original = @{}
    foreach ($e in Get-ThreadNamespace $PID | Where-Object Tid -eq $PID) { $original[$e.Name] = $e.Target }
    # How to enter each kind with nsenter, and its name under /proc/self/ns.
    $kinds = @{
        Net = @('net', 'net'); Uts = @('uts', 'uts'); Ipc = @('ipc', 'ipc'); Cgroup = @('cgroup', 'cgroup')
        Mount = @('mount', 'mnt'); Time = @('time', 'time'); Pid = @('pid', 'pid'); User = @('user', 'user')
    }
}

AfterAll {
    Clear-TestNamespace -Directory $dir -NamePrefix $prefix
}

Describe 'New-Namespace -Name (ip netns add)' -Tag 'Root', 'Slow' {
    It 'makes a network namespace that ip netns lists and enters, with only lo (down), and ip netns delete removes' {
        $name = "$prefix-a"
        $ns = New-Namespace -Type Net -Name $name
        $ns.Type | Should -Be 'Net'
        $ns.Id | Should -Be (ip netns exec $name readlink /proc/self/ns/net)
        $ns.Inode | Should -Be (Get-FileInode "/run/netns/$name")
        Get-NetnsName | Should -Contain $name
        $links = @(ip netns exec $name ip -o link)
        $links.Count | Should -Be 1
        $links[0] | Should -Match '^1: lo: <LOOPBACK>'
        ip netns delete $name
        $LASTEXITCODE | Should -Be 0
        Get-NetnsName | Should -Not -Contain $name
        Test-Path "/run/netns/$name" | Should -BeFalse
    }

    It 'sets lo up with -LoopbackUp' {
        $name = "$prefix-lo"
        $null = New-Namespace -Type Net -Name $name -LoopbackUp
        try {
            ip -n $name -o link show lo | Should -Match '<LOOPBACK,UP,LOWER_UP>'
            ip netns exec $name ping -c 1 -W 1 127.0.0.1 2>$null | Out-Null
            if (Get-Command ping -ErrorAction Ignore) { $LASTEXITCODE | Should -Be 0 }
        } finally {
            ip netns delete $name
        }
    }

    It 'makes several names in one call, each its own namespace' {
        $names = "$prefix-m1", "$prefix-m2"
        $made = @(New-Namespace -Type Net -Name $names)
        try {
            $made.Count | Should -Be 2
            $made[0].Inode | Should -Not -Be $made[1].Inode
            foreach ($i in 0, 1) { $made[$i].Inode | Should -Be (Get-FileInode "/run/netns/$($names[$i])") }
        } finally {
            $names | ForEach-Object { ip netns delete $_ }
        }
    }

    It 'writes the namespace as Get-Namespace -Inode shows it, its bind mounts those mountinfo lists' {
        $name = "$prefix-same"
        $ns = New-Namespace -Type Net -Name $name
        try {
            $listed = Get-Namespace -Inode $ns.Inode
            foreach ($property in $listed.PSObject.Properties.Name) {
                ($ns.$property | ConvertTo-Json -Compress) | Should -Be ($listed.$property | ConvertTo-Json -Compress) -Because $property
            }

            $mounted = @(Get-Content /proc/self/mountinfo | Where-Object { ($_ -split ' ')[3] -eq "net:[$($ns.Inode)]" } | ForEach-Object { ($_ -split ' ')[4] })
            $ns.NsfsPaths | Should -Be $mounted
            $ns.OwnerUid | Should -Be (stat -c %u /proc/self/ns/user)
        } finally {
            ip netns delete $name
        }
    }

    It 'lists the copy mount propagation makes of the new bind mount in a peer of /run/netns' {
        # In a mount namespace of its own, /run/netns is bound a second time (a peer: binds under
        # one appear under the other), so the new namespace has two bind mounts from one mount(2).
        $pwsh = Join-Path $PSHOME 'pwsh'
        $module = (Get-Module PSNamespaces).ModuleBase
        # Outside $dir, which the tests below expect to find empty.
        $work = "/tmp/psns-i27-propagation-$PID"
        $peer = "$work/peer"
        $null = New-Item -ItemType Directory -Path $peer -Force
        $script = "$work/peer.ps1"
        Set-Content $script @"
Import-Module '$module'
`$null = New-Namespace -Type Net -Name first -ErrorAction Stop
mount --bind /run/netns '$peer'
`$ns = New-Namespace -Type Net -Name x -ErrorAction Stop
(`$ns.NsfsPaths | Sort-Object) -join ','
(Get-Content /proc/self/mountinfo | Where-Object { (`$_ -split ' ')[3] -eq "net:[`$(`$ns.Inode)]" } | ForEach-Object { (`$_ -split ' ')[4] } | Sort-Object) -join ','
"@
        $fresh = 'umount -R -l /run/netns 2>/dev/null; mount -t tmpfs psns-i4 /run'
        try {
            $out = @(unshare --mount --propagation private sh -c "$fresh && '$pwsh' -NoProfile -NonInteractive -File '$script'")
            $LASTEXITCODE | Should -Be 0
        } finally {
            Remove-Item -Recurse -Force $work
        }
        $out.Count | Should -Be 2
        $out[1] | Should -Be "/run/netns/x,$peer/x"
        $out[0] | Should -Be $out[1]
    }

    It 'sets up /run/netns exactly as ip netns add does (its own mount, shared, mode 755; the file mode 0)' {
        # Two fresh mount namespaces, each with an empty /run, so both start where iproute2 starts
        # on a new machine; compare what each leaves in its mount table and on disk.
        $pwsh = Join-Path $PSHOME 'pwsh'
        $module = (Get-Module PSNamespaces).ModuleBase
        $show = 'grep netns /proc/self/mountinfo; stat -c "%a %F" /run/netns /run/netns/x'
        # The copy of this machine's /run/netns (other tests may be using it) is taken away first.
        $fresh = 'umount -R -l /run/netns 2>/dev/null; mount -t tmpfs psns-i4 /run'
        $ours = unshare --mount --propagation private sh -c "$fresh && '$pwsh' -NoProfile -NonInteractive -c `"Import-Module '$module'; New-Namespace -Type Net -Name x -ErrorAction Stop | Out-Null`" && $show"
        $LASTEXITCODE | Should -Be 0
        $theirs = unshare --mount --propagation private sh -c "$fresh && ip netns add x && $show"
        $LASTEXITCODE | Should -Be 0
        # Mount ids, device numbers and peer group numbers differ between any two runs.
        $normalize = { $_ -replace '^\d+ \d+ \d+:\d+ ', '' -replace '(shared|master):\d+', '$1' -replace '\[\d+\]', '[N]' }
        $theirs.Count | Should -Be 4
        @($ours | ForEach-Object $normalize) | Should -Be @($theirs | ForEach-Object $normalize)
        # The directory bound onto itself (root /netns of the fresh /run), shared; the name an nsfs mount under it.
        $theirs[0] | Should -Match '^\S+ \S+ \S+ /netns /run/netns \S+ shared:\d+ - '
        $theirs[1] | Should -Match '^\S+ \S+ \S+ net:\[\d+\] /run/netns/x \S+ shared:\d+ - nsfs '
    }
}

Describe 'New-Namespace -Path (unshare --TYPE=FILE)' -Tag 'Root', 'Slow' {
    It 'persists a new <Type> namespace that nsenter --<Type>=FILE enters' -TestCases @(
        @{ Type = 'Net' }, @{ Type = 'Uts' }, @{ Type = 'Ipc' }, @{ Type = 'Cgroup' }, @{ Type = 'Mount' }, @{ Type = 'Time' }, @{ Type = 'User' }
    ) {
        $file = "$dir/$Type"
        $ns = New-Namespace -Type $Type -Path $file
        try {
            $option, $link = $kinds[$Type]
            $ns.Type | Should -Be $Type
            $entered = Get-NsenterId $option $file $link
            $ns.Id | Should -Be $entered
            $entered | Should -Not -Be $original[$link]
            $ns.Inode | Should -Be (Get-FileInode $file)
            (findmnt -rn -o FSTYPE --mountpoint $file) | Should -Be 'nsfs'
        } finally {
            Remove-Namespace -Path $file
        }
        Test-Path $file | Should -BeFalse
    }

    It 'makes all kinds in one call, one file each, in the order of -Type' {
        $types = 'Net', 'Uts', 'Ipc', 'Cgroup', 'Mount', 'Time'
        $files = $types | ForEach-Object { "$dir/all-$_" }
        $made = @(New-Namespace -Type $types -Path $files)
        try {
            $made.Type | Should -Be $types
            for ($i = 0; $i -lt $types.Count; $i++) {
                $option, $link = $kinds[$types[$i]]
                $made[$i].Id | Should -Be (Get-NsenterId $option $files[$i] $link)
            }
        } finally {
            Remove-Namespace -Path $files
        }
    }

    It 'resolves a relative path against the current location' {
        Push-Location $dir
        try {
            $ns = New-Namespace -Type Uts -Path 'relative'
            $ns.Inode | Should -Be (Get-FileInode "$dir/relative")
            Remove-Namespace -Path 'relative'
        } finally {
            Pop-Location
        }
        Test-Path "$dir/relative" | Should -BeFalse
    }

    It 'leaves every thread of this pwsh in its original namespaces' {
        $files = 'Net', 'Uts', 'Ipc', 'Cgroup', 'Mount', 'Time' | ForEach-Object { "$dir/threads-$_" }
        $null = New-Namespace -Type Net, Uts, Ipc, Cgroup, Mount, Time -Path $files
        $null = New-Namespace -Type Net -Name "$prefix-threads" -LoopbackUp
        Remove-Namespace -Path $files
        Remove-Namespace -Name "$prefix-threads"
        $entries = @(Get-ThreadNamespace $PID)
        @($entries.Tid | Sort-Object -Unique).Count | Should -BeGreaterThan 1
        foreach ($e in $entries) { $e.Target | Should -Be $original[$e.Name] -Because "thread $($e.Tid) $($e.Name)" }
    }

    It 'opens every descriptor close-on-exec and leaks none over 50 create/remove' {
        $before = Get-OpenDescriptor
        for ($i = 0; $i -lt 50; $i++) {
            $null = New-Namespace -Type Net -Name "$prefix-fd"
            Remove-Namespace -Name "$prefix-fd"
            $null = New-Namespace -Type Uts, Mount -Path "$dir/fd-uts", "$dir/fd-mnt"
            Remove-Namespace -Path "$dir/fd-uts", "$dir/fd-mnt"
        }
        Get-OpenDescriptor | Should -Be $before
    }

    It 'does nothing with -WhatIf' {
        $mounts = Get-NsfsMountCount
        New-Namespace -Type Net -Name "$prefix-whatif" -WhatIf | Should -BeNullOrEmpty
        New-Namespace -Type Uts -Path "$dir/whatif" -WhatIf | Should -BeNullOrEmpty
        Get-NetnsName | Should -Not -Contain "$prefix-whatif"
        Test-Path "$dir/whatif" | Should -BeFalse
        Get-NsfsMountCount | Should -Be $mounts
    }
}

Describe 'New-Namespace -Pid (ip netns attach)' -Tag 'Root' {
    BeforeAll {
        # No --mount-proc: a program nsenter starts in this mount namespace must find itself in /proc.
        $target = Start-TestProcess -Unshare @('--net', '--uts', '--ipc', '--pid', '--mount', '--user', '--map-root-user')
    }

    AfterAll {
        $target | Stop-TestProcess
    }

    It 'names the network namespace of a running process, as ip netns identify then shows' {
        $name = "$prefix-attach"
        $ns = New-Namespace -Type Net -Name $name -Pid $target.Pid
        try {
            $ns.Inode | Should -Be (Get-NsInode $target.Pid net)
            ip netns identify $target.Pid | Should -Be $name
            @(ip netns pids $name) | Should -Contain "$($target.Pid)"
        } finally {
            Remove-Namespace -Name $name -WarningAction SilentlyContinue
        }
    }

    It 'persists the <Type> namespace of a running process on a file' -TestCases @(
        @{ Type = 'Uts' }, @{ Type = 'Ipc' }, @{ Type = 'Pid' }, @{ Type = 'User' }, @{ Type = 'Mount' }
    ) {
        $file = "$dir/attach-$Type"
        $option, $link = $kinds[$Type]
        $ns = New-Namespace -Type $Type -Path $file -Pid $target.Pid
        try {
            $ns.Inode | Should -Be (Get-NsInode $target.Pid $link)
            Get-NsenterId $option $file $link | Should -Be "$($link):[$($ns.Inode)]"
        } finally {
            Remove-Namespace -Path $file -WarningAction SilentlyContinue
        }
    }

    It 'gives ObjectNotFound for a PID that does not exist, and creates nothing' {
        New-Namespace -Type Net -Name "$prefix-nopid" -Pid 999999999 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err[0].TargetObject | Should -Be 999999999
        Get-NetnsName | Should -Not -Contain "$prefix-nopid"
        Test-Path "/run/netns/$prefix-nopid" | Should -BeFalse
    }

    It 'refuses -LoopbackUp with -Pid (it would change a namespace it did not make)' {
        { New-Namespace -Type Net -Name "$prefix-x" -Pid $target.Pid -LoopbackUp -ErrorAction Stop } | Should -Throw -ErrorId 'LoopbackUpNeedsNewNet,*'
    }
}

Describe 'New-Namespace refuses bad input and leaves nothing behind' -Tag 'Root' {
    BeforeEach {
        $netnsBefore = @(Get-NetnsName)
        $mountsBefore = @(Get-MountSignature)
    }

    AfterEach {
        @(Get-NetnsName | Where-Object { $_ -like "$prefix*" -and $_ -notin $netnsBefore }) | Should -BeNullOrEmpty
        $now = @(Get-MountSignature)
        @($now | Where-Object { $_ -notin $mountsBefore }) | Should -BeNullOrEmpty
    }

    It 'given -Type <Given> alone, says it needs -Name, -Path or -FilePath instead of prompting for a Path' -TestCases @(
        @{ Given = 'Net' }
        @{ Given = 'Net -LoopbackUp' }
    ) {
        # A fresh non-interactive pwsh, where a mandatory prompt would fail with MissingMandatoryParameter.
        # The arguments make the call meaningless, so the error is terminating.
        $script = "Import-Module '$((Get-Module PSNamespaces).ModuleBase)'; try { New-Namespace -Type $Given } catch { " +
            '$_.FullyQualifiedErrorId; $_.CategoryInfo.Category; $_.Exception.Message }'
        $id, $category, $message = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
        $id | Should -Be 'NoNamespaceHolder,PSNamespaces.Commands.NewNamespaceCommand'
        $category | Should -Be 'InvalidArgument'
        $message | Should -Match '-Name NAME .*-Path FILE .*-FilePath PROGRAM'
        $default = (Get-Command New-Namespace).ParameterSets | Where-Object IsDefault
        @($default.Parameters | Where-Object { $_.IsMandatory -and $_.Name -ne 'Type' }) | Should -BeNullOrEmpty
    }

    It 'gives InvalidArgument for the name <Label>, and creates nothing' -TestCases @(
        @{ Label = 'empty'; Value = '' }
        @{ Label = '.'; Value = '.' }
        @{ Label = '..'; Value = '..' }
        @{ Label = 'with /'; Value = 'psns-i4/x' }
        @{ Label = 'with NUL'; Value = "psns-i4`0x" }
        @{ Label = 'of 256 bytes'; Value = 'psns-i4-' + ('x' * 248) }
        @{ Label = 'of 128 two-byte characters'; Value = 'é' * 128 }
        # -Name of every other cmdlet reads these as patterns: '*' would name every netns.
        @{ Label = '*'; Value = '*' }
        @{ Label = 'with ?'; Value = 'psns-i4-?' }
        @{ Label = 'with [ ]'; Value = 'psns-i4-[ab]' }
    ) {
        $before = @(Get-ChildItem /run/netns -Force -ErrorAction Ignore).Count
        New-Namespace -Type Net -Name $Value -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamespaceName,*'
        $err[0].TargetObject | Should -Be $Value
        @(Get-ChildItem /run/netns -Force -ErrorAction Ignore).Count | Should -Be $before
    }

    It 'accepts a name of exactly 255 bytes, as iproute2 does' {
        $name = "$prefix-" + ('y' * (255 - "$prefix-".Length))
        $null = New-Namespace -Type Net -Name $name
        Get-NetnsName | Should -Contain $name
        ip netns delete $name
    }

    It 'gives ResourceExists for a name that exists, and leaves that namespace as it was' {
        $name = "$prefix-exists"
        ip netns add $name
        try {
            $inode = Get-FileInode "/run/netns/$name"
            New-Namespace -Type Net -Name $name -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceExists,*'
            $err[0].TargetObject | Should -Be $name
            Get-FileInode "/run/netns/$name" | Should -Be $inode
            Get-MountCount "/run/netns/$name" | Should -Be 1
        } finally {
            ip netns delete $name
        }
    }

    It 'refuses a -Path that is <Label>, and changes nothing' -TestCases @(
        @{ Label = 'a symbolic link'; Make = { param($p) ln -s "$p-target" $p }; Id = 'PathIsSymbolicLink'; Category = 'InvalidArgument' }
        @{ Label = 'a directory'; Make = { param($p) mkdir $p }; Id = 'PathIsDirectory'; Category = 'InvalidArgument' }
        @{ Label = 'an existing file'; Make = { param($p) Set-Content $p 'keep me' }; Id = 'PathExists'; Category = 'ResourceExists' }
    ) {
        $file = "$dir/refuse-$($Id)"
        $null = & $Make $file
        try {
            $listing = @(Get-ChildItem $dir -Force | ForEach-Object Name)
            New-Namespace -Type Uts -Path $file -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].CategoryInfo.Category | Should -Be $Category
            $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err[0].TargetObject | Should -Be $file
            @(Get-ChildItem $dir -Force | ForEach-Object Name) | Should -Be $listing
            Get-MountCount $file | Should -Be 0
            if ($Id -eq 'PathExists') { Get-Content $file | Should -Be 'keep me' }
        } finally {
            Remove-Item $file -Recurse -Force
        }
    }

    It 'says which directory is missing when the parent of -Path does not exist' {
        New-Namespace -Type Net -Path "$dir/no-such-dir/net" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DirectoryNotFound,*'
        $err[0].Exception.Message | Should -BeLike "*'$dir/no-such-dir' does not exist*"
        Test-Path "$dir/no-such-dir" | Should -BeFalse
    }

    It 'leaves no file when a later -Path is refused' {
        Set-Content "$dir/taken" 'x'
        try {
            New-Namespace -Type Net, Uts -Path "$dir/first", "$dir/taken" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathExists,*'
            $err[0].TargetObject | Should -Be "$dir/taken"
            Test-Path "$dir/first" | Should -BeFalse
        } finally {
            Remove-Item "$dir/taken"
        }
    }

    It 'undoes the binds already made when a later one fails (a mount namespace on a shared mount with a peer)' {
        # The kernel refuses to propagate a mount namespace file to a peer mount (EINVAL), after
        # the net namespace before it in -Type was already bound.
        $shared, $peer = "$dir/shared", "$dir/peer"
        $null = New-Item -ItemType Directory $shared, $peer
        mount --bind $shared $shared
        mount --make-shared $shared
        mount --bind $shared $peer
        try {
            $mountsBefore = @(Get-MountSignature)
            New-Namespace -Type Net, Mount -Path "$shared/net", "$shared/mnt" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'mount,EINVAL,*'
            $err[0].ErrorDetails.Message | Should -Match 'shared mount'
            @(Get-ChildItem $shared -Force) | Should -BeNullOrEmpty
            @(Get-MountSignature) | Should -Be $mountsBefore
        } finally {
            umount $peer
            umount $shared
            Remove-Item $shared, $peer
        }
    }

    It 'refuses a new PID namespace without a process, saying to use -Pid' {
        { New-Namespace -Type Pid -Path "$dir/pid" -ErrorAction Stop } | Should -Throw -ErrorId 'PidNamespaceNeedsProcess,*'
        Test-Path "$dir/pid" | Should -BeFalse
    }

    It 'makes a new user namespace with others in one call (the exec helper unshares them), the others owned by it' {
        $made = @(New-Namespace -Type User, Net -Path "$dir/owner", "$dir/owned")
        try {
            $made.Id | Should -Be @((Get-NsenterId user "$dir/owner" user), (Get-NsenterId net "$dir/owned" net))
            # The helper is gone: nothing but the files holds them.
            $made.Pids | Should -BeNullOrEmpty
            # lsns 2.38 lists only namespaces a process is in: put one there and ask it for the owner.
            $inside = Start-NativeProcess nsenter "--user=$dir/owner", '--preserve-credentials', "--net=$dir/owned", 'sleep', '1000'
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ((Get-Content "/proc/$($inside.Id)/comm") -ne 'sleep' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
                $owned = (lsns -J -o NS,TYPE,ONS | ConvertFrom-Json).namespaces | Where-Object ns -eq $made[1].Inode
                $owned.ons | Should -Be $made[0].Inode
            } finally {
                $inside.Kill(); $inside.WaitForExit()
            }
            $made[1].Owner | Should -Be $made[0].Inode
        } finally {
            Remove-Namespace -Path "$dir/owned", "$dir/owner"
        }
        @(Get-ChildItem $dir -Force) | Should -BeNullOrEmpty
    }

    It 'refuses <Label>' -TestCases @(
        @{ Label = 'a -Path count that differs from -Type'; Call = { New-Namespace -Type Net, Uts -Path "$dir/one" -ErrorAction Stop }; Id = 'PathCountMismatch' }
        @{ Label = 'a type given twice'; Call = { New-Namespace -Type Net, Net -Path "$dir/a", "$dir/b" -ErrorAction Stop }; Id = 'DuplicateType' }
        @{ Label = 'a path given twice'; Call = { New-Namespace -Type Net, Uts -Path "$dir/a", "$dir/a" -ErrorAction Stop }; Id = 'DuplicatePath' }
        @{ Label = '-Name with a type other than Net'; Call = { New-Namespace -Type Uts -Name "$prefix-uts" -ErrorAction Stop }; Id = 'NameNeedsNetType' }
        @{ Label = '-LoopbackUp without Net'; Call = { New-Namespace -Type Uts -Path "$dir/a" -LoopbackUp -ErrorAction Stop }; Id = 'LoopbackUpNeedsNewNet' }
        @{ Label = '-LoopbackUp with User'; Call = { New-Namespace -Type User, Net -Path "$dir/a", "$dir/b" -LoopbackUp -ErrorAction Stop }; Id = 'LoopbackUpWithUser' }
    ) {
        $Call | Should -Throw -ErrorId "$Id,PSNamespaces.Commands.NewNamespaceCommand"
        @(Get-ChildItem $dir -Force) | Should -BeNullOrEmpty
    }
}

Describe 'Without privilege' -Tag 'Root', 'Slow' {
    BeforeAll {
        $user = New-TestUser -Name "psnsi4$PID"
    }

    AfterAll {
        Remove-TestUser $user
    }

    It 'gives PermissionDenied saying root is needed, and leaves no file behind' {
        $out = Invoke-PwshAsUser $user @'
New-Namespace -Type Uts -Path "$HOME/uts" -ErrorVariable e -ErrorAction SilentlyContinue
"id=$($e[0].FullyQualifiedErrorId) category=$($e[0].CategoryInfo.Category) left=$(Test-Path "$HOME/uts")"
$e[0].ErrorDetails.Message
'@
        $line = $out | Where-Object { $_ -like 'id=*' }
        $line | Should -Match '^id=unshare,EPERM,PSNamespaces\.Commands\.NewNamespaceCommand category=PermissionDenied left=False$'
        $out[-1] | Should -Match 'root'
    }

    It 'gives PermissionDenied for a named netns, and creates no name' {
        $name = "$prefix-unpriv"
        $out = Invoke-PwshAsUser $user @"
New-Namespace -Type Net -Name '$name' -ErrorVariable e -ErrorAction SilentlyContinue
"category=`$(`$e[0].CategoryInfo.Category)"
`$e[0].ErrorDetails.Message
"@
        $out | Should -Contain 'category=PermissionDenied'
        $out[-1] | Should -Match 'root'
        Get-NetnsName | Should -Not -Contain $name
    }

    It 'cannot remove a namespace root persisted: PermissionDenied, and it stays' {
        $file = "$dir/unpriv-remove"
        $ns = New-Namespace -Type Uts -Path $file
        try {
            $out = Invoke-PwshAsUser $user @"
Remove-Namespace -Path '$file' -ErrorVariable e -ErrorAction SilentlyContinue
"id=`$(`$e[0].FullyQualifiedErrorId) category=`$(`$e[0].CategoryInfo.Category)"
"@
            $out | Should -Contain 'id=umount2,EPERM,PSNamespaces.Commands.RemoveNamespaceCommand category=PermissionDenied'
            Get-FileInode $file | Should -Be $ns.Inode
        } finally {
            Remove-Namespace -Path $file
        }
    }
}
