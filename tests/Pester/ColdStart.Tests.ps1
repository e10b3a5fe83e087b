# Import does only what every session needs; what one-shot scripts do not all need (the exec
# helpers' starter thread, the runtime's lazily made threads) starts on first use, and still from
# the session's namespaces, even when that first use is inside Invoke-InNamespace (issue 17).
# Each case runs in a fresh pwsh: a first use can only be seen once per process.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $modulePath = (Get-Module PSNamespaces).Path
    $pwsh = Join-Path $PSHOME 'pwsh'

    # Prints one line per thread of the pwsh it runs in, as JSON: TID, comm, and whether each of
    # its namespaces (/proc/PID/task/TID/ns/*, read by the kernel's readlink) is the main thread's.
    $threadReport = @'
        function Get-ThreadReport {
            $self = [Environment]::ProcessId
            $names = 'cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'
            $main = @(foreach ($n in $names) { readlink "/proc/$self/task/$self/ns/$n" })
            foreach ($task in [IO.Directory]::GetDirectories("/proc/$self/task")) {
                $ns = @(foreach ($n in $names) { readlink "$task/ns/$n" })
                $comm = Get-Content "$task/comm" -ErrorAction Ignore
                if (-not $ns[0] -or -not $comm) { continue }  # ended while being read
                [pscustomobject]@{
                    Tid       = [int](Split-Path -Leaf $task)
                    Comm      = $comm
                    InSession = ("$ns" -eq "$main")
                    Net       = $ns[3]
                }
            }
        }
'@

    function Invoke-FreshPwsh {
        # Runs the script in a new pwsh with Get-ThreadReport defined; returns what it printed as
        # JSON, or fails with its output when it exits non-zero.
        param([Parameter(Mandatory)] [string] $Script)
        $out = & $pwsh -NoProfile -NonInteractive -Command ($threadReport + "`n" + $Script)
        if ($LASTEXITCODE) { throw "pwsh exited with $LASTEXITCODE`: $out" }
        $out | ConvertFrom-Json
    }
}

Describe 'Cold start' -Tag 'Root', 'Slow' {
    It 'starts no thread at import' {
        $r = Invoke-FreshPwsh @"
            `$before = @(Get-ThreadReport)
            Import-Module '$modulePath' -ErrorAction Stop
            `$after = @(Get-ThreadReport)
            [pscustomobject]@{ Before = `$before; After = `$after } | ConvertTo-Json -Depth 4 -Compress
"@
        $r.Before | Should -Not -BeNullOrEmpty
        @($r.After | Where-Object Comm -like 'PSNamespaces*') | Should -BeNullOrEmpty
        # Import-Module itself may start runtime threads (pwsh 7.6 schedules a timer to save its
        # module analysis cache). A thread the module made would be named "PSNamespaces ..." or,
        # unnamed, carry its creator's name, never the runtime's ".NET ..." names.
        $new = @($r.After | Where-Object { $_.Tid -notin $r.Before.Tid -and $_.Comm -notlike '.NET *' })
        $new | Should -BeNullOrEmpty
    }

    It 'starts the exec helpers'' thread on the first launch, in the session''s namespaces' {
        $r = Invoke-FreshPwsh @"
            Import-Module '$modulePath' -ErrorAction Stop
            New-Namespace -Type Net -FilePath true -ErrorAction Stop
            @(Get-ThreadReport) | ConvertTo-Json -Compress
"@
        $spawner = @($r | Where-Object Comm -like 'PSNamespaces sp*')
        $spawner.Count | Should -Be 1
        $spawner[0].InSession | Should -BeTrue
        @($r | Where-Object { -not $_.InSession }) | Should -BeNullOrEmpty
    }

    It 'warms a worker''s runspace before it joins a mount namespace only: elsewhere pwsh''s modules load on use, inside' {
        # A mount namespace may lack this pwsh's files, so its worker imports the common modules
        # and runs the warm-up script before joining; a network namespace keeps the filesystem,
        # and skipping that work is most of a first call's cost there (bench row C3).
        $net = Start-TestProcess -Unshare '--net'
        $mount = Start-TestProcess -Unshare '--mount'
        try {
            $r = Invoke-FreshPwsh @"
                Import-Module '$modulePath' -ErrorAction Stop
                `$block = { [pscustomobject]@{ Net = (Get-Item /proc/thread-self/ns/net).LinkTarget; Modules = @(Get-Module | ForEach-Object Name) } }
                `$netFirst = Invoke-InNamespace -Pid $($net.Pid) -Type Net -ErrorAction Stop `$block
                `$netUsed = Invoke-InNamespace -Pid $($net.Pid) -Type Net -ErrorAction Stop { `$null = Get-Date | Select-Object -Property Year; @(Get-Module | ForEach-Object Name) }
                `$mountFirst = Invoke-InNamespace -Pid $($mount.Pid) -Type Mount -ErrorAction Stop `$block
                [pscustomobject]@{ NetFirst = `$netFirst; NetUsed = `$netUsed; MountFirst = `$mountFirst } | ConvertTo-Json -Depth 4 -Compress
"@
            $r.NetFirst.Net | Should -Be (readlink "/proc/$($net.Pid)/ns/net")
            @($r.NetFirst.Modules) | Should -Not -Contain 'Microsoft.PowerShell.Utility'
            @($r.NetUsed) | Should -Contain 'Microsoft.PowerShell.Utility'
            @($r.MountFirst.Modules) | Should -Contain 'Microsoft.PowerShell.Utility'
            @($r.MountFirst.Modules) | Should -Contain 'Microsoft.PowerShell.Management'
        } finally {
            Stop-TestProcess $net
            Stop-TestProcess $mount
        }
    }

    It 'keeps every thread in the session''s namespaces when the first launch and the first runtime threads come from inside Invoke-InNamespace' {
        $holder = Start-TestProcess -Unshare '--net'
        try {
            $targetNet = readlink "/proc/$($holder.Pid)/ns/net"
            # Inside the block: a first launch (the helpers' thread), a timer and a signal
            # registration (which start the runtime's lazily made threads; their callbacks never
            # run), and a native command, whose output pwsh reads on pool threads.
            $r = Invoke-FreshPwsh @"
                Import-Module '$modulePath' -ErrorAction Stop
                `$inside = Invoke-InNamespace -Pid $($holder.Pid) -Type Net -ErrorAction Stop {
                    Import-Module '$modulePath' -ErrorAction Stop
                    New-Namespace -Type Uts -FilePath true -ErrorAction Stop
                    [System.Threading.Timer]::new({ }, `$null, [timespan]::FromDays(1), [timespan]::FromMilliseconds(-1)).Dispose()
                    [System.Runtime.InteropServices.PosixSignalRegistration]::Create('SIGCONT', { }).Dispose()
                    `$null = & readlink /proc/thread-self/ns/net
                    readlink /proc/thread-self/ns/net
                }
                `$after = New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/net -ErrorAction Stop
                [pscustomobject]@{ Inside = `$inside; LaunchedAfter = `$after; Session = (readlink /proc/self/ns/net); Threads = @(Get-ThreadReport) } |
                    ConvertTo-Json -Depth 4 -Compress
"@
            $r.Inside | Should -Be $targetNet
            $r.LaunchedAfter | Should -Be $r.Session
            $r.Session | Should -Not -Be $targetNet
            @($r.Threads | Where-Object Comm -like 'PSNamespaces sp*').Count | Should -Be 1
            # The idle worker kept for the next call is in the target by design, and only it (it
            # may have retired already: it ends after 10 s idle, which a loaded machine can take).
            $workers = @($r.Threads | Where-Object Comm -like 'PSNamespaces wo*')
            $workers | ForEach-Object { $_.Net | Should -Be $targetNet }
            $strays = @($r.Threads | Where-Object { -not $_.InSession -and $_.Comm -notlike 'PSNamespaces wo*' -and -not (Test-SelfEndingRuntimeThread $_.Comm) })
            $strays | Should -BeNullOrEmpty
        } finally {
            Stop-TestProcess $holder
        }
    }
}

# What a one-shot script's first call runs is precompiled (issue 27): the module ships
# PSNamespaces.dll (and Tmds.LibC) ReadyToRun once per architecture in runtimes/RID/, and the
# loader picks the process's own. An image for another machine, or code the runtime refuses, would
# load silently and be compiled method by method again; the JIT's own events tell.
Describe 'Precompiled code' -Tag 'Root', 'Slow' {
    BeforeAll {
        $moduleBase = (Get-Module PSNamespaces).ModuleBase
        # The identifier of this machine as the kernel names it (uname -m), not as the module does.
        $ownRid = @{ x86_64 = 'linux-x64'; aarch64 = 'linux-arm64' }[(uname -m)]
        # PE machine of a ReadyToRun image for Linux: the architecture's (PE/COFF spec: AMD64
        # 0x8664, ARM64 0xAA64) XOR'd with crossgen2's Linux tag, 0x7B79.
        $linuxMachine = @{ 'linux-x64' = 0x8664 -bxor 0x7B79; 'linux-arm64' = 0xAA64 -bxor 0x7B79 }

        function Get-PEHeader([string] $Path) {
            $stream = [IO.File]::OpenRead($Path)
            try { [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders } finally { $stream.Dispose() }
        }

        # Counts, with the runtime's own events, the distinct methods of PSNamespaces that ran
        # precompiled and those the JIT compiled without precompiled code, in a fresh pwsh from
        # import to the end of the script (tests/Arm64Host/ModuleMethods.cs, which waits for the
        # events, delivered late, and does not count a hot precompiled method the JIT recompiles).
        # With -NoReadyToRun the runtime ignores all precompiled code (DOTNET_ReadyToRun=0).
        $counter = (Resolve-Path (Join-Path $PSScriptRoot '../Arm64Host/ModuleMethods.cs')).Path
        function Measure-ModuleJit([string] $Script, [switch] $NoReadyToRun) {
            $run = "Add-Type -Path '$counter'; `$m = [JitCounting.ModuleMethods]::new('PSNamespaces.'); " +
                "Import-Module '$modulePath' -ErrorAction Stop; $Script; `$m.Settle(); `"`$(`$m.Precompiled) `$(`$m.Jitted)`""
            $saved = $env:DOTNET_ReadyToRun
            try {
                if ($NoReadyToRun) { $env:DOTNET_ReadyToRun = '0' }
                $out = & $pwsh -NoProfile -NonInteractive -Command $run
                if ($LASTEXITCODE) { throw "pwsh exited with $LASTEXITCODE`: $out" }
            } finally {
                $env:DOTNET_ReadyToRun = $saved
            }
            $precompiled, $jitted = "$(@($out)[-1])" -split ' '
            [pscustomobject]@{ Precompiled = [int]$precompiled; Jitted = [int]$jitted }
        }
    }

    It 'loads PSNamespaces.dll from runtimes/RID/ of this machine' {
        $ownRid | Should -Not -BeNullOrEmpty
        [PSNamespaces.Namespace].Assembly.Location | Should -Be (Join-Path $moduleBase "runtimes/$ownRid/PSNamespaces.dll")
        Test-Path (Join-Path $moduleBase 'PSNamespaces.dll') | Should -BeFalse
    }

    It 'ships <Name> in each runtimes/RID/ precompiled for that machine' -TestCases @(
        @{ Name = 'PSNamespaces.dll' }
        @{ Name = 'Tmds.LibC.dll' }
    ) {
        $folders = @(Get-ChildItem (Join-Path $moduleBase 'runtimes') -Directory)
        $folders.Name | Should -Contain $ownRid
        foreach ($folder in $folders) {
            $headers = Get-PEHeader (Join-Path $folder.FullName $Name)
            [int]$headers.CoffHeader.Machine | Should -Be $linuxMachine[$folder.Name] -Because $folder.Name
            $headers.CorHeader.ManagedNativeHeaderDirectory.Size | Should -BeGreaterThan 0 -Because "$($folder.Name) is precompiled"
        }
    }

    It 'ships the loader as IL for any machine' {
        $headers = Get-PEHeader (Join-Path $moduleBase 'PSNamespaces.Loader.dll')
        $headers.CoffHeader.Machine | Should -Be ([Reflection.PortableExecutable.Machine]::I386)
        $headers.CorHeader.Flags | Should -Be ([Reflection.PortableExecutable.CorFlags]::ILOnly)
        $headers.CorHeader.ManagedNativeHeaderDirectory.Size | Should -Be 0
    }

    It 'runs <Script> in a fresh pwsh from precompiled code: the JIT compiles a fifth of the methods or fewer' -TestCases @(
        @{ Script = '$null = Get-Namespace' }
        @{ Script = 'New-Namespace -Type Net -FilePath true' }
    ) {
        $shipped = Measure-ModuleJit $Script
        $without = Measure-ModuleJit $Script -NoReadyToRun
        # Without precompiled code every method that runs is compiled: hundreds, none precompiled.
        $without.Precompiled | Should -Be 0
        $without.Jitted | Should -BeGreaterThan 100
        $shipped.Precompiled | Should -BeGreaterThan 0
        $shipped.Jitted | Should -BeLessOrEqual ($without.Jitted / 5)
    }
}
