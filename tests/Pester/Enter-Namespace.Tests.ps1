BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LaunchTestHelpers.psm1') -Force
    Import-PSNamespaces
    # A target in fresh namespaces of every kind but user, made by the reference tool.
    $target = Start-TestProcess -Unshare @('--pid', '--mount-proc', '--net', '--uts', '--ipc', '--cgroup', '--time')
    $links = 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'
    # What a program sees of its own namespaces, one "link target" line each.
    $readAll = 'for n in cgroup ipc mnt net pid time user uts; do echo "$n $(readlink /proc/self/ns/$n)"; done'
}

AfterAll {
    $target | Stop-TestProcess
}

Describe 'Enter-Namespace' -Tag 'Root', 'Slow' {
    It 'sees exactly the target''s namespaces for the kinds asked (<Types>) and the caller''s for the rest, as nsenter does' -TestCases @(
        @{ Types = @('Net', 'Uts'); Flags = @('--net', '--uts') }
        @{ Types = @('Ipc', 'Cgroup', 'Time'); Flags = @('--ipc', '--cgroup', '--time') }
        # In the target's mount namespace /proc is the target's: join its PID namespace to appear there.
        @{ Types = @('Mount', 'Pid'); Flags = @('--mount', '--pid') }
    ) {
        $expected = nsenter --target $target.Pid @Flags sh -c $readAll
        $actual = Enter-Namespace -Pid $target.Pid -Type $Types -FilePath sh -ArgumentList '-c', $readAll
        $LASTEXITCODE | Should -Be 0
        $actual | Should -Be $expected
        foreach ($line in $actual) {
            $link, $id = $line -split ' '
            $kind = @{ mnt = 'Mount' }[$link] ?? $link
            $owner = if ($Types -contains $kind) { $target.Pid } else { $PID }
            $id | Should -Be (readlink "/proc/$owner/ns/$link") -Because $link
        }
    }

    It 'enters every kind in which the target differs without -Type (nsenter --all), the PID namespace through a fork' {
        $expected = nsenter --target $target.Pid --all sh -c "$readAll; echo `$`$"
        $actual = Enter-Namespace -Pid $target.Pid -FilePath sh -ArgumentList '-c', "$readAll; echo `$`$"
        # The shell's PID inside depends on how many processes the target's namespace has seen.
        $actual[0..7] | Should -Be $expected[0..7]
        $actual[-1] | Should -Match '^\d+$'
        $actual[-1] | Should -Not -Be '1'
        $actual | Should -Contain "pid $(readlink /proc/$($target.Pid)/ns/pid)"
    }

    It 'enters nsfs paths and namespace objects from the pipeline' {
        $net = readlink "/proc/$($target.Pid)/ns/net"
        Enter-Namespace -Path "/proc/$($target.Pid)/ns/net" -FilePath readlink -ArgumentList /proc/self/ns/net | Should -Be $net
        $objects = New-Namespace -Type Net, Uts -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            $seen = $objects.Namespaces | Where-Object Type -In Net, Uts | Enter-Namespace -FilePath readlink -ArgumentList /proc/self/ns/net, /proc/self/ns/uts
            $seen | Should -Be @((readlink "/proc/$($objects.Pid)/ns/net"), (readlink "/proc/$($objects.Pid)/ns/uts"))
            # By value: a property bag as remoting sends one, its identity and NsId but nothing that says where it is held, works too.
            $net = $objects.Namespaces | Where-Object Type -EQ Net
            $copy = [pscustomobject]@{ Type = 'Net'; Inode = $net.Inode; Device = $net.Device; NsId = $net.NsId }
            $copy.PSObject.TypeNames.Insert(0, 'Deserialized.PSNamespaces.Namespace')
            $copy | Enter-Namespace -FilePath readlink -ArgumentList /proc/self/ns/net | Should -Be $seen[0]
        } finally {
            $objects.Kill(); $null = $objects.WaitForExit(10000)
        }
    }

    It 'does what ip netns exec does for -Name: /etc/netns/NAME bound over /etc, a fresh /sys, nothing left in the caller''s mounts' {
        $name = "psns-i5-$PID"
        $etc = "/etc/netns/$name"
        ip netns add $name
        $null = New-Item -ItemType Directory -Path $etc -Force
        try {
            $file = (Get-ChildItem /etc -File | Where-Object { $_.LinkType -eq $null } | Select-Object -First 1).Name
            Set-Content "$etc/$file" "psns-i5 $name"
            $mounts = @(Get-MountSignature)
            $script = "ls /sys/class/net; cat /etc/$file; readlink /proc/self/ns/net"
            $expected = ip netns exec $name sh -c $script
            $expected | Should -Contain "psns-i5 $name"
            Enter-Namespace -Name $name -FilePath sh -ArgumentList '-c', $script | Should -Be $expected
            @(Get-MountSignature) | Should -Be $mounts
        } finally {
            Remove-Item $etc -Recurse -Force
            if (-not (Get-ChildItem /etc/netns -ErrorAction Ignore)) { Remove-Item /etc/netns -ErrorAction Ignore }
            ip netns delete $name
        }
    }

    It 'sets the root and working directory inside the entered namespaces' {
        Enter-Namespace -Pid $target.Pid -Type Mount -WorkingDirectory /tmp -FilePath pwd | Should -Be '/tmp'
        Enter-Namespace -Pid $target.Pid -Type Mount -FilePath pwd | Should -Be '/'
        Push-Location /usr
        try { Enter-Namespace -Pid $target.Pid -Type Net -FilePath pwd | Should -Be '/usr' } finally { Pop-Location }
        Enter-Namespace -Pid $target.Pid -Type Mount -Root /usr -FilePath /bin/ls -ArgumentList / -ErrorAction SilentlyContinue | Should -Contain 'share'
    }

    It 'enters a user namespace as uid 0 by default and keeps credentials with -PreserveCredentials' {
        $owner = New-Namespace -Type User, Net -MapRootUser -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            $expected = nsenter --target $owner.Pid --user --net id -u
            Enter-Namespace -Pid $owner.Pid -Type User, Net -FilePath id -ArgumentList '-u' | Should -Be $expected
            $expected = nsenter --target $owner.Pid --user --preserve-credentials id -u
            Enter-Namespace -Pid $owner.Pid -Type User -PreserveCredentials -FilePath id -ArgumentList '-u' | Should -Be $expected
        } finally {
            $owner.Kill(); $null = $owner.WaitForExit(10000)
        }
    }

    It 'returns the program''s exit code and gives it only descriptors 0, 1 and 2' {
        $null = Enter-Namespace -Pid $target.Pid -Type Net -FilePath sh -ArgumentList '-c', 'exit 7'
        $LASTEXITCODE | Should -Be 7
        Enter-Namespace -Pid $target.Pid -Type Net, Uts -FilePath sh -ArgumentList '-c', 'ls /proc/$$/fd' | Should -Be @('0', '1', '2')
        $p = Enter-Namespace -Pid $target.Pid -Type Net -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            Get-SettledDescriptor $p.Pid | Should -Be @('0', '1', '2')
            ($p.Namespaces | Where-Object Type -EQ Net).Inode | Should -Be (Get-NsInode $target.Pid net)
        } finally {
            $p.Kill(); $null = $p.WaitForExit(10000)
        }
        $p.ExitCode | Should -Be 137
    }

    It 'starts an interactive shell without -FilePath ($SHELL)' {
        $saved = $env:SHELL
        $env:SHELL = '/bin/sh'
        try {
            # Fed by a pipe instead of a terminal, the shell reads its commands from stdin.
            $out = 'readlink /proc/self/ns/net' | & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$env:PSNS_MODULE'; Enter-Namespace -Pid $($target.Pid) -Type Net"
        } finally {
            $env:SHELL = $saved
        }
        $out | Should -Contain (readlink "/proc/$($target.Pid)/ns/net")
    }

    It 'starts this pwsh with the module imported when $SHELL is unset' {
        $saved = $env:SHELL
        # CI may start this session without SHELL at all.
        Remove-Item Env:SHELL -ErrorAction Ignore
        try {
            # The shell it starts reads its commands from the pipe; the module is the one this
            # session imported (its manifest, not the assembly's folder, runtimes/RID/).
            $out = '(Get-Module PSNamespaces).Path; readlink /proc/self/ns/net; exit' |
                & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$env:PSNS_MODULE'; Enter-Namespace -Pid $($target.Pid) -Type Net"
        } finally {
            $env:SHELL = $saved
        }
        # pwsh's console host writes terminal modes (ESC [ ? 1 h / l) around its prompt.
        $lines = @($out | ForEach-Object { $_ -replace '\x1b\[[0-9;?]*[A-Za-z]', '' })
        $lines | Should -Contain (Join-Path (Get-Module PSNamespaces).ModuleBase 'PSNamespaces.psd1')
        $lines | Should -Contain (readlink "/proc/$($target.Pid)/ns/net")
    }

    It 'runs the program once for each PID given, positionally too, as nsenter -t does for each' {
        $other = Start-TestProcess -Unshare @('--uts')
        try {
            $expected = @($target.Pid, $other.Pid | ForEach-Object { nsenter --target $_ --uts readlink /proc/self/ns/uts })
            $expected[0] | Should -Not -Be $expected[1]
            @(Enter-Namespace $target.Pid, $other.Pid -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts) | Should -Be $expected
        } finally {
            $other | Stop-TestProcess
        }
    }

    It 'gives ObjectNotFound for a PID that does not exist' {
        Enter-Namespace -Pid 999999999 -FilePath true -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 999999999
    }

    It 'gives ObjectNotFound for a netns name that does not exist, and InvalidArgument for a path that is no namespace' {
        Enter-Namespace -Name psns-i5-no-such-netns -FilePath true -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Enter-Namespace -Path /etc/hostname -FilePath true -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'NotANamespace,*'
    }

    It 'gives InvalidWildcardPattern for a -Name that is not a wildcard pattern, while names are there to compare it with' {
        $name = "psns-i5w-$PID"
        ip netns add $name
        try {
            Enter-Namespace -Name 'psns-i5w-[' -FilePath true -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,PSNamespaces.Commands.EnterNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'psns-i5w-['
        } finally {
            ip netns delete $name
        }
    }

    It 'names a missing program and returns 127' {
        Enter-Namespace -Pid $target.Pid -Type Net -FilePath psns-no-such-program -ErrorVariable err -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 127
        $err[0].Exception.Message | Should -Match 'psns-no-such-program'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'writes the plan to -Verbose as one line before it runs, with the namespace the helper checks' {
        $uts = readlink "/proc/$($target.Pid)/ns/uts"
        $records = Enter-Namespace -Pid $target.Pid -Type Uts -FilePath hostname -Verbose 4>&1
        $LASTEXITCODE | Should -Be 0
        $plans = @($records | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'nsexec:*' })
        $plans.Count | Should -Be 1
        $p = $target.Pid
        $plans[0].Message | Should -Be "nsexec: chdir $((Get-Location).ProviderPath); pidfd $p; open /proc/$p/ns/uts = $uts; check $p alive; nodump; setns $p uts; exec hostname"
    }

    It 'leaves every thread of pwsh in its original namespaces' {
        $null = Enter-Namespace -Pid $target.Pid -FilePath true
        $null = New-Namespace -Type Net, Pid, Mount, User, Time -MapRootUser -MountProc -FilePath true
        $own = @($links | ForEach-Object { readlink "/proc/$PID/ns/$_" })
        foreach ($task in Get-ChildItem "/proc/$PID/task") {
            # An earlier file's Invoke-InNamespace worker may have started one of these inside a namespace.
            if (Test-SelfEndingRuntimeThread (Get-Content "$($task.FullName)/comm" -ErrorAction Ignore)) { continue }
            $now = @($links | ForEach-Object { readlink "$($task.FullName)/ns/$_" 2>$null })
            # A short-lived runtime thread may end between the listing and the readlink.
            if ($now.Count -eq $links.Count) { $now | Should -Be $own -Because "thread $($task.Name)" }
        }
    }
}

Describe 'Enter-Namespace -Pid on a process that is exiting' -Tag 'Root', 'Slow' {
    It 'says ProcessNotFound, never a raw error, whenever the process dies during the call (300 races)' {
        # An exiting process loses its namespaces (its /proc/PID/ns entries give ENOENT) before
        # its /proc entry and its pidfd go: dying between pwsh's open and the helper's gave
        # "open(net:[...]): ENOENT" in about 1 of 50 calls here. The targets are children of one
        # bash, not of pwsh, so their SIGCHLD does not interrupt the module's waits.
        $psi = [Diagnostics.ProcessStartInfo]::new('bash')
        # wait: bash outlives every sleep it started, so none is left to be adopted by the suite's subreaper.
        foreach ($a in '-c', 'while read d; do sleep $d & echo $!; done; wait') { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $spawner = [Diagnostics.Process]::Start($psi)
        $seen = @{}
        try {
            for ($i = 0; $i -lt 300; $i++) {
                # Lifetimes spread over about as long as a call takes.
                $spawner.StandardInput.WriteLine(('{0:0.000}' -f ((Get-Random -Maximum 30) / 1000)))
                $spawner.StandardInput.Flush()
                $target = [int]$spawner.StandardOutput.ReadLine()
                $null = Enter-Namespace -Pid $target -Type Net -FilePath true -ErrorVariable err -ErrorAction SilentlyContinue
                foreach ($e in $err) {
                    $seen[$e.FullyQualifiedErrorId] = 1 + $seen[$e.FullyQualifiedErrorId]
                    if ($e.FullyQualifiedErrorId -like 'ProcessNotFound,*') { $e.CategoryInfo.Category | Should -Be 'ObjectNotFound' }
                }
            }
        } finally {
            $spawner.StandardInput.Close()
            $spawner.WaitForExit()
        }
        @($seen.Keys | Where-Object { $_ -notlike 'ProcessNotFound,*' }) | Should -BeNullOrEmpty -Because "errors seen: $(($seen.GetEnumerator() | ForEach-Object { "$($_.Key) x$($_.Value)" }) -join '; ')"
        # The races happened: some calls lost theirs.
        $seen.Count | Should -BeGreaterThan 0
    }
}
