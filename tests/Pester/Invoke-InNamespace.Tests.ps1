BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ThreadHygiene.psm1') -Force
    Import-PSNamespaces
    $modulePath = (Get-Module PSNamespaces).Path
    function Get-BareNamespace($Namespace) {
        # Its identity and NsId, with nothing that says where it is held: the hints are read by property name.
        foreach ($hint in 'NsfsPaths', 'Name', 'Pid') { $Namespace | Add-Member -Force -NotePropertyName $hint -NotePropertyValue $null }
        $Namespace
    }

    # A target in fresh net, uts, ipc, mount and pid namespaces, with things only it has: a veth
    # pair, a hostname, and a file on a tmpfs mounted in its mount namespace alone.
    $hostName = "psns-i6-$PID"
    $mountDir = "/tmp/psns-i6-mnt-$PID"
    $null = New-Item -ItemType Directory -Path $mountDir -Force
    $secret = "only in the target mount namespace $PID"
    $setup = "hostname $hostName && ip link add psns-i6-v0 type veth peer name psns-i6-v1 && " +
        "mount -t tmpfs psns-i6 $mountDir && echo '$secret' > $mountDir/secret && exec sleep 1000"
    $target = Start-TestProcess -Unshare @('--net', '--uts', '--ipc', '--mount', '--propagation', 'private', '--pid', '--mount-proc') -Command @('bash', '-c', $setup) -Name sleep
    $targetPid = $target.Pid

    function Get-LinkName {
        # Interface names as `ip -o link` prints them ("2: psns-i6-v1@psns-i6-v0: <...") without the peer.
        param([string[]] $Lines)
        @($Lines | ForEach-Object { (($_ -split ': ')[1] -split '@')[0] } | Sort-Object)
    }

    function Get-ThreadState {
        # Every thread of this pwsh: the namespace workers, the other threads not in the main
        # thread's namespaces, and the thread and descriptor counts.
        $self = [Environment]::ProcessId
        $names = 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'
        $main = @(foreach ($n in $names) { [IO.FileInfo]::new("/proc/$self/task/$self/ns/$n").LinkTarget })
        $workers = 0
        $threads = 0
        $strays = foreach ($task in [IO.Directory]::GetDirectories("/proc/$self/task")) {
            $comm = (Get-Content "$task/comm" -ErrorAction Ignore)
            if (Test-SelfEndingRuntimeThread $comm) { continue }
            $threads++
            # comm keeps 15 bytes of the thread name "PSNamespaces worker"; other module threads
            # (the launch spawner, waiters) are not workers and live on by design.
            if ($comm -like 'PSNamespaces wo*') { $workers++; continue }
            $ns = @(foreach ($n in $names) { [IO.FileInfo]::new("$task/ns/$n").LinkTarget })
            if ($ns[0] -and "$ns" -ne "$main") { "$(Split-Path -Leaf $task) $comm" }
        }
        [pscustomobject]@{
            Threads = $threads
            Fds     = (Get-OpenDescriptor).Count
            Strays  = @($strays)
            Workers = $workers
        }
    }

    function Assert-SessionUnchanged {
        # No thread left in another namespace, no new worker, no new descriptor.
        param([Parameter(Mandatory)] $Before)
        $deadline = [DateTime]::UtcNow.AddSeconds(40)
        do {
            $after = Get-ThreadState
            if ($after.Strays.Count -eq 0) { break }
            Start-Sleep -Milliseconds 200
        } while ([DateTime]::UtcNow -lt $deadline)
        $after.Strays | Should -BeNullOrEmpty
        $after.Workers | Should -BeLessOrEqual $Before.Workers
        $after.Fds | Should -BeLessOrEqual $Before.Fds
    }

    function Wait-ThreadState {
        # Threads end a little after they are told to: poll until the state is back (or time is up).
        param([Parameter(Mandatory)] $Baseline, [int] $Seconds = 60)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        do {
            $now = Get-ThreadState
            if ($now.Strays.Count -eq 0 -and $now.Workers -eq 0 -and $now.Threads -le $Baseline.Threads -and $now.Fds -le $Baseline.Fds) { return $now }
            Start-Sleep -Milliseconds 250
        } while ([DateTime]::UtcNow -lt $deadline)
        $now
    }
}

AfterAll {
    # Removing the module ends every idle worker; the runtime threads a worker may have started
    # end after idle seconds. Then nothing of this file stays in a namespace.
    Remove-Module PSNamespaces -ErrorAction Ignore
    $null = Wait-ThreadState -Baseline ([pscustomobject]@{ Threads = [int]::MaxValue; Fds = [int]::MaxValue })
    if ($target) { $target | Stop-TestProcess }
    Remove-Item $mountDir -Force -ErrorAction Ignore
}

Describe 'Invoke-InNamespace' -Tag 'Root', 'Slow' {
    AfterEach {
        # After every call: no thread but an idle worker inside a target (runtime threads included).
        Assert-ThreadHygiene
    }

    Context 'inside the target''s namespaces' {
        It 'lists the target''s network interfaces with -Type Net, as nsenter -n ip link does' {
            $expected = Get-LinkName (nsenter -t $targetPid -n ip -o link)
            $expected | Should -Contain 'psns-i6-v0'
            $inside = Invoke-InNamespace -Pid $targetPid -Type Net { [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces().Name }
            @($inside | Sort-Object) | Should -Be $expected
            @([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces().Name) | Should -Not -Contain 'psns-i6-v0'
        }

        It 'sees the target''s hostname with -Type Uts, as nsenter -u hostname does' {
            nsenter -t $targetPid -u hostname | Should -Be $hostName
            Invoke-InNamespace -Pid $targetPid -Type Uts { [System.Net.Dns]::GetHostName() } | Should -Be $hostName
            [System.Net.Dns]::GetHostName() | Should -Not -Be $hostName
        }

        It 'reads a file that exists only in the target''s mount namespace with -Type Mount' {
            Test-Path "$mountDir/secret" | Should -BeFalse
            nsenter -t $targetPid -m cat "$mountDir/secret" | Should -Be $secret
            Invoke-InNamespace -Pid $targetPid -Type Mount { Get-Content "$using:mountDir/secret" } | Should -Be $secret
        }

        It 'runs native programs inside: ip link shows the target''s links' {
            $inside = Invoke-InNamespace -Pid $targetPid -Type Net { ip -o link }
            Get-LinkName $inside | Should -Be (Get-LinkName (nsenter -t $targetPid -n ip -o link))
            Invoke-InNamespace -Pid $targetPid -Type Net { readlink /proc/self/ns/net } | Should -Be (readlink "/proc/$targetPid/ns/net")
        }

        It 'sets $LASTEXITCODE from the last native program the block ran, as nsenter returns it, and leaves it when the block ran none' {
            $expected = nsenter -t $targetPid -n sh -c 'exit 7'; $expected = $LASTEXITCODE
            $expected | Should -Be 7
            $global:LASTEXITCODE = 0
            Invoke-InNamespace -Pid $targetPid -Type Net { sh -c 'exit 7' }
            $LASTEXITCODE | Should -Be $expected
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { 1 }
            $LASTEXITCODE | Should -Be $expected
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { sh -c 'exit 3'; true }
            $LASTEXITCODE | Should -Be 0
        }

        It 'puts programs the block starts in the target''s PID namespace with -Type Pid' {
            $expected = readlink "/proc/$targetPid/ns/pid"
            $expected | Should -Not -Be (readlink /proc/self/ns/pid)
            Invoke-InNamespace -Pid $targetPid -Type Pid { readlink /proc/self/ns/pid } | Should -Be $expected
        }

        It 'joins every namespace in which the target differs from the session when -Type is omitted' {
            $out = Invoke-InNamespace -Pid $targetPid { [System.Net.Dns]::GetHostName(); Get-Content "$using:mountDir/secret"; readlink /proc/self/ns/ipc }
            $out | Should -Be @($hostName, $secret, (readlink "/proc/$targetPid/ns/ipc"))
        }

        It 'starts in the caller''s directory, and at / inside a mount namespace' {
            Push-Location /usr
            try {
                Invoke-InNamespace -Pid $targetPid -Type Net { (Get-Location).Path } | Should -Be '/usr'
                Invoke-InNamespace -Pid $targetPid -Type Mount { (Get-Location).Path } | Should -Be '/'
            } finally {
                Pop-Location
            }
        }

        It 'takes Get-Process output from the pipeline' {
            Get-Process -Id $targetPid | Invoke-InNamespace -Type Uts { [System.Net.Dns]::GetHostName() } | Should -Be $hostName
        }

        It 'runs once per PID given' {
            $out = Invoke-InNamespace -Pid $targetPid, $PID -Type Uts { [System.Net.Dns]::GetHostName() }
            $out | Should -Be @($hostName, (hostname))
        }
    }

    Context 'targets by path, name and namespace object' {
        BeforeAll {
            $netnsName = "psns-i6-$PID"
            ip netns add $netnsName
            ip netns exec $netnsName ip link add psns-i6-n0 type veth peer name psns-i6-n1
            $netnsInode = [uint64](stat -L -c '%i' "/run/netns/$netnsName")
        }

        AfterAll {
            ip netns delete $netnsName
        }

        It 'joins nsfs files given by -Path, together' {
            $out = Invoke-InNamespace -Path "/proc/$targetPid/ns/net", "/proc/$targetPid/ns/uts" { [System.Net.Dns]::GetHostName(); readlink /proc/self/ns/net }
            $out | Should -Be @($hostName, (readlink "/proc/$targetPid/ns/net"))
        }

        It 'takes -Path relative to the current location' {
            Push-Location "/proc/$targetPid/ns"
            try {
                Invoke-InNamespace -Path ./uts { [System.Net.Dns]::GetHostName() } | Should -Be $hostName
            } finally {
                Pop-Location
            }
        }

        It 'joins a named network namespace by -Name, as ip netns exec does' {
            $expected = Get-LinkName (ip netns exec $netnsName ip -o link)
            $expected | Should -Contain 'psns-i6-n0'
            Get-LinkName (Invoke-InNamespace -Name $netnsName { ip -o link }) | Should -Be $expected
            Invoke-InNamespace -Name $netnsName { readlink /proc/self/ns/net } | Should -Be "net:[$netnsInode]"
        }

        It 'joins a namespace object from the pipeline that no process holds (found through its nsfs mount)' {
            $ns = Get-BareNamespace (Get-Namespace -Inode $netnsInode)
            $ns | Invoke-InNamespace { readlink /proc/self/ns/net } | Should -Be "net:[$netnsInode]"
        }

        It 'joins a namespace object from the pipeline held by a process (found through the process)' {
            $inode = Get-NsInode $targetPid uts
            Get-BareNamespace (Get-Namespace -Inode $inode) | Invoke-InNamespace { [System.Net.Dns]::GetHostName() } | Should -Be $hostName
        }

        It 'runs once in each namespace object of the pipeline' {
            $objects = (Get-BareNamespace (Get-Namespace -Inode $netnsInode)), (Get-BareNamespace (Get-Namespace -Inode (Get-NsInode $targetPid net)))
            $objects | Invoke-InNamespace { readlink /proc/self/ns/net } | Should -Be @("net:[$netnsInode]", (readlink "/proc/$targetPid/ns/net"))
        }

        It 'uses the Pid and NsfsPaths a namespace object carries, and checks they still hold it' {
            $withHints = Get-Namespace -Inode $netnsInode
            $withHints | Add-Member -NotePropertyName NsfsPaths -NotePropertyValue @('/proc/self/ns/net', "/run/netns/$netnsName") -Force
            $withHints | Add-Member -NotePropertyName Pid -NotePropertyValue $PID -Force
            # /proc/self/ns/net and this PID are another namespace: they are skipped, the bind mount is used.
            $withHints | Invoke-InNamespace { readlink /proc/self/ns/net } | Should -Be "net:[$netnsInode]"
        }
    }

    Context 'values in, objects and records out' {
        It 'passes -ArgumentList to param() and $args' {
            Invoke-InNamespace -Pid $targetPid -Type Net { param($a, $b) "$a $b $($args -join ',')" } -ArgumentList 1, 'two', 3, 4 | Should -Be '1 two 3,4'
        }

        It 'resolves $using: variables, indexes, members and those in nested script blocks' {
            $number = 42
            $list = 'a', 'b', 'c'
            $table = @{ Key = 'value' }
            $out = Invoke-InNamespace -Pid $targetPid -Type Net { $using:number; $using:list[1]; $using:table.Key; & { $using:NUMBER + 1 } }
            $out | Should -Be @(42, 'b', 'value', 43)
        }

        It 'returns the objects themselves, not copies' {
            $original = [System.Collections.Generic.List[int]]::new()
            $back = Invoke-InNamespace -Pid $targetPid -Type Net { $l = $using:original; $l.Add(7); , $l }
            [object]::ReferenceEquals($back, $original) | Should -BeTrue
            $original | Should -Be @(7)
            $o = Invoke-InNamespace -Pid $targetPid -Type Net { [pscustomobject]@{ Name = 'x'; Inode = [uint64]5 } }
            $o.Name | Should -Be 'x'
            $o.Inode | Should -BeOfType [uint64]
        }

        It 'refuses a $using: variable that is not set, as ForEach-Object -Parallel does' {
            { Invoke-InNamespace -Pid $targetPid -Type Net { $using:psnsNotSet } -ErrorAction Stop } | Should -Throw -ErrorId 'ValueNotPassable,*'
        }

        It 'refuses a script block as a value: it would run outside the namespace' {
            $block = { 1 }
            { Invoke-InNamespace -Pid $targetPid -Type Net { & $using:block } } | Should -Throw -ErrorId 'ValueNotPassable,*'
            { Invoke-InNamespace -Pid $targetPid -Type Net { & $args[0] } -ArgumentList $block } | Should -Throw -ErrorId 'ValueNotPassable,*'
        }

        It 'writes a non-terminating error in the block as a non-terminating error, and goes on' {
            $out = Invoke-InNamespace -Pid $targetPid -Type Net { 'before'; Write-Error -Message 'inside' -ErrorId 'PsnsInside'; 'after' } -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @('before', 'after')
            $err.Count | Should -Be 1
            $err[0].Exception.Message | Should -Be 'inside'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PsnsInside*'
        }

        It 'terminates on a terminating error in the block, with its message' {
            { Invoke-InNamespace -Pid $targetPid -Type Net { 'before'; throw 'psns-i6 boom'; 'after' } } | Should -Throw 'psns-i6 boom'
            $script:seen = @()
            try { Invoke-InNamespace -Pid $targetPid -Type Net { 'before'; throw 'psns-i6 boom' } | ForEach-Object { $script:seen += $_ } } catch { $caught = $_ }
            $script:seen | Should -Be @('before')
            $caught.Exception.Message | Should -Be 'psns-i6 boom'
        }

        It 'makes a non-terminating error terminating with -ErrorAction Stop' {
            { Invoke-InNamespace -Pid $targetPid -Type Net { Write-Error 'psns-i6 stop' } -ErrorAction Stop } | Should -Throw 'psns-i6 stop'
        }

        It 'forwards warnings, verbose (with -Verbose), information and Write-Host' {
            $out = Invoke-InNamespace -Pid $targetPid -Type Net {
                Write-Warning 'w'; Write-Verbose 'v'; Write-Information 'i'; Write-Host 'h'; 'o'
            } -Verbose -WarningVariable warn -InformationVariable info 3>$null 4>&1 6>$null
            $out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message | Should -Be 'v'
            $out | Where-Object { $_ -is [string] } | Should -Be 'o'
            $warn.Message | Should -Be 'w'
            @($info | ForEach-Object { "$($_.MessageData)" }) | Should -Be @('i', 'h')
        }

        It 'keeps verbose records quiet without -Verbose' {
            Invoke-InNamespace -Pid $targetPid -Type Net { Write-Verbose 'v' } 4>&1 | Should -BeNullOrEmpty
        }

        It 'stops early when downstream has what it wants (Select-Object -First)' {
            Invoke-InNamespace -Pid $targetPid -Type Net { 1..10000000 | ForEach-Object { $_ } } | Select-Object -First 2 | Should -Be @(1, 2)
        }

        It 'keeps the caller''s language mode' {
            $ps = [powershell]::Create()
            try {
                $ps.Runspace.SessionStateProxy.LanguageMode = 'ConstrainedLanguage'
                $null = $ps.AddScript("Import-Module '$modulePath'; Invoke-InNamespace -Pid $targetPid -Type Net { `$ExecutionContext.SessionState.LanguageMode }")
                "$($ps.Invoke())" | Should -Be 'ConstrainedLanguage'
                Invoke-InNamespace -Pid $targetPid -Type Net { $ExecutionContext.SessionState.LanguageMode } | Should -Be 'FullLanguage'
            } finally {
                $ps.Dispose()
            }
        }
    }

    Context 'workers' {
        It 'reuses one worker for calls into the same target and types, and keeps targets apart' {
            $a1 = Invoke-InNamespace -Pid $targetPid -Type Net { [Environment]::CurrentManagedThreadId }
            $a2 = Invoke-InNamespace -Pid $targetPid -Type Net { [Environment]::CurrentManagedThreadId }
            $b = Invoke-InNamespace -Pid $targetPid -Type Uts { [Environment]::CurrentManagedThreadId }
            $a2 | Should -Be $a1
            $b | Should -Not -Be $a1
            $a1 | Should -Not -Be ([Environment]::CurrentManagedThreadId)
        }

        It 'gives every call fresh variables' {
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { $global:psnsLeft = 'x'; $VerbosePreference = 'Stop' }
            Invoke-InNamespace -Pid $targetPid -Type Net { "[$global:psnsLeft]"; $VerbosePreference } | Should -Be @('[]', 'Continue')
        }

        It 'ends idle workers when the module is removed' {
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { 1 }
            (Get-ThreadState).Workers | Should -BeGreaterThan 0
            Remove-Module PSNamespaces
            try {
                (Get-ThreadState).Workers | Should -Be 0
                Assert-SessionUnchanged -Before ([pscustomobject]@{ Workers = 0; Fds = [int]::MaxValue })
            } finally {
                Import-PSNamespaces
            }
        }

        It 'ends idle workers when the module is imported again with -Force' {
            # -Force removes the module the user imported; the assembly's cleanup is its nested
            # module's (runtimes/PSNamespaces.psd1), which goes with it.
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { 1 }
            (Get-ThreadState).Workers | Should -BeGreaterThan 0
            Import-PSNamespaces
            (Get-ThreadState).Workers | Should -Be 0
            Invoke-InNamespace -Pid $targetPid -Type Net { 1 } | Should -Be 1
        }

        It 'ends a worker that has been idle for a while' {
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { 1 }
            (Get-ThreadState).Workers | Should -BeGreaterThan 0
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-ThreadState).Workers -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500 }
            (Get-ThreadState).Workers | Should -Be 0
        }

        It 'warns about a thread the block leaves running inside the namespace' {
            $watcher = Invoke-InNamespace -Pid $targetPid -Type Net {
                # On Linux, a FileSystemWatcher reads inotify on a thread of its own, created now, from here.
                $w = [System.IO.FileSystemWatcher]::new('/tmp'); $w.EnableRaisingEvents = $true; $w
            } -WarningVariable warn -WarningAction SilentlyContinue
            try {
                $warn.Count | Should -Be 1
                $warn[0].Message | Should -Match "created by the script block and is still running inside net:\[$(Get-NsInode $targetPid net)\]"
            } finally {
                $watcher.Dispose()
            }
        }

        It 'refuses to be called from inside another Invoke-InNamespace block' {
            $thrown = { Invoke-InNamespace -Pid $targetPid -Type Net { Import-Module $using:modulePath; Invoke-InNamespace -Pid $using:targetPid -Type Uts { 1 } } } |
                Should -Throw -ErrorId 'NestedInvokeInNamespace,*' -PassThru
            $thrown.Exception.Message | Should -Match 'net'
        }
    }

    Context 'Ctrl+C' {
        It 'stops a block in <Case> promptly and leaves nothing running' -TestCases @(
            @{ Case = 'Start-Sleep'; Block = 'Start-Sleep -Seconds 60' }
            @{ Case = 'a native program'; Block = 'sleep 61' }
            @{ Case = 'a .NET call PowerShell cannot interrupt'; Block = '[System.Threading.Thread]::Sleep(20000)' }
        ) {
            # The block says it started through a file: the Net worker shares our filesystem.
            $marker = "/tmp/psns-i6-started-$PID"
            Remove-Item $marker -ErrorAction Ignore
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$modulePath'; Invoke-InNamespace -Pid $targetPid -Type Net { Set-Content '$marker' 1; $Block }")
            $async = $ps.BeginInvoke()
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (Test-Path $marker) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                Test-Path $marker | Should -BeTrue
                Start-Sleep -Milliseconds 300
                Assert-StopsPromptly $ps
            } finally {
                $ps.Dispose()
                Remove-Item $marker -ErrorAction Ignore
            }
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-ChildPid $PID | Where-Object { (Get-Content "/proc/$_/cmdline" -Raw -ErrorAction Ignore) -like 'sleep*61*' }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Get-ChildPid $PID | Where-Object { (Get-Content "/proc/$_/cmdline" -Raw -ErrorAction Ignore) -like 'sleep*61*' } | Should -BeNullOrEmpty
        }

        It 'still serves calls after a worker was left to finish a block that would not stop' {
            Invoke-InNamespace -Pid $targetPid -Type Net { 'alive' } | Should -Be 'alive'
        }
    }

    Context 'bad input' {
        BeforeAll {
            # Every kind of worker this context could make already exists; a bad call makes none.
            $null = Invoke-InNamespace -Pid $targetPid -Type Net { 1 }
        }

        It 'writes ObjectNotFound for a PID that does not exist, and goes on with the next' {
            $before = Get-ThreadState
            $out = Invoke-InNamespace -Pid 999999999, $targetPid -Type Net { 'inside' } -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be 'inside'
            $err.Count | Should -Be 1
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 999999999
            Assert-SessionUnchanged -Before $before
        }

        It 'writes InvalidArgument for a path that is not a namespace: <Path>' -TestCases @(
            @{ Path = '/etc/passwd' }, @{ Path = '/dev/null' }, @{ Path = '/proc/self/status' }, @{ Path = '/tmp' }
        ) {
            $before = Get-ThreadState
            Invoke-InNamespace -Path $Path { 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotANamespace,*'
            $err[0].TargetObject | Should -Be $Path
            Assert-SessionUnchanged -Before $before
        }

        It 'writes InvalidArgument for a path on another provider' {
            Invoke-InNamespace -Path Env:\PATH { 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'Env:\PATH'
        }

        It 'writes ObjectNotFound for a path, a name or a namespace object that does not exist' {
            Invoke-InNamespace -Path '/tmp/psns-i6-no-such-file' { 1 } -ErrorVariable e1 -ErrorAction SilentlyContinue
            Invoke-InNamespace -Name 'psns-i6-no-such-netns' { 1 } -ErrorVariable e2 -ErrorAction SilentlyContinue
            [PSNamespaces.Namespace]::new('Net', 1, 0) | Invoke-InNamespace { 1 } -ErrorVariable e3 -ErrorAction SilentlyContinue
            foreach ($err in $e1, $e2, $e3) {
                $err.Count | Should -Be 1
                $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            }
            $e2[0].TargetObject | Should -Be 'psns-i6-no-such-netns'
        }

        It 'refuses -Type <Type> with an error that points to Enter-Namespace, and changes nothing' -TestCases @(@{ Type = 'User' }, @{ Type = 'Time' }) {
            $before = Get-ThreadState
            $thrown = { Invoke-InNamespace -Pid $targetPid -Type $Type { 1 } } | Should -Throw -ErrorId 'NamespaceNotJoinable,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -Match 'Enter-Namespace'
            Assert-SessionUnchanged -Before $before
        }

        It 'refuses a user namespace given by path' {
            Invoke-InNamespace -Path "/proc/$targetPid/ns/user" { 1 } -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotJoinable,*'
            $err[0].Exception.Message | Should -Match 'Enter-Namespace'
        }

        It 'refuses <Value> as a PID at parameter validation' -TestCases @(@{ Value = 0 }, @{ Value = -1 }) {
            { Invoke-InNamespace -Pid $Value { 1 } } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'no leaks' {
        It 'leaves every thread in the session''s namespaces, and as many threads and descriptors, after 200 calls (20 at once, some failing)' {
            $work = {
                param($i, $modulePath, $targetPid)
                Import-Module $modulePath
                $type = @('Net', 'Uts', 'Mount', 'Ipc')[$i % 4]
                try {
                    Invoke-InNamespace -Pid $targetPid -Type $type {
                        param($i)
                        if ($i % 7 -eq 0) { throw "psns-i6 failing call $i" }
                        if ($i % 5 -eq 0) { Write-Error "psns-i6 error $i" }
                        if ($i % 3 -eq 0) { $null = hostname }
                        [System.Net.Dns]::GetHostName()
                    } -ArgumentList $i -ErrorAction SilentlyContinue
                } catch {
                    'failed'
                }
            }
            # ForEach-Object -Parallel refuses script blocks in $using:, so the work goes as text.
            $workText = $work.ToString()
            # Warm up what the run below loads once per process (assemblies, pool threads), then
            # take the baseline with no worker alive.
            $null = 1..8 | ForEach-Object -ThrottleLimit 4 -Parallel { & ([scriptblock]::Create($using:workText)) $_ $using:modulePath $using:targetPid }
            Remove-Module PSNamespaces
            Import-PSNamespaces
            $baseline = Wait-ThreadState -Baseline ([pscustomobject]@{ Threads = [int]::MaxValue; Fds = [int]::MaxValue }) -Seconds 30

            $out = 1..200 | ForEach-Object -ThrottleLimit 20 -Parallel { & ([scriptblock]::Create($using:workText)) $_ $using:modulePath $using:targetPid }
            @($out | Where-Object { $_ -eq 'failed' }).Count | Should -Be 28
            @($out | Where-Object { $_ -eq $hostName }).Count | Should -Be 43   # the Uts calls that did not fail

            Remove-Module PSNamespaces
            try {
                $after = Wait-ThreadState -Baseline $baseline
                $after.Strays | Should -BeNullOrEmpty
                $after.Workers | Should -Be 0
                $after.Threads | Should -BeLessOrEqual $baseline.Threads
                $after.Fds | Should -BeLessOrEqual $baseline.Fds
            } finally {
                Import-PSNamespaces
            }
        }
    }
}
