# Watch-Namespace: every expected value comes from the kernel (readlink /proc/PID/ns/*, stat -L of
# nsfs files) or the reference tools (unshare, ip netns, mount), never from the module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WatchTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CgroupFixture.psm1') -Force
    Import-PSNamespaces
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "psns-watch-$PID"
    $null = New-Item -ItemType Directory $script:dir -Force
}

AfterAll {
    Remove-Item $script:dir -Recurse -Force -ErrorAction Ignore
}

Describe 'Watch-Namespace' -Tag 'Root', 'Slow' {
    It 'reports a namespace from unshare as Added with the PID that exec''d, and as Removed, as last seen, when it exits' {
        $watch = Start-Watch @{ Type = 'Net', 'Uts' }
        $p = $null
        try {
            $p = Start-NativeProcess unshare '-n', '-u', 'sleep', '1000'
            Wait-Exec $p sleep
            $net = Get-NsInode $p.Id net
            $uts = Get-NsInode $p.Id uts
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -in $net, $uts }).Count -ge 2 }
            $added = @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $net })
            $added.Count | Should -Be 1
            $added[0].Type | Should -Be 'Net'
            $added[0].Namespace.Pids | Should -Contain $p.Id
            $added[0].Pid | Should -Be $p.Id
            $added[0].Cause | Should -BeIn 'Fork', 'Exec', 'Rescan'
            @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $uts }).Count | Should -Be 1
            @($events | Where-Object { $_.Type -notin 'Net', 'Uts' }) | Should -BeNullOrEmpty

            $p.Kill(); $p.WaitForExit()
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -in $net, $uts }).Count -ge 2 }
            $removed = @($events | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $net })
            $removed.Count | Should -Be 1
            $removed[0].Cause | Should -Be 'Exit'
            $removed[0].Pid | Should -Be $p.Id
            $removed[0].Namespace.Pids | Should -Be @($p.Id) -Because 'a Removed namespace is shown as last seen'
        } finally {
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            $null = Stop-Watch $watch
        }
    }

    It 'shows a Removed of a namespace whose process ran before the watch with that process: Pid, PPid, Command, Cgroup' {
        $p = Start-NativeProcess unshare '-u', 'sleep', '1000'
        $watch = $null
        try {
            Wait-Exec $p sleep
            $uts = Get-NsInode $p.Id uts
            # The kernel's word, read while it runs.
            $command = ((Get-Content -Raw "/proc/$($p.Id)/cmdline") -split "`0" | Where-Object { $_ }) -join ' '
            $ppid = [int](Get-StatusField $p.Id PPid)
            $cgroup = (Get-Content "/proc/$($p.Id)/cgroup" | Where-Object { $_ -like '0::*' }).Substring(3)
            $watch = Start-Watch @{ Type = 'Uts' }
            # Killed and reaped at once: gone before the watcher reads its exit.
            $p.Kill(); $p.WaitForExit()
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $uts }).Count -ge 1 }
            $removed = @($events | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $uts })
            $removed.Count | Should -Be 1
            $removed[0].Namespace.Pid | Should -Be $p.Id
            $removed[0].Namespace.PPid | Should -Be $ppid
            $removed[0].Namespace.Command | Should -Be $command
            $removed[0].Namespace.Cgroup | Should -Be $cgroup
        } finally {
            if (-not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            if ($watch) { $null = Stop-Watch $watch }
        }
    }

    It 'shows a Removed with the command the process exec''d after its Added (runc init, then the container''s program)' {
        $go = Join-Path $script:dir "exec-$(Get-Random)"
        $watch = Start-Watch @{ Type = 'Uts' }
        $p = $null
        try {
            # A shell in a new UTS namespace that waits for the test, then becomes sleep.
            $p = Start-NativeProcess unshare '-u', 'sh', '-c', "while [ ! -e $go ]; do sleep 0.05; done; exec sleep 1000"
            $uts = $null
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((readlink "/proc/$($p.Id)/exe") -notlike '*/sh' -and (readlink "/proc/$($p.Id)/exe") -notlike '*/dash' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
            $uts = Get-NsInode $p.Id uts
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $uts }).Count -ge 1 }
            @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $uts })[0].Namespace.Command | Should -Match '^sh -c '
            $null = New-Item -ItemType File $go
            Wait-Exec $p sleep
            $command = ((Get-Content -Raw "/proc/$($p.Id)/cmdline") -split "`0" | Where-Object { $_ }) -join ' '
            $command | Should -Be 'sleep 1000'
            # The watcher reads the new command when it handles the exec event, from /proc while
            # the process runs; killed before that, its Removed keeps the old one. Events are
            # handled in order: once the namespace of a process started after the exec is Added,
            # the exec has been handled.
            $later = Start-NativeProcess unshare '-u', 'sleep', '1000'
            try {
                Wait-Exec $later sleep
                $laterUts = Get-NsInode $later.Id uts
                $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $laterUts }).Count -ge 1 }
            } finally {
                $later.Kill(); $later.WaitForExit()
            }
            $p.Kill(); $p.WaitForExit()
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $uts }).Count -ge 1 }
            $removed = @($events | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $uts })
            $removed.Count | Should -Be 1
            $removed[0].Namespace.Pid | Should -Be $p.Id
            $removed[0].Namespace.Command | Should -Be $command
        } finally {
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            Remove-Item $go -ErrorAction Ignore
            $null = Stop-Watch $watch
        }
    }

    It 'shows a PID namespace''s Removed with the process that held it last (its pid and pid_for_children links go one after the other)' {
        $watch = Start-Watch @{ Type = 'Pid' }
        $t = $null
        try {
            $t = Start-TestProcess -Unshare '--pid'
            $inode = Get-NsInode $t.Pid pid
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $inode }).Count -ge 1 }
            $t | Stop-TestProcess
            $t = $null
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode }).Count -ge 1 }
            $removed = @($events | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode })
            $removed.Count | Should -Be 1
            $removed[0].Namespace.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::Process) | Should -BeTrue -Because "sleep was in it until it went: $($removed[0].Namespace.HeldBy)"
            $removed[0].Namespace.Pids | Should -Not -BeNullOrEmpty
        } finally {
            if ($t) { $t | Stop-TestProcess }
            $null = Stop-Watch $watch
        }
    }

    It 'reports ip netns add as Added with its name and mount, and ip netns delete as one Removed' {
        $name = "psns-watch-$PID"
        $watch = Start-Watch @{ Name = 'psns-watch-*' }
        try {
            ip netns add $name
            $inode = Get-NsfsInode "/run/netns/$name"
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Added').Count -ge 1 }
            $added = @($events | Where-Object ChangeType -eq 'Added')
            $added.Count | Should -Be 1
            $added[0].Namespace.Inode | Should -Be $inode
            $added[0].Namespace.Name | Should -Be $name
            $added[0].Cause | Should -Be 'Mount'
            $added[0].MountPoint | Should -Be "/run/netns/$name"

            ip netns delete $name
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Removed').Count -ge 1 }
            Start-Sleep -Milliseconds 300
            $events = $watch.Output.ToArray()
            @($events | Where-Object ChangeType -eq 'Removed').Count | Should -Be 1
            @($events | Where-Object ChangeType -eq 'Removed')[0].Namespace.Name | Should -Be $name
            @($events | Where-Object ChangeType -eq 'Unpersisted') | Should -BeNullOrEmpty -Because 'the namespace went with its mount'
        } finally {
            ip netns delete $name 2>$null
            $null = Stop-Watch $watch
        }
    }

    It 'reports a bind mount of a namespace a process holds as Persisted, and its unmount as Unpersisted' {
        $file = Join-Path $script:dir 'persisted'
        $null = New-Item -ItemType File $file
        $watch = Start-Watch @{ Type = 'Uts' }
        $p = $null
        try {
            $p = Start-NativeProcess unshare '-u', 'sleep', '1000'
            Wait-Exec $p sleep
            $uts = Get-NsInode $p.Id uts
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.Namespace.Inode -eq $uts }).Count -ge 1 }
            mount --bind "/proc/$($p.Id)/ns/uts" $file
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Persisted').Count -ge 1 }
            $persisted = @($events | Where-Object ChangeType -eq 'Persisted')
            $persisted.Count | Should -Be 1
            $persisted[0].Namespace.Inode | Should -Be $uts
            $persisted[0].MountPoint | Should -Be $file
            $persisted[0].Namespace.NsfsPaths | Should -Contain $file
            umount $file
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Unpersisted').Count -ge 1 }
            @($events | Where-Object ChangeType -eq 'Unpersisted').Count | Should -Be 1
            @($events | Where-Object ChangeType -eq 'Removed') | Should -BeNullOrEmpty
        } finally {
            umount $file 2>$null
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            $null = Stop-Watch $watch
        }
    }

    It 'misses nothing: 200 namespaces of every kind, in bursts and in parallel, some held only by mounts or descriptors, each Added and Removed exactly once, in order' {
        $watch = Start-Watch
        $processes = [System.Collections.Generic.List[object]]::new()
        $expected = [System.Collections.Generic.List[uint64]]::new()
        $files = [System.Collections.Generic.List[string]]::new()
        $started = @(); $parallel = @(); $holders = @()
        try {
            # Bursts: 8 kinds x 15 processes, each started without waiting for the one before.
            $kinds = @(
                @{ Flags = @('-n'); Link = 'net' }, @{ Flags = @('-u'); Link = 'uts' }, @{ Flags = @('-i'); Link = 'ipc' },
                @{ Flags = @('-m'); Link = 'mnt' }, @{ Flags = @('-C'); Link = 'cgroup' }, @{ Flags = @('-U'); Link = 'user' },
                @{ Flags = @('-p', '-f', '--kill-child'); Link = 'pid' }, @{ Flags = @('-T', '-f', '--kill-child'); Link = 'time' })
            $started = foreach ($kind in $kinds) {
                foreach ($i in 1..15) { [pscustomobject]@{ Process = (Start-NativeProcess unshare ($kind.Flags + @('sleep', '1000'))); Link = $kind.Link } }
            }
            # In parallel: 40 more from 8 threads at once.
            $parallel = 1..40 | ForEach-Object -ThrottleLimit 8 -Parallel {
                $psi = [System.Diagnostics.ProcessStartInfo]::new('unshare')
                foreach ($a in @(if ($_ % 2) { '-n' } else { '-u' }), 'sleep', '1000') { $psi.ArgumentList.Add($a) }
                [pscustomobject]@{ Process = [System.Diagnostics.Process]::Start($psi); Link = if ($_ % 2) { 'net' } else { 'uts' } }
            }
            foreach ($s in @($started) + @($parallel)) {
                # The process that is in the namespace: sleep itself, or unshare's forked child.
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                $target = $null
                while (-not $target -and [DateTime]::UtcNow -lt $deadline) {
                    $target = @($s.Process.Id) + @(Get-ChildPid $s.Process.Id) | Where-Object { (readlink "/proc/$_/exe") -like '*sleep' } | Select-Object -First 1
                    if (-not $target) { Start-Sleep -Milliseconds 10 }
                }
                $expected.Add((Get-NsInode $target $s.Link))
                # Killed innermost first, so that unshare --fork reaps its child: a zombie would
                # keep its PID namespace alive (and be left to this pwsh, which never reaps it).
                $processes.Add([pscustomobject]@{ Target = [int]$target; Outer = $s.Process })
            }
            # Held only by a mount: unshare --KIND=FILE binds the new namespace and exits.
            foreach ($i in 1..20) {
                $kind = @('net', 'uts', 'ipc')[$i % 3]
                $file = Join-Path $script:dir "held-$i"
                $null = New-Item -ItemType File $file
                unshare "--$kind=$file" true
                $files.Add($file)
                $expected.Add((Get-NsfsInode $file))
            }
            # Held only by a descriptor: a second process opens the namespace, then its creator exits.
            $holders = foreach ($i in 1..20) {
                $creator = Start-NativeProcess unshare '-n', 'sleep', '1000'
                Wait-Exec $creator sleep
                $expected.Add((Get-NsInode $creator.Id net))
                $holder = Start-NativeProcess bash '-c', "exec 3</proc/$($creator.Id)/ns/net; exec sleep 1000"
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not ((Get-ChildItem "/proc/$($holder.Id)/fd" -ErrorAction Ignore).LinkTarget -like 'net:*') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
                $creator.Kill(); $creator.WaitForExit()
                $holder
            }
            $expected.Count | Should -Be 200
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -in $expected }).Count -ge 200 }

            # Remove them all: processes in one burst, mounts, then the descriptor holders.
            foreach ($p in $processes) { kill -KILL $p.Target }
            foreach ($p in $processes) { $p.Outer.WaitForExit() }
            foreach ($file in $files) { umount $file }
            foreach ($h in $holders) { $h.Kill(); $h.WaitForExit() }
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -in $expected }).Count -ge 200 }
            Start-Sleep -Seconds 1
            $events = $watch.Output.ToArray()

            # nsfs reuses a freed inode at once, and other programs make and remove namespaces
            # too: events of one inode are told apart by NsId. A namespace whose first event is
            # Removed was there before the watch (not ours); ours is the first one after those.
            foreach ($inode in $expected) {
                $groups = @($events | Where-Object { $_.Namespace.Inode -eq $inode } | Group-Object { $_.Namespace.NsId } |
                        Where-Object { $_.Group[0].ChangeType -ne 'Removed' })
                $groups.Count | Should -BeGreaterThan 0 -Because "namespace $inode was made and removed"
                $same = @($groups[0].Group)
                $kinds = @($same | Where-Object ChangeType -in 'Added', 'Removed' | ForEach-Object ChangeType)
                ($kinds -join ',') | Should -Be 'Added,Removed' -Because "namespace $inode ($($same[0].Id)) must be Added once, then Removed once"
            }
            $ours = @($events | Where-Object { $_.Namespace.Inode -in $expected -and $_.ChangeType -in 'Added', 'Removed' })
            $pairs = $ours | Group-Object { "$($_.Namespace.Inode)/$($_.Namespace.NsId)/$($_.ChangeType)" } | Where-Object Count -gt 1
            $pairs | Should -BeNullOrEmpty
        } finally {
            foreach ($p in $processes) { kill -KILL $p.Target 2>$null; if (-not $p.Outer.WaitForExit(10000)) { $p.Outer.Kill(); $p.Outer.WaitForExit() } }
            foreach ($s in @($started) + @($parallel)) { if ($s -and -not $s.Process.HasExited) { Get-DescendantPid $s.Process.Id | ForEach-Object { kill -KILL $_ 2>$null }; $s.Process.WaitForExit(10000) } }
            foreach ($h in @($holders)) { if ($h -and -not $h.HasExited) { $h.Kill(); $h.WaitForExit() } }
            foreach ($file in $files) { umount $file 2>$null }
            $null = Stop-Watch $watch
        }
    }

    It 'finds a process that unshares in place, without exec, at the next -Interval look, though it slept before' {
        # No event announces unshare(2) by a running process: only the periodic look finds it.
        # perl calls unshare(CLONE_NEWUTS) itself after sleeping past two looks, then sleeps on.
        $number = @{ x86_64 = 272; aarch64 = 97 }[(uname -m)]
        $watch = Start-Watch @{ Type = 'Uts'; Interval = 0.5 }
        $p = $null
        try {
            $p = Start-NativeProcess perl '-e', "select(undef, undef, undef, 1.5); syscall($number, 0x04000000) == 0 or die `"unshare: `$!`"; sleep 1000"
            $before = Get-NsInode $p.Id uts
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-NsInode $p.Id uts) -eq $before -and -not $p.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $p.HasExited | Should -BeFalse -Because 'perl could unshare'
            $uts = Get-NsInode $p.Id uts
            $uts | Should -Not -Be $before
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $uts }).Count -ge 1 } -Seconds 10
            $added = @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $uts })
            $added.Count | Should -Be 1
            $added[0].Cause | Should -Be 'Rescan'
            $added[0].Pid | Should -Be $p.Id
        } finally {
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            $null = Stop-Watch $watch
        }
    }

    It 'follows only the process tree of -Pid' {
        $go = Join-Path $script:dir 'go'
        $tree = Start-NativeProcess bash '-c', "while [ ! -e '$go' ]; do sleep 0.02; done; exec unshare -u sleep 1000"
        $other = $null
        $watch = Start-Watch @{ Pid = $tree.Id; Count = 1 }
        try {
            $other = Start-NativeProcess unshare '-u', 'sleep', '1000'
            Wait-Exec $other sleep
            $null = New-Item -ItemType File $go
            $null = $watch.PowerShell.EndInvoke($watch.Handle)
            $events = $watch.Output.ToArray()
            $events.Count | Should -Be 1
            $events[0].Namespace.Inode | Should -Be (Get-NsInode $tree.Id uts)
            $events[0].Namespace.Inode | Should -Not -Be (Get-NsInode $other.Id uts)
        } finally {
            foreach ($p in $tree, $other) { if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() } }
            Remove-Item $go -ErrorAction Ignore
            $watch.PowerShell.Dispose()
        }
    }

    It 'stops on Ctrl+C within 1 s, leaving no socket, inotify or other descriptor and no thread behind' {
        $before = Get-OpenDescriptor
        $threads = @(Get-ChildItem /proc/self/task).Count
        $watch = Start-Watch
        @(Get-ChildItem /proc/self/task | Where-Object { (Get-Content "$($_.FullName)/comm") -eq 'PSNamespaces wa' }).Count | Should -Be 1
        @(Compare-Object $before (Get-OpenDescriptor) | Where-Object { $_.SideIndicator -eq '=>' -and $_.InputObject -like 'socket:*' }).Count | Should -BeGreaterOrEqual 2
        $watch.PowerShell.InvocationStateInfo.State | Should -Be 'Running'
        $seconds = Stop-Watch $watch
        $seconds | Should -BeLessThan 1
        @(Get-ChildItem /proc/self/task | Where-Object { (Get-Content "$($_.FullName)/comm" -ErrorAction Ignore) -eq 'PSNamespaces wa' }) | Should -BeNullOrEmpty
        Compare-Object $before (Get-OpenDescriptor) | Where-Object SideIndicator -eq '=>' | Should -BeNullOrEmpty
    }

    It 'ends after -Timeout with nothing written when a -Name pattern matches nothing' {
        $timer = [System.Diagnostics.Stopwatch]::StartNew()
        $out = @(Watch-Namespace -Name 'psns-no-such-name-*' -Timeout 1 -ErrorVariable e)
        $timer.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.95 -Because "the timer fires on the clock's tick, a ms either side of the second"
        $out | Should -BeNullOrEmpty
        $e | Should -BeNullOrEmpty
    }

    It 'runs in Start-ThreadJob' {
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $name = "psns-watchjob-$PID"
        # A throttle of its own: thread jobs other tests left running must not keep this one queued.
        $job = Start-ThreadJob -ThrottleLimit 100 { Import-Module $using:module; Watch-Namespace -Name $using:name -Timeout 120 | Where-Object ChangeType -eq Added | Select-Object -First 1 }
        try {
            # The job says nothing when it is ready: make the name again until the watch reports one.
            $made = @()
            $deadline = [DateTime]::UtcNow.AddSeconds(100)
            while ($job.State -in 'NotStarted', 'Running' -and [DateTime]::UtcNow -lt $deadline) {
                ip netns add $name
                $made += Get-NsfsInode "/run/netns/$name"
                $null = Wait-Job $job -Timeout 3
                ip netns delete $name
            }
            $result = @($job | Receive-Job -Wait -AutoRemoveJob)
            $result.Count | Should -Be 1
            $result[0].ChangeType | Should -Be 'Added'
            $result[0].Namespace.Name | Should -Be $name
            $made | Should -Contain $result[0].Namespace.Inode
        } finally {
            ip netns delete $name 2>$null
            $job | Remove-Job -Force -ErrorAction Ignore
        }
    }

    It 'inside Invoke-InNamespace sees that mount namespace''s view' {
        $mnt = Join-Path $script:dir 'mnt'
        $name = "psns-watchview-$PID"
        $null = New-Namespace -Type Mount -Path $mnt
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$module'; Invoke-InNamespace -Path '$mnt' -Type Mount -Verbose { Import-Module '$module'; Watch-Namespace -Name '$name' -Count 1 -Timeout 60 -Verbose }")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not @($ps.Streams.Verbose | Where-Object Message -like 'Watching *') -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            nsenter "--mount=$mnt" ip netns add $name
            $inode = [uint64](nsenter "--mount=$mnt" stat -L -c %i "/run/netns/$name")
            $result = @($ps.EndInvoke($handle))
            @(Get-Content /proc/self/mountinfo | Where-Object { ($_ -split ' ')[4] -eq "/run/netns/$name" }) |
                Should -BeNullOrEmpty -Because 'the name is a mount in that mount namespace only'
            $result.Count | Should -Be 1
            $result[0].Namespace.Inode | Should -Be $inode
            $result[0].MountPoint | Should -Be "/run/netns/$name"
        } finally {
            nsenter "--mount=$mnt" ip netns delete $name 2>$null
            $ps.Dispose()
            Remove-Namespace -Path $mnt
        }
    }

    It 'writes events that stand for their namespace when piped to Invoke-InNamespace, Enter-Namespace, Get-NamespaceProcess and Get-Namespace, also a mount''s event without a PID' {
        $name = "psns-wp-$PID"
        $watch = Start-Watch @{ Type = 'Net' }
        $p = $q = $null
        try {
            $p = Start-NativeProcess unshare '-n', '-u', 'sleep', '1000'
            Wait-Exec $p sleep
            $net = Get-NsInode $p.Id net
            # A second process in the same network namespace, but not the one that made it.
            $q = Start-NativeProcess nsenter '-t', $p.Id, '-n', 'sleep', '1000'
            Wait-Exec $q sleep
            ip netns add $name
            $LASTEXITCODE | Should -Be 0
            $named = Get-NsfsInode "/run/netns/$name"
            # A mount's Added: the one that has the mount point (a busy machine can hold ip up
            # between its unshare and its mount, past the Added's 10 ms wait: then it is a Persisted).
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $net }).Count -ge 1 -and @($e | Where-Object { $_.Namespace.Inode -eq $named -and $_.MountPoint }).Count -ge 1 }
            $byProcess = @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $net })[0]
            $byMount = @($events | Where-Object { $_.Namespace.Inode -eq $named -and $_.MountPoint })[0]
            $byProcess.Pid | Should -Be $p.Id
            $byMount.Pid | Should -BeNullOrEmpty

            $ownUts = readlink /proc/self/ns/uts
            ($byProcess | Invoke-InNamespace { readlink /proc/self/ns/net; readlink /proc/self/ns/uts }) |
                Should -Be @("net:[$net]", $ownUts) -Because 'the event is about the network namespace: the uts namespace of the process that caused it is not joined'
            ($byMount | Invoke-InNamespace { readlink /proc/self/ns/net }) | Should -Be "net:[$named]"
            ($byMount | Enter-Namespace -FilePath readlink -ArgumentList /proc/self/ns/net) | Should -Be "net:[$named]"
            @($byProcess | Get-NamespaceProcess).Pid | Sort-Object | Should -Be (@($p.Id, $q.Id) | Sort-Object) -Because "both are in net:[$net], not only the PID that caused the event"
            ($byMount | Get-Namespace).Name | Should -Be $name
            # As it comes back from remoting or Import-Clixml: a property bag, still its namespace.
            $byMount | Export-Clixml (Join-Path $script:dir 'event.xml')
            $shipped = Import-Clixml (Join-Path $script:dir 'event.xml')
            $shipped.PSObject.TypeNames[0] | Should -Be 'Deserialized.PSNamespaces.NamespaceEvent'
            ($shipped | Invoke-InNamespace { readlink /proc/self/ns/net }) | Should -Be "net:[$named]"
            ($shipped | Get-Namespace).Name | Should -Be $name
        } finally {
            ip netns delete $name 2>$null
            foreach ($r in $q, $p) { if ($r -and -not $r.HasExited) { $r.Kill(); $r.WaitForExit() } }
            $null = Stop-Watch $watch
        }
    }

    It 'describes a container''s namespace by its cgroup, as ps and the container id say (docker-ID.scope)' {
        $id = New-HexId
        $made = [Collections.Generic.List[string]]::new()
        $cgroup = Get-Cgroup2Mount
        $watch = Start-Watch @{ Type = 'Net' }
        $p = $null
        try {
            foreach ($part in 'system.slice', "docker-$id.scope") {
                $cgroup = Join-Path $cgroup $part
                if (-not (Test-Path -LiteralPath $cgroup)) { $null = New-Item -ItemType Directory $cgroup; $made.Add($cgroup) }
            }
            # The shell moves itself into the cgroup, then becomes unshare, then sleep: the
            # namespace is made by a process already in the container's cgroup.
            $p = Start-NativeProcess bash '-c', "echo `$`$ > $cgroup/cgroup.procs && exec unshare -n sleep 1000"
            Wait-Exec $p sleep
            $net = Get-NsInode $p.Id net
            $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $net }).Count -ge 1 }
            $ns = @($events | Where-Object { $_.ChangeType -eq 'Added' -and $_.Namespace.Inode -eq $net })[0].Namespace
            $kernelCgroup = (Get-Content "/proc/$($p.Id)/cgroup" | Where-Object { $_ -like '0::*' }).Substring(3)
            $ns.Cgroup | Should -Be $kernelCgroup
            $ns.Unit | Should -Be (ps -o unit= -p $p.Id).Trim() -Because 'ps asks libsystemd for the unit'
            $ns.ContainerRuntime | Should -Be 'docker'
            $ns.ContainerId | Should -Be $id
            $ns.Containers | Should -Be @("docker:$id")
        } finally {
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            $null = Stop-Watch $watch
            $made.Reverse()
            foreach ($path in $made) {
                # A killed process leaves its cgroup only once reaped: retry rmdir a little while.
                for ($i = 0; $i -lt 250 -and (Test-Path -LiteralPath $path); $i++) {
                    try { [IO.Directory]::Delete($path) } catch { Start-Sleep -Milliseconds 20 }
                }
            }
        }
        foreach ($path in $made) { Test-Path -LiteralPath $path | Should -BeFalse -Because "$path was made by the test" }
    }

    It 'without root, falls back to rescans and warns once' {
        $user = New-TestUser
        try {
            $out = Invoke-PwshAsUser $user @'
$e = @(Watch-Namespace -Timeout 1 -Interval 0.2 -WarningVariable w 3>$null)
"warnings=$($w.Count) text=$($w[0])"
'@
            $line = $out | Select-Object -Last 1
            $line | Should -Match '^warnings=1 '
            $line | Should -Match 'CAP_NET_ADMIN'
            $line | Should -Match '-Interval'
        } finally {
            Remove-TestUser $user
        }
    }

    It 'refuses <Case>' -TestCases @(
        @{ Case = 'a zero -Timeout'; Arguments = @{ Timeout = 0 } }
        @{ Case = 'a negative -Timeout'; Arguments = @{ Timeout = -1 } }
        @{ Case = 'a zero -Interval'; Arguments = @{ Interval = 0 } }
        @{ Case = 'a negative -Interval'; Arguments = @{ Interval = -5 } }
        @{ Case = 'a zero -Count'; Arguments = @{ Count = 0 } }
        @{ Case = 'a negative -Count'; Arguments = @{ Count = -1 } }
        @{ Case = 'a -Timeout past what a timer can wait (2147483 s)'; Arguments = @{ Timeout = 1e10 } }
        @{ Case = 'a -Interval past what a timer can wait'; Arguments = @{ Interval = 1e300 } }
    ) {
        param($Arguments)
        { Watch-Namespace @Arguments } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSNamespaces.Commands.WatchNamespaceCommand'
    }

    It 'refuses a -Name pattern that is not a wildcard pattern when it starts, not at the first event' {
        $err = $null
        try { Watch-Namespace -Name 'psns-[' -Timeout 5 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,PSNamespaces.Commands.WatchNamespaceCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'psns-['
        $err.Exception.Message | Should -Match '`\['
    }

    It 'refuses -Name with a -Type that leaves out network namespaces' {
        $err = $null
        try { Watch-Namespace -Type Uts, Mount -Name blue -Timeout 5 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'NameNeedsNetType,PSNamespaces.Commands.WatchNamespaceCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'Add Net to -Type'
    }

    It 'refuses an unknown type' {
        { Watch-Namespace -Type Bogus -Timeout 1 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSNamespaces.Commands.WatchNamespaceCommand'
    }

    It 'says ObjectNotFound for a -Pid that is gone' {
        $p = Start-NativeProcess true
        $p.WaitForExit()
        $err = $null
        try { Watch-Namespace -Pid $p.Id -Timeout 1 } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err.TargetObject | Should -Be $p.Id
    }

    It 'has a table view' {
        $text = [PSNamespaces.NamespaceEvent]::new('Added', [PSNamespaces.Namespace]::new('Net', 1, 2), [datetime]::Now, 'Exec', 42, $null) | Format-Table | Out-String
        $text | Should -Match 'ChangeType'
        $text | Should -Match 'net:\[1\]'
        $text | Should -Match '42'
    }

    It 'renders its table whole at 80 and 120 columns, the command readable, and at 120 with the host of a remote event' {
        # Real namespaces (a cgroup one has the longest Id), with this process's command line.
        $events = foreach ($ns in Get-Namespace -Pid $PID -Type Cgroup, Net) {
            [PSNamespaces.NamespaceEvent]::new('Unpersisted', $ns, [datetime]::Now, 'Release', 4194304, $null)
        }
        $labels = @(Get-TableViewLabel PSNamespaces.NamespaceEvent)
        $command = (Get-Namespace -Pid $PID -Type Net).Command
        foreach ($width in 80, 120) {
            $text = Assert-TableWhole ($events | Format-Table | Out-String -Width $width) $labels $width
            # At least the first 15 characters of the command: not cut into 4-character pieces.
            $text | Should -Match ([regex]::Escape($command.Substring(0, [Math]::Min(15, $command.Length))))
        }
        $remote = Add-RemoteComputerName $events
        $null = Assert-TableWhole ($remote | Format-Table | Out-String -Width 120) ($labels + 'PSComputerName') 120
    }
}
