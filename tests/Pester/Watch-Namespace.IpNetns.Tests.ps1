# Watch-Namespace and `ip netns add/delete` at full speed (issue 14's benchmark missed events
# here). ip netns add makes its namespace, binds it to /run/netns/NAME and exits within a
# millisecond, so the watcher sees its process and its mount almost at once, in either order.
# Expected values come from the kernel (stat -L of /run/netns/NAME) and ip netns, never from
# the module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WatchTestHelpers.psm1') -Force
    Import-PSNamespaces

    function Add-NetnsName {
        <# A second name for a named namespace: a bind mount of its file, as ip netns attach would make. #>
        param([Parameter(Mandatory)] [string] $Named, [Parameter(Mandatory)] [string] $Name)
        New-Item -ItemType File "/run/netns/$Name" | Out-Null
        mount --bind "/run/netns/$Named" "/run/netns/$Name"
        $LASTEXITCODE | Should -Be 0
    }

    function Invoke-IpNetnsLoop {
        <#
        Runs `ip netns <Verb> NAME` for every name: half one after the other in a tight shell
        loop, half from 8 parallel workers, both at once. With -Verb add, returns name and inode
        of each namespace made (stat -L while it is there).
        #>
        param([Parameter(Mandatory)] [string[]] $Names, [Parameter(Mandatory)] [ValidateSet('add', 'delete')] [string] $Verb)
        $half = [Math]::Ceiling($Names.Count / 2)
        $inParallel = $Names[$half..($Names.Count - 1)] -join ' '
        $report = if ($Verb -eq 'add') { ' && echo "$n $(stat -L -c %i /run/netns/$n)"' } else { '' }
        # The first ip netns add makes /run/netns a shared bind mount of itself; several racing
        # to do that at once would stack mounts there. So one goes first, alone.
        $first, $inLoop = $Names[0..($half - 1)]
        $script = "n=$first; ip netns $Verb `$n$report; for n in $($inLoop -join ' '); do ip netns $Verb `$n$report; done & " +
            "printf '%s\n' $inParallel | xargs -P 8 -I{} sh -c 'n={}; ip netns $Verb `$n$report'; wait"
        foreach ($line in @(bash -c $script)) {
            $name, $inode = -split $line
            [pscustomobject]@{ Name = $name; Inode = [uint64]$inode }
        }
    }
}

Describe 'Watch-Namespace with ip netns' -Tag 'Root', 'Slow' {
    It 'reports each of 80 namespaces from ip netns add, in a tight loop and in parallel, as one Added with its name and mount, and ip netns delete as one Removed' {
        $names = 1..80 | ForEach-Object { "psns-wl-$PID-$_" }
        # -Name keeps only events that carry the name: an Added that was written before the
        # namespace's mount was seen would be missing here.
        $watch = Start-Watch @{ Type = 'Net'; Name = "psns-wl-$PID-*" }
        try {
            $made = @(Invoke-IpNetnsLoop $names add)
            $made.Count | Should -Be $names.Count -Because 'ip netns add made every namespace'
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.Namespace.Name -in $names } | Select-Object -Unique { $_.Namespace.Name }).Count -ge $names.Count }
            $null = Invoke-IpNetnsLoop $names delete
            @(ip netns list | Where-Object { $_ -like "psns-wl-$PID-*" }) | Should -BeNullOrEmpty
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Removed').Count -ge $names.Count }
            Start-Sleep -Milliseconds 500
            $events = $watch.Output.ToArray()

            foreach ($ns in $made) {
                $ours = @($events | Where-Object { $_.Namespace.Name -eq $ns.Name })
                ($ours.ChangeType -join ',') | Should -Be 'Added,Removed' -Because "$($ns.Name) was added once, then deleted once, and nothing else happened to it (seen: $($ours | ForEach-Object { "$($_.ChangeType) by $($_.Cause)" }))"
                $ours[0].Namespace.Inode | Should -Be $ns.Inode
                $ours[0].Cause | Should -Be 'Mount'
                $ours[0].MountPoint | Should -Be "/run/netns/$($ns.Name)"
                $ours[0].Namespace.NsfsPaths | Should -Be @("/run/netns/$($ns.Name)")
                $ours[1].Namespace.Inode | Should -Be $ns.Inode
                $ours[1].Namespace.NsId | Should -Be $ours[0].Namespace.NsId
            }
        } finally {
            foreach ($name in $names) { ip netns delete $name 2>$null }
            $null = Stop-Watch $watch
        }
    }

    It 'writes every Added and Removed exactly once for ip netns add and delete of names one after another, without waiting in between' {
        $names = 1..60 | ForEach-Object { "psns-wq-$PID-$_" }
        $watch = Start-Watch @{ Type = 'Net' }
        try {
            # Each namespace lives while the next four are made: add N, then delete N-4. (One
            # that lives a few ms only may come and go while a busy machine keeps the watcher
            # from running: the kernel keeps no record of such a mount for it to find.)
            $lag = 4
            $script = @(for ($i = 0; $i -lt $names.Count; $i++) {
                    "ip netns add $($names[$i]) && echo `"$($names[$i]) `$(stat -L -c %i /run/netns/$($names[$i]))`""
                    if ($i -ge $lag) { "ip netns delete $($names[$i - $lag])" }
                }) + @($names[-$lag..-1] | ForEach-Object { "ip netns delete $_" })
            $made = foreach ($line in @(bash -c ($script -join "`n"))) {
                $name, $inode = -split $line
                [pscustomobject]@{ Name = $name; Inode = [uint64]$inode }
            }
            @($made).Count | Should -Be $names.Count
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Name -in $names }).Count -ge $names.Count } -Seconds 30
            Start-Sleep -Milliseconds 500
            $events = $watch.Output.ToArray()

            foreach ($ns in $made) {
                # Events of this namespace: by inode, told apart from an inode's later owner by NsId.
                $named = @($events | Where-Object { $_.Namespace.Name -eq $ns.Name })
                $named.Count | Should -BeGreaterThan 0 -Because "$($ns.Name) was there"
                $nsid = $named[0].Namespace.NsId
                $ours = @($events | Where-Object { $_.Namespace.Inode -eq $ns.Inode -and $_.Namespace.NsId -eq $nsid })
                # Unfiltered, a Persisted between them is true too: ip made the namespace, then
                # bound it (when a busy machine held ip up between the two for over 10 ms).
                (@($ours | Where-Object ChangeType -ne 'Persisted').ChangeType -join ',') | Should -Be 'Added,Removed' -Because "$($ns.Name) was added once, then deleted once"
                $ours[-1].ChangeType | Should -Be 'Removed'
                $firstNamed = @($ours | Where-Object { $_.Namespace.Name -eq $ns.Name })[0]
                $firstNamed.ChangeType | Should -BeIn 'Added', 'Persisted'
                $firstNamed.MountPoint | Should -Be "/run/netns/$($ns.Name)"
            }
        } finally {
            foreach ($name in $names) { ip netns delete $name 2>$null }
            $null = Stop-Watch $watch
        }
    }

    It 'shows a namespace that gets a matching name later (ip netns attach) as Added to a -Name watch, and its name going as Unpersisted' {
        $name = "psns-wa-$PID"
        $holder = Start-Process unshare -ArgumentList '-n', 'sleep', '300' -PassThru
        $watch = $null
        try {
            $inode = $null
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while ([DateTime]::UtcNow -lt $deadline) {
                $link = readlink "/proc/$($holder.Id)/ns/net"
                if ($link -and $link -ne (readlink /proc/self/ns/net)) { $inode = [uint64]($link -replace '\D', ''); break }
                Start-Sleep -Milliseconds 20
            }
            $inode | Should -Not -BeNullOrEmpty -Because 'unshare -n made its namespace'
            $watch = Start-Watch @{ Type = 'Net'; Name = $name }
            ip netns attach $name $holder.Id
            $LASTEXITCODE | Should -Be 0
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 1 }
            ip netns delete $name
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 2 }
            Start-Sleep -Milliseconds 300
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Added,Unpersisted' -Because 'the namespace entered the view with its name and left it when the name went, while sleep still held it'
            $events[0].Namespace.Inode | Should -Be $inode
            $events[0].Namespace.Name | Should -Be $name
            $events[0].Cause | Should -Be 'Mount'
            $events[1].Namespace.Inode | Should -Be $inode
        } finally {
            ip netns delete $name 2>$null
            if ($watch) { $null = Stop-Watch $watch }
            $holder | Stop-Process -Force -ErrorAction SilentlyContinue
            $holder.WaitForExit()
        }
    }

    It 'shows a second matching name of a namespace named before the watch began as Persisted, not Added; losing one name as Unpersisted; the last going as Removed' {
        $first = "psns-wb-a-$PID"; $second = "psns-wb-b-$PID"
        $watch = $null
        try {
            ip netns add $first
            $LASTEXITCODE | Should -Be 0
            $inode = [uint64](stat -L -c %i "/run/netns/$first")
            $watch = Start-Watch @{ Type = 'Net'; Name = 'psns-wb-*' }
            Add-NetnsName -Named $first -Name $second
            [uint64](stat -L -c %i "/run/netns/$second") | Should -Be $inode
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 1 }
            ip netns delete $first
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 2 }
            ip netns delete $second
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 3 }
            Start-Sleep -Milliseconds 300
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Persisted,Unpersisted,Removed' -Because 'the namespace was in the view (named) from the start, kept a matching name until the last went, and went with it'
            $events.Namespace.Inode | Should -Be @($inode, $inode, $inode)
            $events[0].MountPoint | Should -Be "/run/netns/$second"
            $events[1].MountPoint | Should -Be "/run/netns/$first"
        } finally {
            foreach ($n in $first, $second) { ip netns delete $n 2>$null }
            if ($watch) { $null = Stop-Watch $watch }
        }
    }

    It 'shows a namespace entering the view by a second name as Added, leaving it as Unpersisted though it keeps a name that does not match, and its going as Removed' {
        $kept = "psns-wc-z-$PID"; $matching = "psns-wc-a-$PID"
        $watch = $all = $null
        try {
            ip netns add $kept
            $LASTEXITCODE | Should -Be 0
            $inode = [uint64](stat -L -c %i "/run/netns/$kept")
            $watch = Start-Watch @{ Type = 'Net'; Name = 'psns-wc-a-*' }
            # Without -Name, to know when the namespace's Removed has been written.
            $all = Start-Watch @{ Type = 'Net' }
            Add-NetnsName -Named $kept -Name $matching
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 1 }
            ip netns delete $matching
            $null = Wait-WatchEvent $watch { param($e) @($e).Count -ge 2 }
            # It left the view with its matching name, but it was in it: its going is written too.
            ip netns delete $kept
            $gone = Wait-WatchEvent $all { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode }).Count -ge 1 }
            @($gone | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode }).Count | Should -Be 1 -Because 'the watch without -Name saw the namespace go'
            Start-Sleep -Milliseconds 200
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Added,Unpersisted,Removed'
            $events.Namespace.Inode | Should -Be @($inode, $inode, $inode)
            $events[0].MountPoint | Should -Be "/run/netns/$matching"
            $events[1].MountPoint | Should -Be "/run/netns/$matching"
            $events[1].Namespace.NsfsPaths | Should -Be @("/run/netns/$kept") -Because 'the Unpersisted shows the namespace as it is after the unmount'
            $events[2].MountPoint | Should -Be "/run/netns/$kept"
            $events[2].Namespace.Name | Should -Be $kept -Because 'its last holder was the name it kept'
            ip netns list | Should -Not -Match 'psns-wc-'
        } finally {
            foreach ($n in $kept, $matching) { ip netns delete $n 2>$null }
            foreach ($w in $watch, $all) { if ($w) { $null = Stop-Watch $w } }
        }
    }

    It 'writes the Removed of a namespace named before the watch began, held by its name alone, as last seen: named and held by the mount' {
        $name = "psns-wd-$PID"
        $watch = $null
        try {
            ip netns add $name
            $LASTEXITCODE | Should -Be 0
            $inode = [uint64](stat -L -c %i "/run/netns/$name")
            $watch = Start-Watch @{ Type = 'Net'; Name = $name }
            ip netns delete $name
            $events = @(Wait-WatchEvent $watch { param($e) @($e).Count -ge 1 })
            Start-Sleep -Milliseconds 200
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Removed'
            $events[0].Namespace.Inode | Should -Be $inode
            $events[0].Namespace.Name | Should -Be $name
            $events[0].Namespace.HeldBy | Should -Be 'BindMount' -Because 'ip netns add made it with nothing but the mount holding it'
        } finally {
            ip netns delete $name 2>$null
            if ($watch) { $null = Stop-Watch $watch }
        }
    }

    It 'writes the Removed of ip netns delete right after a process in the namespace exits (ip netns exec X cmd; ip netns delete X), 5 times in 5' {
        # The exit and the unmount come within a few ms: the watcher may read the unmount first,
        # while the process still seems to hold the namespace (an Unpersisted), but a Removed must
        # follow. Five rounds, since which the watcher reads first varies.
        $names = 1..5 | ForEach-Object { "psns-we-$PID-$_" }
        $watch = $null
        try {
            $watch = Start-Watch @{ Type = 'Net'; Name = "psns-we-$PID-*" }
            foreach ($name in $names) {
                $since = $watch.Output.Count
                ip netns add $name
                $LASTEXITCODE | Should -Be 0
                $inode = [uint64](stat -L -c %i "/run/netns/$name")
                bash -c "ip netns exec $name sleep 0.3; ip netns delete $name"
                $LASTEXITCODE | Should -Be 0
                # By inode: a Removed by the exit, after the Unpersisted, shows the namespace without its name.
                $null = Wait-WatchEvent $watch { param($e) @($e | Select-Object -Skip $since | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode }).Count -ge 1 } -Seconds 10
                Start-Sleep -Milliseconds 100
                $round = @($watch.Output.ToArray() | Select-Object -Skip $since | Where-Object { $_.Namespace.Inode -eq $inode })
                ($round.ChangeType -join ',') | Should -BeIn @('Added,Removed', 'Added,Unpersisted,Removed') -Because "$name was added, entered by ip netns exec and deleted"
                $round.Namespace.Inode | Should -Be (@($inode) * $round.Count)
            }
        } finally {
            foreach ($name in $names) { ip netns delete $name 2>$null }
            if ($watch) { $null = Stop-Watch $watch }
        }
    }

    It 'writes the Removed of a namespace that left a -Name view while a process held it; names that do not match are not written; each event shows the names it has then' {
        $matching = "psns-wg-a-$PID"; $other = "psns-wg-b-$PID"
        $watch = $all = $p = $null
        try {
            $watch = Start-Watch @{ Name = $matching }
            # Without -Name, to know when the watcher has read each change.
            $all = Start-Watch @{ Type = 'Net' }
            $p = Start-NativeProcess unshare '-n', 'sleep', '1000'
            Wait-Exec $p sleep
            $inode = Get-NsInode $p.Id net
            ip netns attach $matching $p.Id
            $LASTEXITCODE | Should -Be 0
            # Two attaches within the Added's 10 ms hold would both come with the Added (seen in a
            # CI-style run): let the watcher write the first before the second is made.
            $null = Wait-WatchEvent $all { param($e) @($e | Where-Object { $_.MountPoint -eq "/run/netns/$matching" }).Count -ge 1 }
            ip netns attach $other $p.Id
            $LASTEXITCODE | Should -Be 0
            $null = Wait-WatchEvent $all { param($e) @($e | Where-Object { $_.ChangeType -eq 'Persisted' -and $_.MountPoint -eq "/run/netns/$other" }).Count -ge 1 }
            ip netns delete $matching
            $null = Wait-WatchEvent $all { param($e) @($e | Where-Object { $_.ChangeType -eq 'Unpersisted' -and $_.MountPoint -eq "/run/netns/$matching" }).Count -ge 1 }
            ip netns delete $other
            $null = Wait-WatchEvent $all { param($e) @($e | Where-Object { $_.ChangeType -eq 'Unpersisted' -and $_.MountPoint -eq "/run/netns/$other" }).Count -ge 1 }
            $p.Kill(); $p.WaitForExit()
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Removed').Count -ge 1 } -Seconds 10
            Start-Sleep -Milliseconds 200
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Added,Unpersisted,Removed' -Because "$other does not match: neither its mount nor its unmount is about the view"
            $events.Namespace.Inode | Should -Be @($inode, $inode, $inode)
            $events[0].MountPoint | Should -Be "/run/netns/$matching"
            $events[1].MountPoint | Should -Be "/run/netns/$matching"
            $events[1].Namespace.NsfsPaths | Should -Be @("/run/netns/$other") -Because "it kept $other when it lost $matching"
            $events[1].Namespace.Name | Should -Be $other
            $events[2].Cause | Should -Be 'Exit'
            $events[2].Pid | Should -Be $p.Id
            $events[2].Namespace.NsfsPaths | Should -BeNullOrEmpty -Because 'both names had gone when its last process exited'
            $events[2].Namespace.Name | Should -BeNullOrEmpty
            "$($events[2].Namespace.HeldBy)" | Should -Be 'Process'
        } finally {
            foreach ($n in $matching, $other) { ip netns delete $n 2>$null }
            if ($p -and -not $p.HasExited) { $p.Kill(); $p.WaitForExit() }
            foreach ($w in $watch, $all) { if ($w) { $null = Stop-Watch $w } }
        }
    }

    It 'shows a named namespace whose last process exited before its name went as held by the mount alone, without processes' {
        $name = "psns-wh-$PID-a"; $markerName = "psns-wh-$PID-m"
        $watch = $p = $marker = $null
        try {
            $watch = Start-Watch @{ Name = "psns-wh-$PID-*" }
            $p = Start-NativeProcess unshare '-n', 'sleep', '1000'
            Wait-Exec $p sleep
            $inode = Get-NsInode $p.Id net
            ip netns attach $name $p.Id
            $LASTEXITCODE | Should -Be 0
            # A second named namespace whose Removed comes by its process's exit, after p's: the
            # kernel sends exits in order, so once the watch writes it, it has read p's exit too.
            $marker = Start-NativeProcess unshare '-n', 'sleep', '1000'
            Wait-Exec $marker sleep
            $markerInode = Get-NsInode $marker.Id net
            ip netns attach $markerName $marker.Id
            $LASTEXITCODE | Should -Be 0
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Added').Count -ge 2 }
            ip netns delete $markerName
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Unpersisted' -and $_.Namespace.Inode -eq $markerInode }).Count -ge 1 }
            $p.Kill(); $p.WaitForExit()
            $marker.Kill(); $marker.WaitForExit()
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $markerInode }).Count -ge 1 }
            ip netns delete $name
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.ChangeType -eq 'Removed' -and $_.Namespace.Inode -eq $inode }).Count -ge 1 } -Seconds 10
            Start-Sleep -Milliseconds 200
            $events = @($watch.Output.ToArray() | Where-Object { $_.Namespace.Inode -eq $inode })
            ($events.ChangeType -join ',') | Should -Be 'Added,Removed'
            $events[0].Namespace.Pids | Should -Be @($p.Id)
            $removed = $events[1]
            $removed.Cause | Should -Be 'Unmount'
            $removed.MountPoint | Should -Be "/run/netns/$name"
            $removed.Namespace.Name | Should -Be $name
            "$($removed.Namespace.HeldBy)" | Should -Be 'BindMount' -Because 'its process had exited: the name alone held it when it went'
            $removed.Namespace.ProcessCount | Should -Be 0
            $removed.Namespace.Pids | Should -BeNullOrEmpty
            $removed.Namespace.Pid | Should -BeNullOrEmpty
            $removed.Namespace.Command | Should -BeNullOrEmpty
        } finally {
            foreach ($n in $name, $markerName) { ip netns delete $n 2>$null }
            foreach ($q in $p, $marker) { if ($q -and -not $q.HasExited) { $q.Kill(); $q.WaitForExit() } }
            if ($watch) { $null = Stop-Watch $watch }
        }
    }

    It 'leaves out namespaces of other kinds bound under /run/netns (unshare --uts=/run/netns/NAME) when it watches names without -Type' {
        $uts = "psns-wf-u-$PID"; $net = "psns-wf-n-$PID"
        $watch = $null
        try {
            $watch = Start-Watch @{ Name = 'psns-wf-*' }
            ip netns add $net # first: it makes /run/netns
            $LASTEXITCODE | Should -Be 0
            New-Item -ItemType File "/run/netns/$uts" | Out-Null
            unshare "--uts=/run/netns/$uts" true
            $LASTEXITCODE | Should -Be 0
            $netInode = [uint64](stat -L -c %i "/run/netns/$net")
            umount "/run/netns/$uts"
            Remove-Item "/run/netns/$uts"
            ip netns delete $net
            $null = Wait-WatchEvent $watch { param($e) @($e | Where-Object ChangeType -eq 'Removed').Count -ge 1 }
            Start-Sleep -Milliseconds 300
            $events = @($watch.Output.ToArray())
            ($events.ChangeType -join ',') | Should -Be 'Added,Removed'
            $events.Type | Should -Be @('Net', 'Net')
            $events.Namespace.Inode | Should -Be @($netInode, $netInode)
        } finally {
            if (Test-Path "/run/netns/$uts") { umount "/run/netns/$uts" 2>$null; Remove-Item "/run/netns/$uts" }
            ip netns delete $net 2>$null
            if ($watch) { $null = Stop-Watch $watch }
        }
    }
}
