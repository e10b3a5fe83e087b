<#
    The reference tools' remaining options (issue 13, item 3), each cross-checked against the tool.
#>
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

Describe 'New-Namespace -KillChildSignal (unshare --kill-child=SIGNAL)' {
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
