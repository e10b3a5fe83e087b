BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noBusybox = Test-DependencySkip -Name busybox-static -For 'The chroot/-Root launch tests'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LaunchTestHelpers.psm1') -Force
    Import-PSNamespaces
}

Describe 'New-Namespace -FilePath (unshare)' -Tag 'Root', 'Slow' {
    It 'prints 1 for readlink /proc/self in a new PID namespace with a fresh /proc, as unshare does' {
        $expected = unshare --fork --pid --mount-proc readlink /proc/self
        $expected | Should -Be '1'
        New-Namespace -Type Pid, Mount -MountProc -FilePath readlink -ArgumentList /proc/self | Should -Be $expected
        $LASTEXITCODE | Should -Be 0
    }

    It 'runs the seed''s chroot command like unshare -inpuUCTf --mount-proc (-r) chroot FILESYSTEM INIT' -Skip:$noBusybox {
        $fs = New-BusyboxRoot
        try {
            # Without an id map the program runs as the overflow uid and loses its capabilities at
            # exec, so chroot(1) itself needs -r / -MapRootUser; -Root below chroots before exec.
            $expected = unshare -inpuUCTfr --mount-proc chroot $fs /init
            $LASTEXITCODE | Should -Be 0
            $actual = New-Namespace -Type Ipc, Net, Pid, Uts, User, Cgroup, Time -MapRootUser -MountProc -FilePath chroot -ArgumentList $fs, /init
            $LASTEXITCODE | Should -Be 0
            $actual | Should -Be $expected
            $actual | Should -Contain 'pid=1'
            $actual | Should -Contain 'uid=0'
            $actual | Should -Contain 'links=1'
        } finally {
            Remove-Item $fs -Recurse -Force
        }
    }

    It 'chroots before exec with -Root and mounts /proc inside it, like unshare -inpuUCTf --mount-proc --root' -Skip:$noBusybox {
        $fs = New-BusyboxRoot
        try {
            $expected = unshare -inpuUCTf --mount-proc --root=$fs /init
            $actual = New-Namespace -Type Ipc, Net, Pid, Uts, User, Cgroup, Time -MountProc -Root $fs -FilePath /init
            $LASTEXITCODE | Should -Be 0
            $actual | Should -Be $expected
            $actual | Should -Contain 'pid=1'
            $actual | Should -Contain 'uid=65534'
            $actual | Should -Contain 'proc=mounted'
        } finally {
            Remove-Item $fs -Recurse -Force
        }
    }

    It 'returns exit code <Code> exactly' -TestCases @(@{ Code = 0 }, @{ Code = 1 }, @{ Code = 7 }) {
        $null = New-Namespace -Type Pid, Mount -MountProc -FilePath sh -ArgumentList '-c', "exit $Code"
        $LASTEXITCODE | Should -Be $Code
        $null = New-Namespace -Type Net -FilePath sh -ArgumentList '-c', "exit $Code"
        $LASTEXITCODE | Should -Be $Code
    }

    It 'returns 128+N for a program killed by signal N, as unshare does' {
        unshare --net sh -c 'kill -KILL $$'
        $expected = $LASTEXITCODE
        $expected | Should -Be 137
        $null = New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'kill -KILL $$'
        $LASTEXITCODE | Should -Be $expected
        # PID 1 of a new PID namespace can only be killed from outside: the helper reports it the same way.
        $p = New-Namespace -Type Pid -FilePath sleep -ArgumentList 1000 -NoWait
        Stop-LaunchedProcess $p -Signal TERM
        $p.ExitCode | Should -BeNullOrEmpty -Because 'PID 1 ignores SIGTERM without a handler'
        $p.Kill()
        $p.WaitForExit(10000) | Should -BeTrue
        $p.ExitCode | Should -Be 137
    }

    It 'gives the program only descriptors 0, 1 and 2' {
        $p = New-Namespace -Type Pid, Mount -MountProc -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            Get-SettledDescriptor $p.Pid | Should -Be @('0', '1', '2')
        } finally {
            $p.Kill(); $null = $p.WaitForExit(10000)
        }
        # And from inside: the shell lists its own descriptors (ls's directory is its own, in a child).
        New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'ls /proc/$$/fd' | Should -Be @('0', '1', '2')
    }

    It 'writes a -PassThru object with the program''s PID, its namespaces as readlink shows them, and its exit code' {
        $p = New-Namespace -Type Net, Uts, Pid -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            $p.HasExited | Should -BeFalse
            $p.ExitCode | Should -BeNullOrEmpty
            (Get-Content "/proc/$($p.Pid)/status" | Select-String '^NSpid:').Line -split '\s+' | Select-Object -Last 1 | Should -Be '1'
            foreach ($ns in $p.Namespaces) {
                $ns.Inode | Should -Be (Get-NsInode $p.Pid $ns.Type.ToString().ToLower().Replace('mount', 'mnt')) -Because $ns.Type
            }
            ($p.Namespaces | Where-Object Type -EQ Net).Inode | Should -Not -Be (Get-NsInode $PID net)
            ($p.Namespaces | Where-Object Type -EQ Mount).Inode | Should -Be (Get-NsInode $PID mnt)
        } finally {
            $p.Kill()
        }
        $p.WaitForExit(10000) | Should -BeTrue
        $p.ExitCode | Should -Be 137
        $done = New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'exit 3' -PassThru
        $done.ExitCode | Should -Be 3
        $done.HasExited | Should -BeTrue
        $done.Pid | Should -BeGreaterThan 0
    }

    It 'applies uid/gid maps, setgroups and time offsets like unshare' {
        $expected = unshare --user --map-user=1000 --map-group=100 cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
        New-Namespace -Type User -MapUser 1000 -MapGroup 100 -FilePath cat -ArgumentList /proc/self/uid_map, /proc/self/gid_map, /proc/self/setgroups |
            Should -Be $expected
        $expected = unshare --user --map-root-user cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
        New-Namespace -Type User -MapRootUser -FilePath cat -ArgumentList /proc/self/uid_map, /proc/self/gid_map, /proc/self/setgroups |
            Should -Be $expected
        $lines = New-Namespace -Type User -UidMap '0:100000:65536', '65536:0:1' -GidMap '0 100000 65536' -SetGroups Allow -FilePath cat -ArgumentList /proc/self/uid_map, /proc/self/gid_map, /proc/self/setgroups
        ($lines | ForEach-Object { ($_ -split '\s+' | Where-Object { $_ }) -join ' ' }) | Should -Be @('0 100000 65536', '65536 0 1', '0 100000 65536', 'allow')
        $expected = unshare --time --fork --monotonic=86400 --boottime=3600 cat /proc/self/timens_offsets
        New-Namespace -Type Time -MonotonicOffset 86400 -BoottimeOffset 3600 -FilePath cat -ArgumentList /proc/self/timens_offsets |
            Should -Be $expected
    }

    It 'sets the working directory, the uid/gid inside and the mount propagation' {
        New-Namespace -Type Net -WorkingDirectory /tmp -FilePath pwd | Should -Be '/tmp'
        Push-Location /usr
        try { New-Namespace -Type Net -FilePath pwd | Should -Be '/usr' } finally { Pop-Location }
        New-Namespace -Type Net -UserId 65534 -GroupId 65534 -FilePath id | Should -Match '^uid=65534\(\w+\) gid=65534\(\w+\) groups=65534'
        $expected = unshare --mount --propagation slave findmnt -no PROPAGATION /
        New-Namespace -Type Mount -Propagation Slave -FilePath findmnt -ArgumentList '-no', 'PROPAGATION', '/' | Should -Be $expected
        New-Namespace -Type Mount -FilePath findmnt -ArgumentList '-no', 'PROPAGATION', '/' | Should -Be 'private'
    }

    It 'kills the program when pwsh dies with -KillChild' {
        $marker = "psns-i5-kill-$PID"
        $script = "Import-Module '$env:PSNS_MODULE'; New-Namespace -Type Pid -KillChild -FilePath sh -ArgumentList '-c', 'sleep 1000', $marker -NoWait | Out-Null; Start-Sleep 1000"
        $outer = Start-NativeProcess (Join-Path $PSHOME 'pwsh') '-NoProfile', '-NonInteractive', '-Command', $script
        try {
            $sh = Wait-ProcessWithArgument $marker
            $sh | Should -Not -BeNullOrEmpty
            $helper = [int](Get-StatusField $sh PPid)
        } finally {
            $outer.Kill(); $outer.WaitForExit()
        }
        Wait-ProcessGone $sh | Should -BeTrue
        # Orphaned, both came to this pwsh (the suite is a child subreaper): reap them.
        Receive-Orphan $helper, $sh
    }

    It 'forwards Ctrl+C (pipeline stop) as SIGINT and SIGTERM sent to the helper to the program' {
        # The program is PID 1 of its namespace, which drops a signal it has no handler for, and
        # the fallback SIGKILL would end it too (exit 137): only the trap's exit code shows the
        # signal was forwarded, so each signal waits for its trap.
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$env:PSNS_MODULE'; New-Namespace -Type Pid -FilePath sh -ArgumentList '-c', 'trap ""exit 5"" INT; sleep 1000 & wait', 'psns-i5-int-$PID'")
        $async = $ps.BeginInvoke()
        $sh = Wait-ProcessWithArgument "psns-i5-int-$PID"
        $sh | Should -Not -BeNullOrEmpty
        Wait-SignalCaught $sh 2 | Should -BeTrue
        $ps.Stop()
        Wait-ProcessGone $sh | Should -BeTrue
        $ps.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE') | Should -Be 5
        $ps.Dispose()
        # The helper of a new PID namespace forwards SIGTERM that a process sends it.
        $p = New-Namespace -Type Pid -FilePath sh -ArgumentList '-c', 'trap "exit 9" TERM; sleep 1000 & wait' -NoWait
        Wait-SignalCaught $p.Pid 15 | Should -BeTrue
        $helper = [int](Get-StatusField $p.Pid PPid)
        kill -TERM $helper
        $p.WaitForExit(10000) | Should -BeTrue
        $p.ExitCode | Should -Be 9
    }

    It 'starts helpers from pwsh''s own namespaces even when the first launch of the session is inside Invoke-InNamespace' {
        # A thread inherits its creator's namespaces: the helpers' starter thread must not be made
        # by a namespace worker, or every later launch of the session would start in its target.
        $holder = Start-TestProcess -Unshare '--net'
        try {
            $script = "Import-Module '$env:PSNS_MODULE'; Invoke-InNamespace -Pid $($holder.Pid) -Type Net { Import-Module '$env:PSNS_MODULE'; New-Namespace -Type Uts -FilePath true }; New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/net"
            $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $script
            $LASTEXITCODE | Should -Be 0
            $out | Should -Be (readlink /proc/self/ns/net)
        } finally {
            Stop-TestProcess $holder
        }
    }

    It 'names a missing program, returns 127, and leaves no process or mount behind' {
        $mounts = @(Get-MountSignature)
        $children = @(Get-ChildPid $PID)
        New-Namespace -Type Pid, Mount, Net -MountProc -FilePath psns-no-such-program -ErrorVariable err -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 127
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match 'psns-no-such-program'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'execvp,ENOENT,*'
        @(Get-MountSignature) | Should -Be $mounts
        @(Get-ChildPid $PID) | Should -Be $children
    }

    It 'refuses a malformed map with InvalidArgument before creating anything' -TestCases @(
        @{ Map = @('0:1000') }, @{ Map = @('a:b:c') }, @{ Map = @('0:1000:0') }, @{ Map = @('0:1000:10', '5:2000:10') }, @{ Map = @('4294967295:0:1') }
    ) {
        $children = @(Get-ChildPid $PID)
        { New-Namespace -Type User -UidMap $Map -FilePath true -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidIdMap,PSNamespaces.Commands.NewNamespaceCommand'
        @(Get-ChildPid $PID) | Should -Be $children
    }

    It 'refuses two uid maps at once' {
        { New-Namespace -Type User -MapRootUser -UidMap '0:0:1' -FilePath true -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConflictingIdMaps,PSNamespaces.Commands.NewNamespaceCommand'
    }

    It 'captures output line by line into the pipeline, and stops the program when the pipeline stops' {
        $lines = New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'printf "a\nb\r\nc"'
        $lines | Should -Be @('a', 'b', 'c')
        $first = New-Namespace -Type Pid -FilePath sh -ArgumentList '-c', 'while :; do echo y; done' | Select-Object -First 2
        $first | Should -Be @('y', 'y')
    }

    It 'does nothing with -WhatIf' {
        $children = @(Get-ChildPid $PID)
        New-Namespace -Type Net -FilePath true -WhatIf | Should -BeNullOrEmpty
        @(Get-ChildPid $PID) | Should -Be $children
    }

    It 'shows a -PassThru object in a table that fits 120 columns' {
        $p = New-Namespace -Type Net -FilePath true -PassThru
        $lines = $p | Format-Table | Out-String -Width 120 -Stream | Where-Object { $_ }
        $lines[0] | Should -Match 'Pid\s+HasExited\s+ExitCode\s+FilePath'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }

    It 'writes the plan to -Verbose as one line before it runs (<Types>)' -TestCases @(
        @{ Types = @('Net'); Steps = 'unshare net; exec true' }
        # A PID namespace applies to children: the program is forked, as unshare --fork does.
        @{ Types = @('Pid'); Steps = 'unshare pid; fork; exec true' }
    ) {
        $records = New-Namespace -Type $Types -FilePath true -Verbose 4>&1
        $LASTEXITCODE | Should -Be 0
        $plans = @($records | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'nsexec:*' })
        $plans.Count | Should -Be 1
        $plans[0].Message | Should -Be "nsexec: chdir $((Get-Location).ProviderPath); $Steps"
    }
}

Describe 'New-Namespace -FilePath as an ordinary user' -Tag 'Root', 'Slow' {
    BeforeAll {
        $user = New-TestUser -Name "psnsi5$PID"
    }

    AfterAll {
        Remove-TestUser $user
    }

    It 'runs id -u as 0 in new user, net, mount and PID namespaces with -MapRootUser, as unshare -r does' {
        $expected = runuser -u $user.Name -- unshare --user --map-root-user --net --mount --pid --fork --mount-proc id -u
        $expected | Should -Be '0'
        $out = Invoke-PwshAsUser $user 'New-Namespace -Type Net, Mount, Pid -MapRootUser -MountProc -FilePath id -ArgumentList ''-u''; "exit=$LASTEXITCODE"'
        $out | Should -Be @($expected, 'exit=0')
    }

    It 'says PermissionDenied, what is missing and that -MapRootUser exists, without a user namespace' {
        $out = Invoke-PwshAsUser $user 'New-Namespace -Type Net -FilePath true -ErrorVariable e -ErrorAction SilentlyContinue; $e[0].CategoryInfo.Category; $e[0].FullyQualifiedErrorId; $e[0].ErrorDetails.Message'
        $out[0] | Should -Be 'PermissionDenied'
        $out[1] | Should -BeLike 'unshare,EPERM,*'
        $out[2] | Should -Match 'CAP_SYS_ADMIN'
        $out[2] | Should -Match '-MapRootUser'
    }
}

Describe 'Without pidfd_open (Linux before 5.3)' -Tag 'Root', 'Slow' {
    AfterAll {
        Remove-TestBinaries
    }

    It 'still runs programs in new and entered namespaces, with their exit codes' {
        $out = Invoke-PwshWithoutKernelFeature -Enosys 434 -Command @'
New-Namespace -Type Pid, Mount -MountProc -FilePath readlink -ArgumentList /proc/self
$null = New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'exit 7'; "new=$LASTEXITCODE"
$p = New-Namespace -Type Net, Pid -FilePath sleep -ArgumentList 1000 -NoWait
$net = (Enter-Namespace -Pid $p.Pid -Type Net -FilePath readlink -ArgumentList /proc/self/ns/net); "enter=$LASTEXITCODE"
"same=$($net -eq (readlink /proc/$($p.Pid)/ns/net))"
$p.Kill(); $null = $p.WaitForExit(10000); "killed=$($p.ExitCode)"
'@
        $out | Should -Contain '1'
        $out | Should -Contain 'new=7'
        $out | Should -Contain 'enter=0'
        $out | Should -Contain 'same=True'
        $out | Should -Contain 'killed=137'
    }
}
