<#
    The reference tools' remaining options (issue 13, item 3), each cross-checked against the tool.
#>
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noNewuidmap = Test-DependencySkip -Name newuidmap -For 'The -MapAuto comparisons with unshare --map-auto'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LaunchTestHelpers.psm1') -Force
    Import-PSNamespaces
    $dir = "/tmp/psns-i13-opt-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    $module = (Get-Module PSNamespaces).Path

    function Wait-TrapReady([string] $Marker) {
        <# The sh whose command line holds the marker, once its trap is set (its SigCgt has a bit). #>
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            foreach ($p in (pgrep -f $Marker)) {
                $caught = (Get-Content "/proc/$p/status" -ErrorAction Ignore) -match '^SigCgt:\s+0*[1-9a-f]'
                if ((Get-Content "/proc/$p/comm" -ErrorAction Ignore) -eq 'sh' -and $caught) { return [int]$p }
            }
            Start-Sleep -Milliseconds 50
        }
        throw "no sh with a trap for $Marker"
    }
}

AfterAll {
    Remove-Item $dir -Recurse -Force -ErrorAction Ignore
}

Describe 'New-Namespace -KillChildSignal (unshare --kill-child=SIGNAL)' -Tag 'Root' {
    It 'sends the signal to the program when pwsh dies, as unshare --kill-child=SIGUSR1 does' {
        $results = foreach ($tool in 'unshare', 'module') {
            $file = "$dir/$tool"
            $marker = "psns-killchild-$tool-$PID"
            $script = "trap 'echo USR1 > $file; exit 0' USR1; while :; do sleep 0.1; done # $marker"
            $parent = if ($tool -eq 'unshare') {
                Start-NativeProcess unshare '--fork', '--pid', '--kill-child=SIGUSR1', 'sh', '-c', $script
            } else {
                $command = "Import-Module '$module'; New-Namespace -Type Pid -KillChildSignal SIGUSR1 -FilePath sh -ArgumentList '-c', `"$script`" -NoWait | Out-Null; Start-Sleep 1000"
                Start-NativeProcess (Join-Path $PSHOME 'pwsh') '-NoProfile', '-NonInteractive', '-Command', $command
            }
            try {
                $child = Wait-TrapReady $marker
                # unshare itself, or the module's exec helper (a child of the inner pwsh).
                $waiter = [int](Get-StatusField $child PPid)
                $parent.Kill()
                $parent.WaitForExit()
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Test-Path $file) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                "$tool=$(Get-Content $file -ErrorAction Ignore)"
                # It ends on the signal; orphaned, it is this pwsh's (a subreaper) to reap.
                Wait-ProcessGone $child | Should -BeTrue -Because "the $tool program ends on the signal"
                Receive-Orphan $child
                if ($waiter -ne $parent.Id) { Receive-Orphan $waiter }
            } finally {
                if (-not $parent.HasExited) { $parent.Kill(); $parent.WaitForExit() }
                foreach ($p in (pgrep -f $marker)) { kill -KILL $p 2>$null }
            }
        }
        $results | Should -Be @('unshare=USR1', 'module=USR1')
    }

    It 'refuses a name that is no signal' {
        $e = { New-Namespace -Type Pid -KillChildSignal SIGNOPE -FilePath true -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidSignal,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'arms <Text> as the program''s parent-death signal, the number bash''s kill -l gives' -TestCases @(
        @{ Text = 'SIGTERM' }, @{ Text = 'term' }, @{ Text = '10' }, @{ Text = 'SIGUSR2' }
    ) {
        $expected = if ($Text -match '^\d+$') { [int]$Text } else { [int](bash -c "kill -l $($Text -replace '^(?i)sig', '')") }
        # PR_GET_PDEATHSIG (2) through prctl's system call number: 157 on x86_64, 167 on arm64.
        $nr = if ((uname -m) -eq 'aarch64') { 167 } else { 157 }
        $perl = "my `$s = pack('i', 0); syscall($nr, 2, `$s) == 0 or die; print unpack('i', `$s)"
        $out = New-Namespace -Type Pid -KillChildSignal $Text -FilePath perl -ArgumentList '-e', $perl
        $out | Should -Be "$expected"
        # And the default of -KillChild is SIGKILL.
        New-Namespace -Type Pid -KillChild -FilePath perl -ArgumentList '-e', $perl | Should -Be '9'
    }
}

Describe 'New-Namespace -MapAuto, -UidMap auto, -GidMap auto (unshare --map-auto, --map-users=auto, --map-groups=auto)' -Tag 'Root' -Skip:$noNewuidmap {
    BeforeAll {
        # Test entries for root, by name and by number (both forms are valid). cp -p keeps a copy
        # with its mode and times, and puts the file back exactly as it was.
        $saved = @{}
        foreach ($f in '/etc/subuid', '/etc/subgid') {
            $copy = Join-Path $dir (Split-Path -Leaf $f)
            $saved[$f] = if (Test-Path $f) { cp -p $f $copy; $copy } else { $null }
        }
        function Set-SubIds([string] $Uid, [string] $Gid) {
            foreach ($pair in @(@('/etc/subuid', $Uid), @('/etc/subgid', $Gid))) {
                $original = if ($saved[$pair[0]]) { Get-Content -Raw $saved[$pair[0]] } else { '' }
                [IO.File]::WriteAllText($pair[0], "$original" + $pair[1])
            }
        }
        function Get-Maps([string[]] $Lines) { @($Lines | ForEach-Object { ("$_".Trim() -split '\s+') -join ' ' }) }
    }

    AfterAll {
        foreach ($f in $saved.Keys) {
            if ($saved[$f]) { cp -p $saved[$f] $f; Remove-Item $saved[$f] } else { Remove-Item $f -ErrorAction Ignore }
        }
    }

    It 'maps the first subordinate ranges from id 0, as unshare --map-auto' {
        # (No line for another user first: unshare 2.38 reads any name as uid 0, which is root's.)
        Set-SubIds "root:300000:65536`nroot:900000:10`n" "0:400000:1000`n"
        $ours = Get-Maps (New-Namespace -Type User -MapAuto -FilePath cat -ArgumentList /proc/self/uid_map, /proc/self/gid_map)
        $theirs = Get-Maps (unshare --user --map-auto cat /proc/self/uid_map /proc/self/gid_map)
        $LASTEXITCODE | Should -Be 0
        $ours | Should -Be $theirs
        $ours | Should -Be @('0 300000 65536', '0 400000 1000')
    }

    It 'maps one side with -UidMap auto and -GidMap auto, as --map-users=auto and --map-groups=auto' {
        Set-SubIds "root:310000:100`n" "root:410000:200`n"
        $ours = Get-Maps (New-Namespace -Type User -UidMap auto -GidMap auto -FilePath cat -ArgumentList /proc/self/uid_map, /proc/self/gid_map)
        $theirs = Get-Maps (unshare --user --map-users=auto --map-groups=auto cat /proc/self/uid_map /proc/self/gid_map)
        $ours | Should -Be $theirs
        $ours | Should -Be @('0 310000 100', '0 410000 200')
    }

    It 'says the user has no range when no line names it, as unshare refuses' {
        Set-SubIds "other:100000:5`n" "other:100000:5`n"
        unshare --user --map-auto true 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        $e = { New-Namespace -Type User -MapAuto -FilePath true -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'NoSubordinateIds,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be '/etc/subuid'
    }

    It 'refuses -MapAuto with another uid map' {
        $e = { New-Namespace -Type User -MapAuto -MapRootUser -FilePath true -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ConflictingIdMaps,*'
    }
}
