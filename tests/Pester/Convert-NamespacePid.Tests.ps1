<#
    PID translation across three nested PID namespaces and a sibling. Expected values come from
    inside each namespace: nsenter joins its PID namespace, unshare mounts a /proc of it in a
    mount namespace of its own (a PID 1 made by unshare --mount-proc has moved on to the next
    level's mount namespace, so nsenter -m would show that level's /proc), and every process there
    is listed with its ns/pid link and command line, which is how a host process is recognised.
#>
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $level = @('--fork', '--kill-child', '--pid', '--mount-proc', '--')
    # host → L1 (unshare #2 is its PID 1) → L2 (unshare #3) → L3 (sleep is its PID 1).
    $nested = Start-TestProcess -Unshare @('--pid', '--mount-proc') -Command (@('unshare') + $level + @('unshare') + $level + @('sleep', '1000')) -Name sleep
    $sibling = Start-TestProcess -Unshare @('--pid', '--mount-proc') -Command @('sleep', '1001')
    $init1 = (Get-ChildPid $nested.Unshare.Id)[0]
    $init2 = (Get-ChildPid $init1)[0]
    $fixture = @($init1, $init2, $nested.Pid, $sibling.Pid, $PID)
    # Every PID namespace of the fixture, by a process whose namespace it is.
    $namespaces = [ordered]@{ L1 = $init1; L2 = $init2; L3 = $nested.Pid; Sibling = $sibling.Pid }

    function Measure-PidNamespaceDescriptor {
        <#
            How many more descriptors of PID namespaces (ls -l /proc/PID/fd: pid:[INODE]) this
            process holds after Action than before. A garbage collection would close leaked ones
            (SafeHandle finalizers) and hide a leak, so none runs in between.
        #>
        param([scriptblock] $Action)
        $count = { @(Get-ChildItem "/proc/$PID/fd" | Where-Object { $_.LinkTarget -like 'pid:`[*' }).Count }
        [GC]::Collect()
        [GC]::WaitForPendingFinalizers()
        $before = & $count
        $null = [GC]::TryStartNoGCRegion(32MB)
        try {
            & $Action
            (& $count) - $before
        } finally {
            if ([Runtime.GCSettings]::LatencyMode -eq 'NoGCRegion') { [GC]::EndNoGCRegion() }
        }
    }

    function Get-InsideView {
        <# PID inside → "ns/pid link|command line" for every process of the namespace of ProcessId, read in there. #>
        param([int] $ProcessId)
        $script = 'for d in /proc/[0-9]*; do l=$(readlink $d/ns/pid) || continue; echo "${d#/proc/}|$l|$(tr "\0" " " < $d/cmdline)"; done'
        $view = @{}
        foreach ($line in nsenter -t $ProcessId -p -- unshare --mount --mount-proc sh -c $script) {
            $inside, $rest = $line -split '\|', 2
            $view[$rest] = [int]$inside
        }
        $view
    }

    function Get-HostKey([int] $ProcessId) {
        "$(readlink /proc/$ProcessId/ns/pid)|$((Get-Content -Raw /proc/$ProcessId/cmdline) -replace "`0", ' ')"
    }

    # The expected answer for every (process, namespace) pair: its PID in there, or $null.
    $expected = @{}
    foreach ($name in $namespaces.Keys) {
        $view = Get-InsideView $namespaces[$name]
        foreach ($p in $fixture) {
            $key = Get-HostKey $p
            $expected["$p/$name"] = if ($view.ContainsKey($key)) { $view[$key] } else { $null }
        }
    }
}

AfterAll {
    $nested, $sibling | Stop-TestProcess
    Remove-TestBinaries
}

Describe 'Convert-NamespacePid' -Tag 'Root' {
    It 'sees each fixture process where nsenter does (the fixture itself is sound)' {
        $expected["$($nested.Pid)/L3"] | Should -Be 1
        $expected["$($nested.Pid)/L1"] | Should -Be 3
        $expected["$init1/L2"] | Should -BeNullOrEmpty
        $expected["$PID/L1"] | Should -BeNullOrEmpty
        $expected["$($sibling.Pid)/L1"] | Should -BeNullOrEmpty
    }

    It 'gives the PID each process has inside each namespace, $null where it is not visible' {
        foreach ($name in $namespaces.Keys) {
            foreach ($p in $fixture) {
                $got = Convert-NamespacePid -Pid $p -ToPidNamespace $namespaces[$name]
                $got | Should -Be $expected["$p/$name"] -Because "PID $p in $name"
            }
        }
    }

    It 'gives the session''s PID of a PID seen inside each namespace' {
        foreach ($name in $namespaces.Keys) {
            foreach ($p in $fixture) {
                if ($null -ne $expected["$p/$name"]) {
                    Convert-NamespacePid -Pid $expected["$p/$name"] -FromPidNamespace $namespaces[$name] | Should -Be $p -Because "$name PID $($expected["$p/$name"])"
                }
            }
        }
    }

    It 'translates thread ids with -Thread (a single-threaded process: its one thread)' {
        Convert-NamespacePid -Pid 1 -FromPidNamespace $nested.Pid -Thread | Should -Be $nested.Pid
        Convert-NamespacePid -Pid $nested.Pid -ToPidNamespace $init1 -Thread | Should -Be $expected["$($nested.Pid)/L1"]
    }

    It 'takes the namespace as <Form>' -TestCases @(
        @{ Form = 'a Namespace object'; Make = { Get-Namespace -Pid $init2 -Type Pid } }
        @{ Form = 'its id text'; Make = { readlink "/proc/$init2/ns/pid" } }
        @{ Form = 'its inode'; Make = { Get-NsInode $init2 pid } }
        @{ Form = 'a PID'; Make = { $init2 } }
        @{ Form = 'a process object'; Make = { Get-Process -Id $init2 } }
        @{ Form = 'an nsfs path'; Make = { "/proc/$init2/ns/pid" } }
        @{ Form = 'a deserialized Namespace'; Make = { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-Namespace -Pid $init2 -Type Pid))) } }
    ) {
        Convert-NamespacePid -Pid 1 -FromPidNamespace (& $Make) | Should -Be $init2
    }

    It 'takes PIDs from the pipeline, Get-Process output included' {
        $got = $init2, $nested.Pid | ForEach-Object { Get-Process -Id $_ } | Convert-NamespacePid -ToPidNamespace $init2
        $got | Should -Be @($expected["$init2/L2"], $expected["$($nested.Pid)/L2"])
    }

    It 'gives the same answers without the ioctls (a kernel before 6.11), through /proc' {
        $ioctls = @(0x8004b706u, 0x8004b707u, 0x8004b708u, 0x8004b709u)
        $pairs = foreach ($name in $namespaces.Keys) { foreach ($p in $fixture) { "$p,$($namespaces[$name])" } }
        $withIoctl = foreach ($pair in $pairs) {
            $p, $ns = $pair -split ','
            $in = Convert-NamespacePid -Pid $p -ToPidNamespace ([int]$ns)
            $back = if ($null -ne $in) { Convert-NamespacePid -Pid $in -FromPidNamespace ([int]$ns) } else { '' }
            "$pair=$in/$back"
        }
        $command = @"
foreach (`$pair in '$($pairs -join "','")') {
    `$p, `$ns = `$pair -split ','
    `$in = Convert-NamespacePid -Pid `$p -ToPidNamespace ([int]`$ns)
    `$back = if (`$null -ne `$in) { Convert-NamespacePid -Pid `$in -FromPidNamespace ([int]`$ns) } else { '' }
    "`$pair=`$in/`$back"
}
"@
        $without = @(Invoke-PwshWithoutKernelFeature -Enotty $ioctls -Command $command)
        $without | Should -Be $withIoctl
        $withIoctl | Where-Object { $_ -match '=\d+/\d+$' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Convert-NamespacePid refusals' -Tag 'Root' {
    It 'writes ObjectNotFound for a PID the namespace does not contain, and goes on' {
        $out = Convert-NamespacePid -Pid 4000000, 1 -FromPidNamespace $init1 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -Be $init1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PidNotInNamespace,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 4000000
        $err[0].Exception.Message | Should -Match ([regex]::Escape((readlink /proc/$init1/ns/pid)))
    }

    It 'refuses a PID that is not a number' {
        $err = { Convert-NamespacePid -Pid 'ten' -FromPidNamespace $init1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSNamespaces.Commands.ConvertNamespacePidCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'ten'
    }

    It 'refuses a namespace of another kind given as <Form>' -TestCases @(
        @{ Form = 'a path'; Make = { "/proc/$init1/ns/net" } }
        @{ Form = 'a Namespace object'; Make = { Get-Namespace -Pid $init1 -Type Net } }
        @{ Form = 'id text'; Make = { readlink "/proc/$init1/ns/uts" } }
    ) {
        $err = { Convert-NamespacePid -Pid 1 -FromPidNamespace (& $Make) -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'WrongNamespaceType,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a PID namespace whose processes are all gone (held only by a file)' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "psns-deadpid-$PID"
        New-Item -ItemType Directory $dir | Out-Null
        try {
            New-Item -ItemType File "$dir/pidns" | Out-Null
            unshare --pid="$dir/pidns" --fork true
            $LASTEXITCODE | Should -Be 0
            findmnt -n "$dir/pidns" | Should -Not -BeNullOrEmpty
            $err = { Convert-NamespacePid -Pid 1 -FromPidNamespace "$dir/pidns" -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'PidNamespaceEmpty,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $err.TargetObject | Should -Be "$dir/pidns"
        } finally {
            umount "$dir/pidns" 2>$null
            Remove-Item -Recurse -Force $dir
        }
    }

    It 'says a PID namespace that no longer exists is not found' {
        $gone = Start-TestProcess -Unshare @('--pid') -Command @('sleep', '1002')
        $ns = Get-Namespace -Pid $gone.Pid -Type Pid
        $gone | Stop-TestProcess
        $err = { Convert-NamespacePid -Pid 1 -FromPidNamespace $ns -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses something that names no namespace' {
        $err = { Convert-NamespacePid -Pid 1 -FromPidNamespace ([pscustomobject]@{ Color = 'blue' }) -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidPidNamespace,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a negative number as the namespace of <Command>, as something that names no namespace' -TestCases @(
        @{ Command = 'ConvertNamespacePidCommand'; Invoke = { Convert-NamespacePid -Pid 1 -FromPidNamespace (-5) -ErrorAction Stop } }
        @{ Command = 'GetNamespaceProcessCommand'; Invoke = { Get-NamespaceProcess -Pid 1 -PidNamespace (-5) -ErrorAction Stop } }
    ) {
        $err = $Invoke | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be "InvalidPidNamespace,PSNamespaces.Commands.$Command"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be -5
    }

    It 'refuses a path <Why> as the namespace, before the kernel sees it' -TestCases @(
        @{ Why = 'with a NUL, which the kernel would cut at the NUL (/proc/self/ns/pid then)'; Path = "/proc/self/ns/pid`0x"; Id = 'InvalidPath' }
        @{ Why = 'on another provider'; Path = 'env:PATH'; Id = 'NotAFileSystemPath' }
    ) {
        param($Why, $Path, $Id)
        $err = { Convert-NamespacePid -Pid 1 -FromPidNamespace $Path -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be "$Id,PSNamespaces.Commands.ConvertNamespacePidCommand"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be $Path
    }

    It 'closes the PID namespace when -ErrorAction Stop ends it (no EndProcessing runs)' {
        Measure-PidNamespaceDescriptor {
            { Convert-NamespacePid -Pid 4000000 -FromPidNamespace $init1 -ErrorAction Stop } | Should -Throw -ErrorId 'PidNotInNamespace,*'
        } | Should -Be 0
    }

    It 'writes ProcessNotFound translating a process that does not exist' {
        $out = Convert-NamespacePid -Pid 4000000 -ToPidNamespace $init1 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-NamespaceProcess -PidNamespace' -Tag 'Root' {
    It 'gives the process that has a PID inside a namespace, as this session sees it' {
        foreach ($name in $namespaces.Keys) {
            foreach ($p in $fixture) {
                if ($null -ne $expected["$p/$name"]) {
                    $process = Get-NamespaceProcess -Pid $expected["$p/$name"] -PidNamespace $namespaces[$name]
                    $process.Pid | Should -Be $p -Because "$name PID $($expected["$p/$name"])"
                    $process.PidNs | Should -Be (Get-NsInode $p pid)
                }
            }
        }
    }

    It 'writes ObjectNotFound for a PID the namespace does not contain' {
        $out = Get-NamespaceProcess -Pid 4000000, 1 -PidNamespace $init2 -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Pid | Should -Be $init2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PidNotInNamespace,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a namespace of another kind' {
        $err = { Get-NamespaceProcess -Pid 1 -PidNamespace "/proc/$init1/ns/mnt" -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'WrongNamespaceType,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'closes the PID namespace when a terminating error follows its opening (a bad -Unit pattern)' {
        Measure-PidNamespaceDescriptor {
            { Get-NamespaceProcess -Pid 1 -PidNamespace $init1 -Unit 'bad[' } | Should -Throw -ErrorId 'InvalidWildcardPattern,*'
        } | Should -Be 0
    }
}

Describe 'Get-ProcNsStatus: the PID namespace of every level' -Tag 'Root' {
    It 'pairs each NSpid number with its PID namespace, outermost first, as readlink and nsenter show them' {
        $status = Get-ProcNsStatus -Pid $nested.Pid
        $chain = @($PID, $init1, $init2, $nested.Pid)
        $status.PidNamespace | Should -Be @($chain | ForEach-Object { Get-NsInode $_ pid })
        $status.NSpid | Should -Be @($nested.Pid, $expected["$($nested.Pid)/L1"], $expected["$($nested.Pid)/L2"], $expected["$($nested.Pid)/L3"])
        $status.Levels[1] | Should -Be "$($expected["$($nested.Pid)/L1"]) in $(readlink /proc/$init1/ns/pid)"
        $status.Levels[-1] | Should -Be "1 in $(readlink /proc/$($nested.Pid)/ns/pid)"
    }

    It 'gives the 64-bit id of every level, the same Get-Namespace gives each namespace' {
        $status = Get-ProcNsStatus -Pid $nested.Pid
        $status.PidNamespaceNsId.Count | Should -Be 4
        $status.PidNamespaceNsId | Should -Be @(@($PID, $init1, $init2, $nested.Pid) | ForEach-Object { (Get-Namespace -Pid $_ -Type Pid).NsId })
    }

    It 'shows the levels in its default table' {
        $table = Get-ProcNsStatus -Pid $nested.Pid | Format-Table | Out-String -Width 300
        $table | Should -Match ([regex]::Escape("1 in $(readlink /proc/$($nested.Pid)/ns/pid)"))
    }

    It 'reads one level for a process in the session''s own PID namespace' {
        (Get-ProcNsStatus -Pid $PID).PidNamespace | Should -Be @(Get-NsInode $PID pid)
    }
}
