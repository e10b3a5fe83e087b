# The exec helper (src/PSNamespaces/Native/nsexec.c) and its protocol with the C# side.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    # The build makes the arm64 helper only where the cross compiler is (build.ps1).
    $noArm64Helper = Test-DependencySkip -Name aarch64-linux-gnu-gcc, libc6-dev-arm64-cross -For 'The arm64 exec helper''s tests'
    $noQemu = Test-DependencySkip -Name qemu-aarch64-static -For 'Running the arm64 exec helper'
    $noFile = Test-DependencySkip -Name file -For 'Reading how the exec helper is linked'
    # vm.memfd_noexec (Linux 6.3+) is how the tests take executable memfds away.
    $noMemfdNoexec = -not (Test-Path /proc/sys/vm/memfd_noexec)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $assembly = [PSNamespaces.Namespace].Assembly
    $flags = [Reflection.BindingFlags]'NonPublic,Public,Instance,Static'

    function Assert-ShippedHelper([string] $Rid, [int] $Machine) {
        $helper = Join-Path (Get-Module PSNamespaces).ModuleBase "runtimes/$Rid/nsexec"
        $bytes = [IO.File]::ReadAllBytes($helper)
        # ELF magic, 64-bit, little-endian; e_machine is the 16-bit word at offset 18.
        $bytes[0..3] | Should -Be @(0x7f, 0x45, 0x4c, 0x46)
        $bytes[4] | Should -Be 2
        $bytes[5] | Should -Be 1
        [BitConverter]::ToUInt16($bytes, 18) | Should -Be $Machine
        # No program interpreter (PT_INTERP): it runs on any C library of that machine.
        (file -b $helper) | Should -Match 'statically linked'
        # The build id the module checks before running it: the SHA-256 of the source it was built from.
        $source = Join-Path $PSScriptRoot '../../src/PSNamespaces/Native/nsexec.c'
        $id = (sha256sum $source) -replace '\s.*$', ''
        [Text.Encoding]::ASCII.GetString($bytes).Contains("PSNamespaces-nsexec-build-id:$id`0") | Should -BeTrue
        Test-Path (Join-Path (Get-Module PSNamespaces).ModuleBase "runtimes/$Rid/Tmds.LibC.dll") | Should -BeTrue
    }
}

Describe 'The exec helper' -Tag 'Root' {
    It 'ships for <Rid> as a whole static ELF program of machine <Machine>' -Skip:$noFile -TestCases @(
        @{ Rid = 'linux-x64'; Machine = 62 }
    ) {
        Assert-ShippedHelper $Rid $Machine
    }

    It 'ships for <Rid> as a whole static ELF program of machine <Machine>' -Skip:($noFile -or $noArm64Helper) -TestCases @(
        @{ Rid = 'linux-arm64'; Machine = 183 }
    ) {
        Assert-ShippedHelper $Rid $Machine
    }

    It 'runs on aarch64 (under qemu-aarch64-static) a plan that unshares and ends in exec' -Skip:($noArm64Helper -or $noQemu) {
        $helper = Join-Path (Get-Module PSNamespaces).ModuleBase 'runtimes/linux-arm64/nsexec'
        $qemu = (Get-Command qemu-aarch64-static -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        # The helper wants its report socket on fd 3 (here /dev/null: its reports go nowhere).
        # CLONE_NEWUTS = 0x04000000; the program (this machine's readlink) is exec'd by the emulated helper.
        $seen = sh -c 'exec "$@" 3</dev/null' sh $qemu $helper unshare 67108864 exec readlink 2 readlink /proc/self/ns/uts
        $LASTEXITCODE | Should -Be 0
        $seen | Should -Match '^uts:\[\d+\]$'
        $seen | Should -Not -Be (readlink /proc/self/ns/uts)
        # A failing step (setns on an empty slot): the helper exits 125.
        sh -c 'exec "$@" 3</dev/null' sh $qemu $helper setns 15 0
        $LASTEXITCODE | Should -Be 125
    }

    It 'is run from a sealed in-memory copy: the shipped file needs no execute bit, and the program gets only 0, 1, 2' {
        $helper = Join-Path (Get-Module PSNamespaces).ModuleBase "runtimes/linux-x64/nsexec"
        (Get-Item $helper).UnixMode | Should -Match '^-'
        $out = New-Namespace -Type Uts -FilePath sh -ArgumentList '-c', 'ls /proc/self/fd; cat /proc/$PPID/comm 2>/dev/null; true'
        $LASTEXITCODE | Should -Be 0
        # ls's own directory descriptor is the 4th: nothing of pwsh's (the memfd included) came along.
        @($out | Where-Object { $_ -match '^\d+$' }).Count | Should -Be 4
    }
    It 'shows ps and lsns a short command line, as unshare''s reads, not its step list' {
        $box = New-Namespace -Type Pid, Net, Mount -MountProc -KillChild -FilePath sh -ArgumentList '-c', 'sleep 600' -NoWait -PassThru
        try {
            # The helper forked (a new PID namespace needs a child): it waits as the box's parent.
            $helperPid = [int]((Get-Content "/proc/$($box.Pid)/stat" -Raw) -replace '^.*\) \S+ (\d+) .*$', '$1')
            (Get-Content "/proc/$helperPid/comm") | Should -Be 'nsexec'
            $expected = 'nsexec unshare mnt,pid,net -- sh -c sleep 600'
            (ps -o args= -p $helperPid) | Should -Be $expected
            [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes("/proc/$helperPid/cmdline")) | Should -Be "$expected`0"
            $lsns = (lsns -J -t net -o PID,COMMAND | ConvertFrom-Json).namespaces | Where-Object pid -EQ $helperPid
            $lsns.command | Should -Be $expected
        } finally {
            $box.Kill()
            $null = $box.WaitForExit(10000)
        }
    }

    It 'reports the kinds C# reads, as the C source defines them' {
        $c = Get-Content (Join-Path $PSScriptRoot '../../src/PSNamespaces/Native/nsexec.c') -Raw
        $c -match 'enum report_kind \{([^}]*)\}' | Should -BeTrue
        $kinds = $assembly.GetType('PSNamespaces.Core.Launch.HelperReportKind')
        $entries = @($Matches[1] -split ',' | Where-Object { $_.Trim() })
        $entries.Count | Should -Be ([Enum]::GetValues($kinds).Count)
        foreach ($entry in $entries) {
            $name, $value = $entry -split '=' | ForEach-Object Trim
            $csharp = @{ REPORT_FAILED = 'Failed'; REPORT_SYNC = 'Sync'; REPORT_CHILD = 'Child' }[$name]
            [int][Enum]::Parse($kinds, $csharp) | Should -Be ([int]$value) -Because $name
        }
    }

    It 'holds a new user namespace while pwsh works in a sync step, then ends (for persisting one)' {
        $planType = $assembly.GetType('PSNamespaces.Core.Plans.LaunchPlan')
        $plan = [Activator]::CreateInstance($planType, $true)
        $null = $planType.GetMethod('Unshare', $flags).Invoke($plan, @([int]0x10000000, 'user'))
        $seen = @{}
        $syncWork = $assembly.GetType('PSNamespaces.Core.Plans.SyncWork')
        $work = {
            param($what, $helperPid)
            $seen.User = readlink "/proc/$helperPid/ns/user"
            Set-Content "/proc/$helperPid/uid_map" '0 0 1' -NoNewline
            $seen.Map = (Get-Content "/proc/$helperPid/uid_map") -replace '\s+', ' '
        }
        $onSync = [Management.Automation.LanguagePrimitives]::ConvertTo($work, [Action`2].MakeGenericType($syncWork, [int]))
        $null = $planType.GetMethod('Sync', $flags).Invoke($plan, @([Enum]::Parse($syncWork, 'OpenNamespaces'), 'bind', 'bind the user namespace', $null))
        $run = $assembly.GetType('PSNamespaces.Core.Launch.HelperProcess').GetMethod('RunToEnd', $flags)
        $run.Invoke($null, @($plan, $onSync)) | Should -Be 0
        $seen.User | Should -Match '^user:\[\d+\]$'
        $seen.User | Should -Not -Be (readlink /proc/self/ns/user)
        $seen.Map.Trim() | Should -Be '0 0 1'
    }
}

Describe 'A broken exec helper file' -Tag 'Root', 'Slow' {
    BeforeAll {
        $copy = Join-Path ([IO.Path]::GetTempPath()) "psns-helper-$PID"
        $null = New-Item -ItemType Directory $copy
        Copy-Item -Recurse (Get-Module PSNamespaces).ModuleBase $copy
        $helper = Join-Path $copy 'PSNamespaces/runtimes/linux-x64/nsexec'
        $good = [IO.File]::ReadAllBytes($helper)
        $pwsh = Join-Path $PSHOME 'pwsh'

        function Assert-BrokenHelper([string] $Case, [string] $Id, [string] $Category, [string] $Says, [switch] $NoExecutableMemfd) {
            switch ($Case) {
                'missing' { Remove-Item $helper -ErrorAction Ignore }
                'a directory' { Remove-Item $helper; $null = New-Item -ItemType Directory $helper }
                'a FIFO' { Remove-Item $helper; mkfifo $helper }
                'not executable' { chmod a-x $helper }
                'truncated' { [IO.File]::WriteAllBytes($helper, $good[0..($good.Length - 1000)]) }
                'a script' { Set-Content $helper "#!/bin/sh`nexit 0" }
                # Any program of this machine would "run" every plan by doing nothing and exiting 0.
                'another program' { Copy-Item /bin/true $helper -Force }
                'another build''s' {
                    $bytes = $good.Clone()
                    $at = [Text.Encoding]::ASCII.GetString($bytes).IndexOf('PSNamespaces-nsexec-build-id:') + 'PSNamespaces-nsexec-build-id:'.Length
                    $bytes[$at] = if ($bytes[$at] -eq [byte][char]'0') { [byte][char]'1' } else { [byte][char]'0' }
                    [IO.File]::WriteAllBytes($helper, $bytes)
                }
                # e_phoff (offset 32) so large that adding the program headers' size wraps around.
                'given a huge e_phoff' {
                    $bytes = $good.Clone()
                    [BitConverter]::GetBytes([uint64]::MaxValue - 16).CopyTo($bytes, 32)
                    [IO.File]::WriteAllBytes($helper, $bytes)
                }
                # The first program header's p_offset (8) and p_filesz (32) add up past 2^64.
                'given a segment past 2^64' {
                    $bytes = $good.Clone()
                    $phoff = [BitConverter]::ToUInt64($bytes, 32)
                    [BitConverter]::GetBytes([uint64]16).CopyTo($bytes, $phoff + 8)
                    [BitConverter]::GetBytes([uint64]::MaxValue - 8).CopyTo($bytes, $phoff + 32)
                    [IO.File]::WriteAllBytes($helper, $bytes)
                }
                default { Copy-Item (Join-Path $copy 'PSNamespaces/runtimes/linux-arm64/nsexec') $helper -Force }
            }
            try {
                # A fresh pwsh: the helper is read once per session.
                $script = "Import-Module '$copy/PSNamespaces'; New-Namespace -Type Uts -FilePath true -ErrorVariable e -ErrorAction SilentlyContinue; " +
                    '$e[0].FullyQualifiedErrorId; $e[0].CategoryInfo.Category; $e[0].Exception.Message; @(Get-Content /proc/$PID/task/*/children -ErrorAction Ignore | Where-Object { $_.Trim() }).Count'
                $seenId, $seenCategory, $message, $children = Invoke-FreshPwsh $script -NoExecutableMemfd:$NoExecutableMemfd
                $seenId | Should -Be "$Id,PSNamespaces.Commands.NewNamespaceCommand"
                $seenCategory | Should -Be $Category
                $message | Should -BeLike "*'$helper' $Says*"
                $message | Should -Not -Match 'uid_map|id map|CAP_SETUID'
                $children | Should -Be 0
            } finally {
                Remove-Item $helper -Recurse -Force -ErrorAction Ignore
                [IO.File]::WriteAllBytes($helper, $good)
                chmod 755 $helper
            }
        }

        function Invoke-FreshPwsh([string] $Script, [switch] $NoExecutableMemfd) {
            if (-not $NoExecutableMemfd) {
                # Bounded: a helper path that blocks (a FIFO) must fail the test, not hang the suite.
                return timeout 120 $pwsh -NoProfile -NonInteractive -Command $Script
            }
            # vm.memfd_noexec = 2 refuses executable memfds; the setting is per PID namespace
            # (Linux 6.3+), so only this pwsh's kernel lacks them. The module must run the file.
            # The namespace gets its own /proc, where the module finds its threads by their PIDs.
            timeout 120 unshare --pid --fork --mount-proc sh -c 'echo 2 > /proc/sys/vm/memfd_noexec && exec "$@"' sh $pwsh -NoProfile -NonInteractive -Command $Script
        }
    }

    AfterAll {
        Remove-Item $copy -Recurse -Force -ErrorAction Ignore
    }

    It 'gives <Id> naming the file when it is <Case>, and leaves nothing running' -TestCases @(
        @{ Case = 'missing'; Id = 'nsexec,ENOENT'; Category = 'NotInstalled'; Says = 'is missing' }
        @{ Case = 'truncated'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is truncated' }
        @{ Case = 'a script'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is not an ELF program' }
        @{ Case = 'another program'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is not the exec helper of PSNamespaces*no helper build id' }
        @{ Case = 'another build''s'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is the exec helper of another build of PSNamespaces*' }
        @{ Case = 'given a huge e_phoff'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is truncated' }
        @{ Case = 'given a segment past 2^64'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is truncated' }
    ) {
        Assert-BrokenHelper $Case $Id $Category $Says
    }

    It 'gives <Id> naming the file when it is <Case>, and leaves nothing running' -TestCases @(
        @{ Case = 'a directory'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is not a regular file' }
        # Opened as it was, a FIFO with no writer would hang the session in open(2).
        @{ Case = 'a FIFO'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is not a regular file' }
    ) {
        Assert-BrokenHelper $Case $Id $Category $Says
    }

    It 'gives <Id> naming the file when it is <Case> on a kernel without executable memfds, and leaves nothing running' -Skip:$noMemfdNoexec -TestCases @(
        @{ Case = 'not executable'; Id = 'nsexec,EACCES'; Category = 'PermissionDenied'; Says = 'is not executable, and this kernel gives no executable memfd*chmod +x*' }
        @{ Case = 'another program'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is not the exec helper of PSNamespaces*no helper build id' }
        @{ Case = 'truncated'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is truncated' }
    ) {
        Assert-BrokenHelper $Case $Id $Category $Says -NoExecutableMemfd
    }

    It 'runs the shipped file itself, checked, on a kernel without executable memfds' -Skip:$noMemfdNoexec {
        chmod 755 $helper
        # A new PID namespace needs a child, so the helper forks and waits as the program's parent:
        # its /proc/PID/exe says what the kernel ran.
        $script = "Import-Module '$copy/PSNamespaces'" + @'

$box = New-Namespace -Type Pid -KillChild -FilePath sleep -ArgumentList 60 -NoWait -PassThru -ErrorAction Stop
try {
    $helperPid = [int]((Get-Content "/proc/$($box.Pid)/stat" -Raw) -replace '^.*\) \S+ (\d+) .*$', '$1')
    readlink "/proc/$helperPid/exe"
    readlink "/proc/$($box.Pid)/ns/pid"
} finally {
    $box.Kill()
    $null = $box.WaitForExit(10000)
}
readlink /proc/self/ns/pid
'@
        $ran, $inside, $outside = Invoke-FreshPwsh $script -NoExecutableMemfd
        $ran | Should -Be $helper
        $inside | Should -Match '^pid:\[\d+\]$'
        $inside | Should -Not -Be $outside
        # With executable memfds, the same launch runs the sealed copy, not the file.
        $ran, $null, $null = Invoke-FreshPwsh $script
        $ran | Should -BeLike '/memfd:nsexec*'
    }

    It 'gives <Id> naming the file when it is <Case>, and leaves nothing running' -Skip:$noArm64Helper -TestCases @(
        @{ Case = 'another machine''s'; Id = 'nsexec,ENOEXEC'; Category = 'InvalidData'; Says = 'is built for aarch64' }
    ) {
        Assert-BrokenHelper $Case $Id $Category $Says
    }
}
