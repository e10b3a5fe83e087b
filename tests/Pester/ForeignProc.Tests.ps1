# pwsh in a PID namespace of its own whose /proc is still its parent's: what `unshare --pid --fork
# pwsh` gives without --mount-proc. There pwsh is PID 1 but /proc says otherwise, so the cmdlets
# that check their threads in /proc/self/task, or open their helper's /proc/PID, must say so; the
# others read /proc as it is there, as lsns and ip netns do.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $pwsh = Join-Path $PSHOME 'pwsh'
    $module = (Get-Module PSNamespaces).Path

    function Invoke-PwshInPidNamespace([string] $Script, [switch] $MountProc) {
        $prologue = "Import-Module '$module'; "
        $unshare = @('--pid', '--fork') + @(if ($MountProc) { '--mount-proc' })
        unshare @unshare $pwsh -NoProfile -NonInteractive -Command ($prologue + $Script)
    }
}

Describe 'A pwsh in a PID namespace whose /proc is another''s' -Tag 'Root', 'Slow' {
    It 'stops <Command> with ProcOfAnotherPidNamespace, saying what to do, and starts or makes nothing' -TestCases @(
        @{ Command = 'New-Namespace -Type Uts -FilePath true' }
        @{ Command = 'New-Namespace -Type User, Uts -Path {0}/user, {0}/uts' }
        @{ Command = 'Enter-Namespace -Pid {1} -Type Uts -FilePath true' }
        @{ Command = 'Invoke-InNamespace -Pid {1} -Type Uts {{ 1 }}' }
    ) {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "psns-foreignproc-$PID"
        $null = New-Item -ItemType Directory $dir -Force
        $line = $Command -f $dir, $PID
        $script = "try { $line -ErrorAction Stop; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.TargetObject; `$_.Exception.Message }; " +
            '@(Get-Content /proc/self/task/*/children -ErrorAction Ignore | Where-Object { $_.Trim() }).Count'
        try {
            $id, $category, $target, $message, $children = Invoke-PwshInPidNamespace $script
            $id | Should -BeLike 'ProcOfAnotherPidNamespace,PSNamespaces.Commands.*'
            $category | Should -Be 'ResourceUnavailable'
            $target | Should -Be '/proc'
            # pwsh is PID 1 in its namespace; /proc (the parent's) gives it another number.
            $message | Should -BeLike '*PID 1 in its own PID namespace but PID * in /proc*--mount-proc*'
            $children | Should -Be 0
            @(Get-ChildItem $dir) | Should -BeNullOrEmpty
        } finally {
            Get-ChildItem $dir -ErrorAction Ignore | ForEach-Object { umount $_.FullName 2>$null; Remove-Item $_.FullName }
            Remove-Item $dir -ErrorAction Ignore
        }
    }

    It 'makes a named network namespace there, as ip netns add does' {
        $name = "psns-foreignproc-$PID"
        try {
            $made = Invoke-PwshInPidNamespace "(New-Namespace -Type Net -Name $name -ErrorAction Stop).Inode"
            $made | Should -Be ([uint64](stat -L -c %i "/run/netns/$name"))
            @(ip netns list | ForEach-Object { ($_ -split ' ')[0] }) | Should -Contain $name
        } finally {
            if (Test-Path "/run/netns/$name") { ip netns delete $name }
        }
    }

    It 'reads /proc as it is there, as lsns does: Get-Namespace finds a named network namespace' {
        $name = "psns-foreignproc-$PID"
        ip netns add $name
        try {
            $seen = Invoke-PwshInPidNamespace "(Get-Namespace -Name $name -ErrorAction Stop).Inode"
            $seen | Should -Be ([uint64](stat -L -c %i "/run/netns/$name"))
        } finally {
            ip netns delete $name
        }
    }

    It 'launches and invokes as usual once the PID namespace has its own /proc (--mount-proc)' {
        $script = 'New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts -ErrorAction Stop; ' +
            'Invoke-InNamespace -Pid $PID -Type Uts { (Get-Item /proc/thread-self/ns/uts).LinkTarget } -ErrorAction Stop; readlink /proc/self/ns/uts'
        $launched, $invoked, $own = Invoke-PwshInPidNamespace $script -MountProc
        $launched | Should -Match '^uts:\[\d+\]$'
        $launched | Should -Not -Be $own
        $invoked | Should -Be $own
    }
}
