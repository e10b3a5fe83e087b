# The module's arm64 build, run on this x64 machine (issue 27): a PowerShell host published for
# linux-arm64 (tests/Arm64Host) runs under qemu-aarch64-static and imports a copy of the built
# module without runtimes/linux-x64/, so whatever of the module runs is its arm64 build: the
# loader's choice, the precompiled arm64 PSNamespaces.dll and the arm64 exec helper.
# Emulation is slow, so one run does everything and the tests read its report.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    # The build makes the arm64 files only where the cross compiler is (build.ps1); the .NET
    # runtime of the published host needs the arm64 C and C++ libraries, which qemu finds under
    # /usr/aarch64-linux-gnu.
    $noArm64 = Test-DependencySkip -Name aarch64-linux-gnu-gcc, libc6-dev-arm64-cross, libstdc++6-arm64-cross, qemu-aarch64-static -For 'Running the module''s arm64 build'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
}

Describe 'The arm64 build, in an arm64 PowerShell under qemu' -Tag 'Root', 'Slow' -Skip:$noArm64 {
    BeforeAll {
        $work = Join-Path ([IO.Path]::GetTempPath()) "psns-arm64-$PID"
        $module = Join-Path $work 'PSNamespaces'
        $null = New-Item -ItemType Directory $work
        Copy-Item -Recurse (Get-Module PSNamespaces).ModuleBase $module
        Remove-Item -Recurse (Join-Path $module 'runtimes/linux-x64')

        # From NuGet alone (Microsoft.PowerShell.SDK, the linux-arm64 runtime pack, crossgen2).
        # No build server may outlive the build: the leak check would find it.
        $published = [Diagnostics.Stopwatch]::StartNew()
        $hostDir = Join-Path $work 'host'
        $log = & dotnet publish (Join-Path $PSScriptRoot '../Arm64Host/Arm64Host.csproj') -c Release -r linux-arm64 --self-contained `
            -o $hostDir --nologo -v quiet --disable-build-servers 2>&1
        if ($LASTEXITCODE) { throw "dotnet publish of the arm64 host failed: $($log -join "`n")" }
        $published.Stop()

        # An arm64 process cannot start an arm64 program by itself under qemu-user: its execve
        # reaches the kernel, which needs a binfmt_misc rule to hand such a file to qemu. The
        # module starts its helper that way, so the host runs in a user and mount namespace of its
        # own with a binfmt_misc of its own (Linux 6.7+), where the rule is seen by nothing else.
        # The rule matches an ELF header: 64-bit, little-endian, version 1, any OS ABI, an
        # executable or shared object (type 2 or 3), machine 183 (EM_AARCH64). Flags: F opens
        # qemu now; O hands qemu the program as an open descriptor, since the module runs the
        # helper as /proc/self/fd/N of a close-on-exec memfd, which is gone by name after exec.
        $qemu = (Get-Command qemu-aarch64-static -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $magic = '\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
        $mask = '\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
        $rule = ":psns-aarch64:M::${magic}:${mask}:${qemu}:OF"
        $binfmt = Join-Path $work 'binfmt'
        $null = New-Item -ItemType Directory $binfmt
        $setup = 'mount -t binfmt_misc binfmt_misc "$1" && printf %s "$2" > "$1/register" || exit 99; shift 2; exec "$@"'
        # The runtime writes code through a second, writable mapping of it (W^X); qemu sees only
        # writes at the address it translated from, so it could run stale code (with the JIT doing
        # all the work, DOTNET_ReadyToRun=0, the host crashed that way).
        $runtimeEnv = 'DOTNET_EnableWriteXorExecute=0'

        # Runs in the emulated PowerShell; the expected values come from readlink, a program of
        # this machine it starts. $ModuleMethods is the host's count of the module's methods.
        $script = @'
            $namespaces = @(Get-Namespace -Pid $PID | ForEach-Object { "$($_.Type):$($_.Inode)" })
            $launched = New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts
            $launchExit = $LASTEXITCODE
            $kernel = @(Get-ChildItem /proc/$PID/ns | Where-Object Name -NotLike '*_for_children' | ForEach-Object { readlink $_.FullName })
            $ModuleMethods.Settle()
            [pscustomobject]@{
                Architecture = "$([Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture)"
                Assembly     = [PSNamespaces.Namespace].Assembly.Location
                Namespaces   = $namespaces
                Kernel       = $kernel
                Launched     = @($launched)
                LaunchExit   = $launchExit
                Precompiled  = $ModuleMethods.Precompiled
                Jitted       = @($ModuleMethods.JittedNames)
            } | ConvertTo-Json -Compress
'@
        $stderr = Join-Path $work 'stderr'
        $ran = [Diagnostics.Stopwatch]::StartNew()
        $out = unshare --user --map-root-user --mount sh -c $setup sh $binfmt $rule `
            env $runtimeEnv $qemu -L /usr/aarch64-linux-gnu (Join-Path $hostDir 'Arm64Host') $module $script 2>$stderr
        $exit = $LASTEXITCODE
        $ran.Stop()
        if ($exit -eq 99) { throw "No binfmt_misc of its own in a user namespace (Linux 6.7+ has one); this is $(uname -r): $(Get-Content $stderr -Raw)" }
        if ($exit) { throw "The arm64 host exited with $exit`: $($out -join "`n") $(Get-Content $stderr -Raw)" }
        $report = @($out)[-1] | ConvertFrom-Json
        $loaderJitted = @($report.Jitted | Where-Object { $_ -like 'PSNamespaces.Loader.*' })
        $moduleJitted = @($report.Jitted | Where-Object { $_ -notlike 'PSNamespaces.Loader.*' })
        Write-Host ("arm64 host: published in {0:n0} s, ran under qemu in {1:n0} s; the module's methods: {2} ran precompiled, {3} compiled by the JIT (and {4} of the IL loader)" -f
            $published.Elapsed.TotalSeconds, $ran.Elapsed.TotalSeconds, $report.Precompiled, $moduleJitted.Count, $loaderJitted.Count)
    }

    AfterAll {
        if ($work) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
    }

    It 'is an arm64 process that loads PSNamespaces.dll from runtimes/linux-arm64/' {
        $report.Architecture | Should -Be 'Arm64'
        $report.Assembly | Should -Be (Join-Path $module 'runtimes/linux-arm64/PSNamespaces.dll')
    }

    It 'lists with Get-Namespace -Pid $PID the namespaces readlink shows' {
        # "Mount:4026531832" as readlink writes it: "mnt:[4026531832]".
        $listed = @($report.Namespaces | ForEach-Object { ($_ -replace '^Mount:', 'mnt:' -replace ':(\d+)$', ':[$1]').ToLowerInvariant() })
        $report.Kernel | Should -Not -BeNullOrEmpty
        ($listed | Sort-Object) | Should -Be ($report.Kernel | Sort-Object)
    }

    It 'runs readlink in a new UTS namespace with New-Namespace, through the arm64 exec helper' {
        $report.LaunchExit | Should -Be 0
        $report.Launched | Should -Match '^uts:\[\d+\]$'
        $report.Launched | Should -Not -BeIn $report.Kernel
    }

    It 'runs the module''s precompiled arm64 code: the JIT compiles a fifth as many of its methods or fewer' {
        # On x64 a first Get-Namespace and New-Namespace run some 190 of them precompiled. The
        # loader is IL by design; an arm64 image the runtime refused would be compiled whole.
        $report.Precompiled | Should -BeGreaterThan 100
        $moduleJitted.Count | Should -BeLessOrEqual ($report.Precompiled / 5) -Because "the JIT compiled $($moduleJitted -join ', ')"
    }
}
