# build.ps1 on a machine without the other architecture's cross compiler: the README's first
# command must work there, and only -Task Package needs both compilers. And the list of what the
# tests need, which -Task Test installs.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

Describe 'build.ps1 without the other architecture''s cross compiler' -Tag 'Root', 'Slow' {
    BeforeAll {
        $work = Join-Path ([IO.Path]::GetTempPath()) "psns-build-$PID"
        $clone = Join-Path $work 'clone'
        $bin = Join-Path $work 'bin'
        $null = New-Item -ItemType Directory $clone, $bin
        # A fresh clone: the files git knows (with their changes), nothing built.
        foreach ($file in git -C $repo ls-files --cached --others --exclude-standard) {
            $source = Join-Path $repo $file
            if (-not (Test-Path -LiteralPath $source -PathType Leaf)) { continue }
            $target = Join-Path $clone $file
            $null = New-Item -ItemType Directory (Split-Path $target) -Force
            Copy-Item -LiteralPath $source $target
        }
        # PATH as this machine's, without the other architecture's compilers: one folder of links.
        $other = if ((uname -m) -eq 'aarch64') { 'x86_64-linux-gnu-' } else { 'aarch64-linux-gnu-' }
        $package = if ($other -like 'aarch64*') { 'gcc-aarch64-linux-gnu' } else { 'gcc-x86-64-linux-gnu' }
        $otherRid = if ($other -like 'aarch64*') { 'linux-arm64' } else { 'linux-x64' }
        $ownRid = if ($other -like 'aarch64*') { 'linux-x64' } else { 'linux-arm64' }
        foreach ($dir in $env:PATH -split ':' | Where-Object { $_ -and (Test-Path $_) } | Select-Object -Unique) {
            foreach ($program in Get-ChildItem $dir -File -ErrorAction Ignore) {
                $link = Join-Path $bin $program.Name
                if ($program.Name -like "$other*" -or (Test-Path -LiteralPath $link)) { continue }
                $null = New-Item -ItemType SymbolicLink -Path $link -Target $program.FullName
            }
        }
        $pwsh = Join-Path $PSHOME 'pwsh'
        function Invoke-CloneBuild([string] $Task) {
            $savedPath = $env:PATH
            try {
                $env:PATH = $bin
                & $pwsh -NoProfile -NonInteractive -File (Join-Path $clone 'build.ps1') -Task $Task *>&1 | ForEach-Object { "$_" }
            } finally {
                $env:PATH = $savedPath
            }
        }
    }

    AfterAll {
        Remove-Item $work -Recurse -Force -ErrorAction Ignore
    }

    It 'finds no cross compiler on the PATH it is given' {
        $savedPath = $env:PATH
        try {
            $env:PATH = $bin
            Get-Command "${other}gcc" -CommandType Application -ErrorAction Ignore | Should -BeNullOrEmpty
            Get-Command dotnet -CommandType Application -ErrorAction Ignore | Should -Not -BeNullOrEmpty
        } finally {
            $env:PATH = $savedPath
        }
    }

    It 'builds a module for this machine, which launches, and says what the other architecture needs' {
        $out = Invoke-CloneBuild Build
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match ([regex]::Escape("${other}gcc"))
        ($out -join "`n") | Should -Match ([regex]::Escape("apt-get install $package"))
        $module = Join-Path $clone 'out/PSNamespaces'
        Test-Path (Join-Path $module "runtimes/$ownRid/nsexec") | Should -BeTrue
        Test-Path (Join-Path $module "runtimes/$otherRid") | Should -BeFalse
        $seen = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$module'; New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts"
        $LASTEXITCODE | Should -Be 0
        $seen | Should -Match '^uts:\[\d+\]$'
        $seen | Should -Not -Be (readlink /proc/self/ns/uts)
    }

    It 'refuses -Task Package, naming the compiler and its Debian package' {
        $out = Invoke-CloneBuild Package
        $LASTEXITCODE | Should -Not -Be 0
        ($out -join "`n") | Should -Match ([regex]::Escape("${other}gcc"))
        ($out -join "`n") | Should -Match ([regex]::Escape("apt-get install $package"))
        Test-Path (Join-Path $clone 'out/packages') | Should -BeFalse
    }
}

Describe 'build/SystemDependencies.psd1, what the tests need' {
    BeforeAll {
        $rows = (Import-PowerShellDataFile (Join-Path $repo 'build/SystemDependencies.psd1')).Dependencies
        Import-Module (Join-Path $repo 'build/SystemDependencies.psm1') -Force
    }

    It 'has one probe, the Debian packages and a reason in every row, under a name of its own' {
        @($rows.Name | Sort-Object -Unique).Count | Should -Be $rows.Count
        foreach ($row in $rows) {
            @('Command', 'File', 'DebianPackage' | Where-Object { $row.ContainsKey($_) }).Count | Should -Be 1 -Because $row.Name
            @($row.Packages).Count | Should -BeGreaterThan 0 -Because $row.Name
            $row.Why | Should -Not -BeNullOrEmpty -Because $row.Name
        }
    }

    It 'lists every package the suite needs' {
        $packages = @($rows.Packages)
        foreach ($package in 'util-linux', 'iproute2', 'gcc', 'libc6-dev', 'linux-libc-dev', 'strace', 'graphviz', 'busybox-static',
            'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'libstdc++6-arm64-cross', 'qemu-user-static', 'file', 'openssh-server', 'openssh-client', 'uidmap', 'runc') {
            $packages | Should -Contain $package
        }
    }

    It 'finds a row present as sh, test and dpkg-query do' {
        foreach ($row in $rows) {
            $expected = if ($row.ContainsKey('Command')) {
                sh -c "command -v '$($row.Command)' >/dev/null"; $LASTEXITCODE -eq 0
            } elseif ($row.ContainsKey('File')) {
                test -e $row.File; $LASTEXITCODE -eq 0
            } else {
                "$(dpkg-query -W -f '${Status}' $row.DebianPackage 2>$null)" -eq 'install ok installed'
            }
            (Get-SystemDependency -Name $row.Name).Present | Should -Be $expected -Because $row.Name
        }
    }
}
