BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noStrace = Test-DependencySkip -Name strace -For 'The /proc walk checks'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $links = [ordered]@{
        CgroupNs = 'cgroup'; IpcNs = 'ipc'; MountNs = 'mnt'; NetNs = 'net'; PidNs = 'pid'
        PidForChildrenNs = 'pid_for_children'; TimeNs = 'time'; TimeForChildrenNs = 'time_for_children'
        UserNs = 'user'; UtsNs = 'uts'
    }
    # Fresh namespaces of every kind but user, several processes in them, and one nested deeper.
    $fresh = Start-TestProcess -Unshare @('--pid', '--mount-proc', '--net', '--uts', '--ipc', '--cgroup', '--time') -Command @('bash', '-c', 'sleep 1000 & sleep 1000 & wait')
    # bash is PID 1 of the new PID namespace; wait for its two sleeps too.
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (@(Get-ChildPid $fresh.Pid | Where-Object { (Get-Content "/proc/$_/comm") -eq 'sleep' }).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
    $nested = Start-TestProcess -Unshare @('--pid', '--mount-proc') -Command @('unshare', '--fork', '--kill-child', '--pid', '--mount-proc', '--net', '--', 'sleep', '1000') -Name sleep

    function Start-NetnsSleep([string] $Name) {
        <# A sleep in the named network namespace (ip netns exec), once it is sleep. #>
        $p = Start-NativeProcess ip 'netns', 'exec', $Name, 'sleep', '1000'
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Get-Content "/proc/$($p.Id)/comm") -ne 'sleep' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
        $p
    }
}

AfterAll {
    $fresh, $nested | Stop-TestProcess
}

Describe 'Get-NamespaceProcess' -Tag 'Root', 'Slow' {
    It 'matches readlink /proc/PID/ns/* for a process in fresh namespaces' {
        $p = Get-NamespaceProcess -Pid $fresh.Pid
        foreach ($property in $links.Keys) {
            $p.$property | Should -Be (Get-NsInode $fresh.Pid $links[$property]) -Because $property
        }
        $p.NetNs | Should -Not -Be (Get-NsInode $PID net)
    }

    It 'matches readlink for a process nested two PID namespaces deep' {
        $p = Get-NamespaceProcess -Pid $nested.Pid
        foreach ($property in $links.Keys) {
            $p.$property | Should -Be (Get-NsInode $nested.Pid $links[$property]) -Because $property
        }
    }

    It 'reports the PID inside the process''s own PID namespace, PPid, Command and User as /proc shows them' {
        $p = Get-NamespaceProcess -Pid $nested.Pid
        $p.NsPid | Should -Be ((Get-StatusField $nested.Pid NSpid) -split '\s+')[-1]
        $p.NsPid | Should -Be 1
        $p.PPid | Should -Be ([int](Get-StatusField $nested.Pid PPid))
        $p.Command | Should -Be 'sleep'
        $p.Uid | Should -Be ([uint32](stat -c '%u' "/proc/$($nested.Pid)"))
        $p.User | Should -Be (stat -c '%U' "/proc/$($nested.Pid)")
    }

    It 'lists every process without -Pid, with the namespaces ps shows' {
        $all = @(Get-NamespaceProcess)
        $byPid = @{}
        foreach ($p in $all) { $byPid[$p.Pid] = $p }
        $byPid.ContainsKey($PID) | Should -BeTrue
        $byPid.ContainsKey($fresh.Pid) | Should -BeTrue
        $checked = 0
        foreach ($line in ps -e -o pid=,netns=,mntns=,pidns=,utsns=,ipcns=,userns=,cgroupns=) {
            $f = -split $line
            $p = $byPid[[int]$f[0]]
            if (-not $p -or $f -contains '-') { continue }   # started after our scan, or unreadable (or gone) while ps read it
            @($p.NetNs, $p.MountNs, $p.PidNs, $p.UtsNs, $p.IpcNs, $p.UserNs, $p.CgroupNs) | Should -Be @($f[1..7] | ForEach-Object { [uint64]$_ })
            $checked++
        }
        $checked | Should -BeGreaterThan 10
    }

    It 'lists exactly the processes of one namespace by -Type and -Inode (what lsns INODE does)' {
        $inode = Get-NsInode $fresh.Pid net
        $expected = @(Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | Where-Object {
                (readlink "/proc/$($_.Name)/ns/net" 2>$null) -eq "net:[$inode]" } | ForEach-Object { [int]$_.Name } | Sort-Object)
        # bash, its two sleeps, and the unshare process itself: unshare(2) moved it into the new
        # network namespace before it forked bash.
        $expected.Count | Should -Be 4
        $expected | Should -Contain $fresh.Unshare.Id
        @(Get-NamespaceProcess -Type Net -Inode $inode | ForEach-Object Pid | Sort-Object) | Should -Be $expected
    }

    It 'takes -Inode as the kernel writes it (readlink''s net:[N])' {
        $link = readlink "/proc/$($fresh.Pid)/ns/net"
        $expected = @(Get-NamespaceProcess -Type Net -Inode (Get-NsInode $fresh.Pid net) | ForEach-Object Pid | Sort-Object)
        $expected.Count | Should -Be 4
        @(Get-NamespaceProcess -Type Net -Inode $link | ForEach-Object Pid | Sort-Object) | Should -Be $expected
    }

    It 'refuses an -Inode that is not a whole number (<Form>) instead of rounding it to a neighbour' -TestCases @(
        @{ Form = 'a double below'; Offset = -0.5 }, @{ Form = 'a double above'; Offset = 0.5 }, @{ Form = 'a string'; Offset = 'text' }
    ) {
        # PowerShell rounds half to even: one of N - 0.5 and N + 0.5 is N, the fixture's network namespace.
        $net = Get-NsInode $fresh.Pid net
        $value = if ($Offset -eq 'text') { "$net.5" } else { [double]$net + $Offset }
        $err = { Get-NamespaceProcess -Type Net -Inode $value -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,PSNamespaces.Commands.GetNamespaceProcessCommand'
        $err.Exception.Message | Should -BeLike '*not an inode*whole number*'
    }

    It 'lists nothing, and writes no error, for a live namespace no process or mount is in (a user namespace held as an owner)' {
        $dir = "/tmp/psns-i2-owner-$PID"
        $null = New-Item -ItemType Directory $dir -Force
        try {
            $null = New-Namespace -Type User, Uts -Path "$dir/user", "$dir/uts"
            $userInode = [uint64](stat -L -c %i "$dir/user")
            Remove-Namespace -Path "$dir/user" -WarningAction SilentlyContinue
            # The UTS namespace it owns keeps it alive, as lsns shows it: no process, no mount.
            $owner = Get-Namespace -Inode $userInode
            $owner.HeldBy | Should -Be 'Namespace'
            $listed = @($owner | Get-NamespaceProcess -ErrorVariable err)
            $err | Should -BeNullOrEmpty
            $listed | Should -BeNullOrEmpty
        } finally {
            Remove-Namespace -Path "$dir/user", "$dir/uts" -ErrorAction Ignore -WarningAction SilentlyContinue
            Remove-Item $dir -Recurse -Force
        }
    }

    It 'walks /proc once for namespace objects piped in, each opened through what holds it (seen with strace)' -Skip:$noStrace {
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $log = Join-Path ([IO.Path]::GetTempPath()) "psns-walk-$PID.log"
        try {
            # Two namespace objects, each its own walk of /proc, and nothing more. A
            # failed open of a marker file separates Get-Namespace's walk from the ones counted.
            # The net one's Pid is made to point nowhere (above pid_max), so nothing it names holds
            # the namespace: the walk itself must find and check the way in.
            $marker = "/psns-walk-marker-$PID"
            $script = "Import-Module '$module'; `$ns = Get-Namespace -Pid $($fresh.Pid) -Type Net, Uts; " +
                "`$ns[0] | Add-Member -Force -NotePropertyName Pid -NotePropertyValue 4194304; " +
                "try { [IO.File]::OpenRead('$marker') } catch { }; `$ns | Get-NamespaceProcess | ForEach-Object Pid"
            $pids = strace -f -qq -e trace=openat,getdents64 -o $log (Get-Command dotnet).Source (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
            # Every process of the fresh namespaces, once per namespace piped in, as readlink sees them.
            $expected = foreach ($kind in 'net', 'uts') {
                $link = readlink "/proc/$($fresh.Pid)/ns/$kind"
                Get-ChildItem /proc -Directory | Where-Object { $_.Name -match '^\d+$' -and (readlink "/proc/$($_.Name)/ns/$kind" 2>$null) -eq $link } | ForEach-Object { [int]$_.Name }
            }
            @($pids | ForEach-Object { [int]$_ } | Sort-Object) | Should -Be @($expected | Sort-Object)
            $calls = @(Get-Content $log)
            $at = [array]::FindIndex([string[]]$calls, [Predicate[string]] { param($l) $l.Contains($marker) })
            $at | Should -BeGreaterOrEqual 0
            # A walk lists /proc to its end: getdents64 returning 0 on /proc, opened as such or
            # reopened as "." relative to a descriptor of it (how a scan rewinds).
            $procFds = @{}
            $walks = 0
            foreach ($call in $calls[$at..($calls.Count - 1)]) {
                if ($call -match 'openat\(AT_FDCWD, "/proc", [^)]*\) = (\d+)') { $procFds[$Matches[1]] = $true }
                elseif ($call -match 'openat\((\d+), "\.", [^)]*\) = (\d+)' -and $procFds.ContainsKey($Matches[1])) { $procFds[$Matches[2]] = $true }
                elseif ($call -match 'getdents64\((\d+), .*\) = 0$' -and $procFds.ContainsKey($Matches[1])) { $walks++ }
            }
            # One walk per namespace object, none to open it.
            $walks | Should -Be 2
            $calls[$at..($calls.Count - 1)] -match 'openat\(AT_FDCWD, "/proc/4194304/ns/' | Should -Not -BeNullOrEmpty
        } finally {
            Remove-Item $log -ErrorAction Ignore
        }
    }

    It 'lists the processes of a named network namespace like ip netns pids' {
        $name = "psns-test-$PID"
        ip netns add $name
        try {
            $p = Start-NetnsSleep $name
            try {
                $expected = @(ip netns pids $name | ForEach-Object { [int]$_ } | Sort-Object)
                $expected | Should -Be @($p.Id)
                @(Get-NamespaceProcess -Name $name | ForEach-Object Pid | Sort-Object) | Should -Be $expected
            } finally {
                $p.Kill(); $p.WaitForExit()
            }
        } finally {
            ip netns delete $name
        }
    }

    It 'holds the namespace it checked open until its walk of /proc ends, for -Name and for an object (seen with strace)' -Skip:$noStrace {
        # While a descriptor holds a namespace it lives, so nsfs cannot give its inode to a new
        # one that the rest of the walk, matching by inode, would then list.
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $log = Join-Path ([IO.Path]::GetTempPath()) "psns-pin-$PID.log"
        $name = "psns-pin-$PID"
        ip netns add $name
        try {
            $p = Start-NetnsSleep $name
            try {
                # The object's Pid points nowhere (above pid_max): the walk itself finds and checks the way in.
                $marker = "/psns-pin-marker-$PID"
                $script = "Import-Module '$module'; `$ns = Get-Namespace -Pid $($fresh.Pid) -Type Net; " +
                    "`$ns | Add-Member -Force -NotePropertyName Pid -NotePropertyValue 4194304; " +
                    "try { [IO.File]::OpenRead('$marker') } catch { }; " +
                    "(Get-NamespaceProcess -Name '$name' | ForEach-Object Pid | Sort-Object) -join ','; (`$ns | Get-NamespaceProcess | ForEach-Object Pid | Sort-Object) -join ','"
                $out = @(strace -f -qq -e trace=openat,close -o $log (Get-Command dotnet).Source (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script)
                $out[0] | Should -Be ((ip netns pids $name | ForEach-Object { [int]$_ } | Sort-Object) -join ',')
                $link = readlink "/proc/$($fresh.Pid)/ns/net"
                $out[1] | Should -Be ((Get-ChildItem /proc -Directory | Where-Object { $_.Name -match '^\d+$' -and (readlink "/proc/$($_.Name)/ns/net" 2>$null) -eq $link } | ForEach-Object { [int]$_.Name } | Sort-Object) -join ',')

                $calls = [string[]]@(Get-Content $log)
                $at = [array]::FindIndex($calls, [Predicate[string]] { param($l) $l.Contains($marker) })
                $at | Should -BeGreaterOrEqual 0
                # Each walk of /proc: a descriptor of /proc, then each process opened relative to
                # it; the walk is over at the last of those. And where each namespace was opened
                # and where that descriptor was closed (the first close of its number after).
                $walks = @()
                $opened = @()
                for ($i = $at; $i -lt $calls.Count; $i++) {
                    $call = $calls[$i]
                    if ($call -match 'openat\(AT_FDCWD, "/proc", [^)]*\) = (\d+)') {
                        $walks += [pscustomobject]@{ ProcFd = $Matches[1]; First = -1; Last = -1 }
                    } elseif ($walks -and $call -match 'openat\((\d+), "\d+", [^)]*\)' -and $Matches[1] -eq $walks[-1].ProcFd) {
                        if ($walks[-1].First -lt 0) { $walks[-1].First = $i }
                        $walks[-1].Last = $i
                    } elseif ($call -match "openat\(AT_FDCWD, `"(/run/netns/$name|/proc/\d+/ns/net)`", [^)]*\) = (\d+)") {
                        $opened += [pscustomobject]@{ Path = $Matches[1]; Fd = $Matches[2]; At = $i; ClosedAt = -1 }
                    } elseif ($call -match 'openat\(AT_FDCWD, "/proc/self/fd/(\d+)", [^)]*\) = (\d+)') {
                        # A path is looked up O_PATH, checked to be nsfs, then opened through its
                        # descriptor: the namespace is held by the second from then on.
                        foreach ($o in $opened) { if ($o.Fd -eq $Matches[1] -and $o.ClosedAt -lt 0) { $o.Fd = $Matches[2] } }
                    } elseif ($call -match '(?<!\w)close\((\d+)\)') {
                        foreach ($o in $opened) { if ($o.Fd -eq $Matches[1] -and $o.ClosedAt -lt 0) { $o.ClosedAt = $i } }
                    }
                }
                $walks = @($walks | Where-Object First -ge 0)
                $walks.Count | Should -Be 2
                $byName = @($opened | Where-Object Path -eq "/run/netns/$name")
                $byWalk = @($opened | Where-Object { $_.Path -ne "/run/netns/$name" -and $_.At -gt $walks[1].First })
                $byName.Count | Should -Be 1
                $byWalk.Count | Should -BeGreaterThan 0
                # -Name: /run/netns/NAME is open from before its walk to after it. The object: the
                # first process of it that the walk checked stays open to the end of the walk.
                $byName[0].At | Should -BeLessThan $walks[0].First
                $byName[0].ClosedAt | Should -BeGreaterThan $walks[0].Last
                $byWalk[0].At | Should -BeLessThan $walks[1].Last
                $byWalk[0].ClosedAt | Should -BeGreaterThan $walks[1].Last
            } finally {
                $p.Kill(); $p.WaitForExit()
            }
        } finally {
            ip netns delete $name
            Remove-Item $log -ErrorAction Ignore
        }
    }

    It 'gives ObjectNotFound for a network namespace name that does not exist' {
        Get-NamespaceProcess -Name 'psns-no-such-netns' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err[0].TargetObject | Should -Be 'psns-no-such-netns'
    }

    It 'takes Get-Process output from the pipeline' {
        (Get-Process -Id $PID | Get-NamespaceProcess).Pid | Should -Be $PID
    }

    It 'writes ObjectNotFound for a PID that does not exist and goes on with the next' {
        $out = Get-NamespaceProcess -Pid 999999999, $PID -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Pid | Should -Be $PID
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 999999999
        $err[0].Exception.Message | Should -Match '999999999'
    }

    It 'gives InvalidWildcardPattern for a -Container that is not a wildcard pattern, before reading any process' {
        $err = $null
        try { Get-NamespaceProcess -Container 'docker:[' } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,PSNamespaces.Commands.GetNamespaceProcessCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'docker:['
    }

    It 'refuses <Value> at parameter validation' -TestCases @(@{ Value = 0 }, @{ Value = -5 }) {
        { Get-NamespaceProcess -Pid $Value -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSNamespaces.Commands.GetNamespaceProcessCommand'
    }

    It 'gives PermissionDenied for a process whose namespaces may not be read (PID 1 here)' {
        # This machine's PID 1 refuses /proc/1/ns/*: readlink(1) fails on it too.
        readlink /proc/1/ns/net 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        Get-NamespaceProcess -Pid 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'readlinkat,EACCES,*'
        $err[0].TargetObject | Should -Be 1
        $err[0].ErrorDetails.Message | Should -Match 'root|CAP_SYS_PTRACE'
    }

    It 'skips an unreadable process in a full scan with a Verbose line, and no error' {
        $out = Get-NamespaceProcess -Verbose -ErrorVariable err 4>&1
        $err | Should -BeNullOrEmpty
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Skipped PID 1:' }).Count | Should -Be 1
        @($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] -and $_.Pid -eq 1 }).Count | Should -Be 0
    }

    It 'skips processes that exit during a scan without an error' {
        # Short-lived processes come and go while ten scans run.
        $churn = Start-NativeProcess bash '-c', 'for i in $(seq 400); do /bin/true & done; wait'
        try {
            for ($i = 0; $i -lt 10; $i++) {
                $null = Get-NamespaceProcess -ErrorVariable err
                $err | Should -BeNullOrEmpty
            }
        } finally {
            $churn.WaitForExit()
        }
    }

    It 'opens every descriptor close-on-exec and leaks none over 1000 calls' {
        $before = Get-OpenDescriptor
        for ($i = 0; $i -lt 1000; $i++) {
            $null = Get-NamespaceProcess -Pid $PID
            $null = Get-ProcNsStatus -Pid $fresh.Pid
            $null = Get-NamespaceProcess -Pid 999999999 -ErrorAction SilentlyContinue
        }
        Get-OpenDescriptor | Should -Be $before
    }

    It 'shows a default table that fits a 120-column terminal' {
        $lines = Get-NamespaceProcess -Pid $fresh.Pid | Format-Table | Out-String -Width 120 -Stream | Where-Object { $_ }
        $lines[0] | Should -Match '^\s*Pid\s+NetNs\s+MntNs\s+PidNs\s+UtsNs\s+IpcNs\s+UserNs\s+CgrpNs\s+TimeNs\s+Command$'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        # Each kind as the last six digits of the inode readlink prints.
        $tails = foreach ($link in 'net', 'mnt', 'pid', 'uts', 'ipc', 'user', 'cgroup', 'time') { '{0:D6}' -f ((Get-NsInode $fresh.Pid $link) % 1000000) }
        $lines[-1] | Should -Match "^\s*$($fresh.Pid)\s+$($tails -join '\s+')\s+bash"
    }
}
