BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WatchTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SignalStorm.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ThreadHygiene.psm1') -Force
    Import-PSNamespaces

    # A named netns made by the reference tool, and what a program inside it reads for its net link.
    $netns = "psns-sig-$PID"
    ip netns add $netns
    $expectedNet = "net:[$(stat -L -c %i /run/netns/$netns)]"

    function Get-ZombieChild {
        # Children of this pwsh that have exited and are not reaped, from /proc/PID/stat (state Z).
        foreach ($stat in Get-ChildItem /proc/[0-9]*/stat -ErrorAction Ignore) {
            $text = Get-Content $stat.FullName -Raw -ErrorAction Ignore
            if ($text -and $text.Substring($text.LastIndexOf(')') + 2) -match "^Z $PID ") { $stat.Directory.Name }
        }
    }
}

AfterAll {
    ip netns delete $netns 2>$null
    Remove-SignalStorm
}

Describe 'Waits go on through signals' -Tag 'Root', 'Slow' {
    It '12 launches each with a sibling child of pwsh exiting during the wait: no error, no zombie, the program''s exit code (<Cmdlet>)' -TestCases @(
        @{ Cmdlet = 'New-Namespace' }
        @{ Cmdlet = 'Enter-Namespace' }
    ) {
        $codes = foreach ($i in 1..12) {
            # Exits 0.2 s into the program's 0.6 s: pwsh gets SIGCHLD while it waits.
            Start-Process -FilePath sleep -ArgumentList 0.2
            $program = @{ FilePath = 'sh'; ArgumentList = '-c', "sleep 0.6; exit $(10 + $i)"; ErrorAction = 'Stop' }
            if ($Cmdlet -eq 'New-Namespace') { New-Namespace -Type Net @program } else { Enter-Namespace -Name $netns @program }
            $LASTEXITCODE
        }
        $codes | Should -Be (11..22)
        @(Get-ZombieChild) | Should -BeNullOrEmpty
    }

    It 'Watch-Namespace keeps running through SIGCONT to its watcher thread, and still sees changes' {
        $watch = Start-Watch -Arguments @{ Type = 'Net' }
        try {
            $watcher = @(Find-Thread 'PSNamespaces wa*')
            $watcher.Count | Should -Be 1
            # SIGCONT, as fg sends after Ctrl+Z; 100, 10 ms apart, so that some land while the
            # watcher waits in poll (on a busy machine it is often reading process events).
            Send-ThreadSignal -ThreadId $watcher[0] -Signal (@(18) * 100) | Should -BeTrue -Because 'the watcher thread runs on'
            $name = "$netns-w"
            ip netns add $name
            try {
                $inode = [uint64](stat -L -c %i /run/netns/$name)
                $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.Namespace.Inode -eq $inode }).Count -gt 0 }
                $watch.Handle.IsCompleted | Should -BeFalse
                # Count, not the collection: enumerating a running PowerShell's stream waits for its end.
                $watch.PowerShell.Streams.Error.Count | Should -Be 0
                @($events | Where-Object { $_.Namespace.Inode -eq $inode }).ChangeType | Should -Contain 'Added'
            }
            finally {
                ip netns delete $name
            }
        }
        finally {
            $null = Stop-Watch $watch
        }
    }
}

Describe 'Every blocking call completes with its result in a signal storm' -Tag 'Root', 'Slow' {
    AfterEach {
        Assert-ThreadHygiene
    }

    It 'the launch wait (New-Namespace -FilePath) returns the exit code' {
        $out = Invoke-WithSignalStorm { New-Namespace -Type Net -FilePath sh -ArgumentList '-c', 'sleep 1; exit 7' -ErrorAction Stop; $LASTEXITCODE }
        $out[-1].SenderRan | Should -BeTrue
        $out[-1].ChildrenExited | Should -BeGreaterThan 0
        $out[0] | Should -Be 7
    }

    It 'the Enter wait (Enter-Namespace) returns the program''s output and exit code' {
        $out = Invoke-WithSignalStorm {
            Enter-Namespace -Name $netns -FilePath sh -ArgumentList '-c', 'sleep 1; readlink /proc/self/ns/net; exit 5' -ErrorAction Stop
            $LASTEXITCODE
        }
        $out[-1].SenderRan | Should -BeTrue
        $out[0..1] | Should -Be @($expectedNet, 5)
    }

    It 'Invoke-InNamespace returns what the block saw inside' {
        $out = Invoke-WithSignalStorm {
            Invoke-InNamespace -Name $netns -ErrorAction Stop { Start-Sleep -Milliseconds 500; [IO.FileInfo]::new('/proc/thread-self/ns/net').LinkTarget }
        }
        $out[-1].SenderRan | Should -BeTrue
        $out[0] | Should -Be $expectedNet
    }

    It 'Watch-Namespace sees a namespace added during the storm and stops cleanly' {
        $name = "$netns-s"
        $out = Invoke-WithSignalStorm {
            $watch = Start-Watch -Arguments @{ Type = 'Net' }
            try {
                Start-Sleep -Milliseconds 300
                ip netns add $name
                $inode = [uint64](stat -L -c %i /run/netns/$name)
                $events = Wait-WatchEvent $watch { param($e) @($e | Where-Object { $_.Namespace.Inode -eq $inode }).Count -gt 0 }
                [pscustomobject]@{
                    Completed = $watch.Handle.IsCompleted
                    Errors    = $watch.PowerShell.Streams.Error.Count
                    Changes   = @($events | Where-Object { $_.Namespace.Inode -eq $inode }).ChangeType
                }
            }
            finally {
                $null = Stop-Watch $watch
                ip netns delete $name 2>$null
            }
        }
        $out[-1].SenderRan | Should -BeTrue
        $out[0].Completed | Should -BeFalse
        $out[0].Errors | Should -Be 0
        $out[0].Changes | Should -Contain 'Added'
    }

    It 'the Get-Namespace scan lists the named netns and pwsh''s own, every time' {
        $inode = [uint64](stat -L -c %i /run/netns/$netns)
        $own = Get-NsInode $PID net
        $out = Invoke-WithSignalStorm {
            foreach ($i in 1..10) { , @((Get-Namespace -Type Net -ErrorAction Stop).Inode) }
        }
        $out[-1].SenderRan | Should -BeTrue
        $scans = $out[0..($out.Count - 2)]
        $scans.Count | Should -Be 10
        foreach ($scan in $scans) {
            $scan | Should -Contain $inode
            $scan | Should -Contain $own
        }
    }
}
