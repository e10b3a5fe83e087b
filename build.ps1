#!/usr/bin/env pwsh

<#
.SYNOPSIS
    Builds, tests and demonstrates PSNamespaces.
.DESCRIPTION
    Build  publishes the C# module and assembles out/PSNamespaces/, an importable module: the
           exec helper for this machine's architecture (the plain C compiler), and for the other
           (linux-x64, linux-arm64) when its cross compiler is there.
    Test   installs what the tests need (build/SystemDependencies.psd1; as root, with apt-get;
           elsewhere it names what is missing and those tests skip), builds, runs the xunit tests
           and the Pester suite, prints "N passed, N failed".
    Demo   builds, then runs examples/Seed-Walkthrough.ps1.
    Bench  builds, then runs the benchmark suite and writes bench/RESULTS.md (bench/README.md).
    Shell  builds, then opens pwsh with the module imported.
    Package builds for both architectures (it fails naming a missing compiler), then writes
           out/packages/PSNamespaces.<version>.nupkg, installable with Install-PSResource from a
           folder repository.
    Run it as `dotnet tool restore && dotnet pwsh ./build.ps1 -Task <task>`.
.PARAMETER TestPath
    With -Task Test: only these Pester files (the leak check still runs last).
.PARAMETER Tag
    With -Task Test: only the Pester Describes with these tags; xunit and the leak check still run,
    and the closing line counts only what ran. Fast is the edit-run loop's subset, every Describe
    not tagged Slow (under two minutes with the build); Fleet is the SSH remoting suite alone; any
    other value is a Pester tag. The tags in tests/Pester: Root (needs root), Slow (takes more than
    a few seconds), Fleet (the sshd fleet). A tag that selects nothing fails the run.
.PARAMETER Benchmark
    With -Task Bench: only these benchmarks (bench/Invoke-Benchmark.ps1 lists them).
.PARAMETER Repetitions
    With -Task Bench: timed samples per side (default 7).
.PARAMETER ProcessCount
    With -Task Bench: processes in the fixture (default 2000).
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Shell', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string[]] $TestPath,

    [string[]] $Tag,

    [string[]] $Benchmark,

    [int] $Repetitions,

    [int] $ProcessCount
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$OutDir = Join-Path $Root 'out'
$ModuleDir = Join-Path $OutDir 'PSNamespaces'
$PublishDir = Join-Path $OutDir 'publish'
$PesterVersion = '5.7.1'
# The pwsh that runs this script, reused for child sessions (tests, demo, shell).
$Pwsh = Join-Path $PSHOME 'pwsh'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

# The runtime identifiers the module ships for, with the C compilers that build the exec helper
# for each and the Debian/Ubuntu packages that have them. Each gets runtimes/RID/: PSNamespaces.dll
# and Tmds.LibC.dll precompiled (ReadyToRun) for it, and the helper (PSNamespaces.Loader.dll
# picks the running architecture's folder; Interop/RuntimeAssets.cs finds the rest beside it).
# The machine's own architecture is built with the plain compiler; the other one when its cross
# compiler is there, and -Task Package requires both.
$HostRuntimeId = if ([Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'linux-arm64' } else { 'linux-x64' }
$RuntimeIds = [ordered]@{
    'linux-x64'   = @{ Compilers = @('x86_64-linux-gnu-gcc'); Packages = 'gcc-x86-64-linux-gnu libc6-dev-amd64-cross' }
    'linux-arm64' = @{ Compilers = @('aarch64-linux-gnu-gcc'); Packages = 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross' }
}
$RuntimeIds[$HostRuntimeId] = @{ Compilers = @('cc', 'gcc', 'clang') + $RuntimeIds[$HostRuntimeId].Compilers; Packages = 'gcc libc6-dev' }

function Find-HelperCompiler {
    <# The first of a runtime's compilers on PATH, or $null. #>
    param([Parameter(Mandatory)] [string] $RuntimeId)
    foreach ($name in $RuntimeIds[$RuntimeId].Compilers) {
        $found = Get-Command $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($found) { return $found.Source }
    }
}

function Get-MissingCompilerMessage {
    param([Parameter(Mandatory)] [string] $RuntimeId)
    "No C compiler for $RuntimeId found ($($RuntimeIds[$RuntimeId].Compilers -join ', ')). On Debian or Ubuntu: apt-get install $($RuntimeIds[$RuntimeId].Packages)."
}

function Invoke-Build {
    # With -AllRuntimes (the package), a runtime without its compiler fails the build; otherwise
    # only the machine's own does, and the module is built for the runtimes it can build.
    param([switch] $AllRuntimes)
    Write-Host "Building PSNamespaces ($Configuration)..."
    $compilers = [ordered]@{}
    foreach ($rid in $RuntimeIds.Keys) {
        $compiler = Find-HelperCompiler $rid
        if ($compiler) { $compilers[$rid] = $compiler; continue }
        $message = Get-MissingCompilerMessage $rid
        if ($rid -eq $HostRuntimeId) { throw "$message It builds the exec helper, src/PSNamespaces/Native/nsexec.c." }
        if ($AllRuntimes) { throw "$message A package ships the exec helper for linux-x64 and linux-arm64." }
        Write-Warning "$message Building for $HostRuntimeId only; -Task Package needs both."
    }
    # An explicit list: the module folder holds exactly these, and a missing one fails the build.
    $files = [ordered]@{}
    foreach ($rid in $compilers.Keys) {
        $compiler = $compilers[$rid]
        $publish = Join-Path $PublishDir $rid
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/PSNamespaces/PSNamespaces.csproj'),
            '-c', $Configuration, '-r', $rid, '--self-contained', 'false',
            '-o', $publish, '--nologo', '-v', 'quiet', '-p:GenerateFullPaths=true', '-p:PlatformTarget=AnyCPU')
        $helper = Join-Path $publish 'nsexec'
        Invoke-HelperBuild -Output $helper -Compiler $compiler
        $files[$helper] = "runtimes/$rid/nsexec"
        foreach ($assembly in 'PSNamespaces.dll', 'Tmds.LibC.dll') {
            $precompiled = Join-Path $publish "readytorun/$assembly"
            Invoke-ReadyToRunCompile -RuntimeId $rid -Assembly (Join-Path $publish $assembly) -Output $precompiled -Reference (Join-Path $publish 'Tmds.LibC.dll')
            $files[$precompiled] = "runtimes/$rid/$assembly"
        }
    }
    $loader = Join-Path $PublishDir 'loader'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/PSNamespaces.Loader/PSNamespaces.Loader.csproj'),
        '-c', $Configuration, '-o', $loader, '--nologo', '-v', 'quiet', '-p:GenerateFullPaths=true')
    $files[(Join-Path $loader 'PSNamespaces.Loader.dll')] = 'PSNamespaces.Loader.dll'
    $files[(Join-Path $Root 'PSNamespaces.psd1')] = 'PSNamespaces.psd1'
    $files[(Join-Path $Root 'src/PSNamespaces/PSNamespaces.psd1')] = 'runtimes/PSNamespaces.psd1'
    $files[(Join-Path $Root 'LICENSE')] = 'LICENSE'
    $files[(Join-Path $Root 'src/PSNamespaces/PSNamespaces.Format.ps1xml')] = 'PSNamespaces.Format.ps1xml'
    $files[(Join-Path $Root 'src/PSNamespaces/PSNamespaces.Types.ps1xml')] = 'PSNamespaces.Types.ps1xml'
    if (Test-Path $ModuleDir) { Remove-Item $ModuleDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ModuleDir
    foreach ($source in $files.Keys) {
        if (-not (Test-Path $source)) { throw "Build output missing: $source" }
        $target = Join-Path $ModuleDir $files[$source]
        $null = New-Item -ItemType Directory -Path (Split-Path $target) -Force
        Copy-Item $source $target
    }
    # Help: MAML from the platyPS-format markdown, and the about_ topic as it is.
    $null = New-Item -ItemType Directory -Path (Join-Path $ModuleDir 'en-US')
    & (Join-Path $Root 'build/ConvertTo-MamlHelp.ps1') -SourceDirectory (Join-Path $Root 'docs/en-US') `
        -OutputPath (Join-Path $ModuleDir 'en-US/PSNamespaces.dll-Help.xml')
    Copy-Item (Join-Path $Root 'docs/en-US/about_PSNamespaces.help.txt') (Join-Path $ModuleDir 'en-US')
    Write-Host "Module ready: $ModuleDir"
}

$ReadyToRunInputs = @{}
$PinnedPwshHome = $null

function Get-PinnedPwshHome {
    <#
        The folder of the pwsh the project pins (.config/dotnet-tools.json), whose
        System.Management.Automation and other assemblies the module is precompiled against:
        this pwsh's own when it is that one (`dotnet pwsh ./build.ps1`), else the dotnet tool's
        folder in the NuGet cache. Code compiled against another pwsh is partly refused at run
        time, silently, so another one is never used.
    #>
    $version = (Get-Content (Join-Path $Root '.config/dotnet-tools.json') -Raw | ConvertFrom-Json).tools.powershell.version
    if ($PSVersionTable.PSVersion.ToString() -eq $version) { return $PSHOME }
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $pinned = Join-Path $packages "powershell/$version/tools/net10.0/any/unix"
    if (-not (Test-Path (Join-Path $pinned 'System.Management.Automation.dll'))) {
        throw "This is pwsh $($PSVersionTable.PSVersion); the module is compiled against the pinned pwsh $version, which is not restored: run 'dotnet tool restore' (then 'dotnet pwsh ./build.ps1')."
    }
    $pinned
}

function Get-ReadyToRunInput {
    <#
        The ReadyToRun compiler and the framework assemblies of .NET 10 (what pwsh 7.6 runs on) for
        a runtime identifier, both from NuGet through the SDK (build/Crossgen2/Crossgen2.csproj),
        as @{ Compiler; Framework }. Once per build and identifier.
    #>
    param([Parameter(Mandatory)] [string] $RuntimeId)
    if (-not $script:ReadyToRunInputs.ContainsKey($RuntimeId)) {
        $tool = Join-Path $OutDir "crossgen2/$RuntimeId"
        $project = Join-Path $Root 'build/Crossgen2/Crossgen2.csproj'
        function Read-Found {
            @{
                Compiler  = (Get-Content (Join-Path $tool 'crossgen2.txt') -ErrorAction Ignore | Where-Object { $_ } | Select-Object -First 1)
                Framework = (Get-Content (Join-Path $tool 'runtime.txt') -ErrorAction Ignore | Where-Object { $_ } | Select-Object -First 1)
            }
        }
        function Test-Found($found) {
            $found.Compiler -and (Test-Path $found.Compiler) -and $found.Framework -and (Test-Path (Join-Path $found.Framework 'System.Private.CoreLib.dll'))
        }
        # What an earlier build found is kept while the project is unchanged and the files exist
        # (the publish takes seconds).
        $found = Read-Found
        $stale = Get-Item (Join-Path $tool 'runtime.txt') -ErrorAction Ignore | Where-Object LastWriteTimeUtc -lt (Get-Item $project).LastWriteTimeUtc
        if ($stale -or -not (Test-Found $found)) {
            Invoke-Native dotnet @('publish', $project, '-c', 'Release', '-r', $RuntimeId, '-o', $tool, '--nologo', '-v', 'quiet')
            $found = Read-Found
        }
        if (-not (Test-Found $found)) { throw "The ReadyToRun compiler or the $RuntimeId runtime pack was not restored (crossgen2.txt says '$($found.Compiler)', runtime.txt '$($found.Framework)')." }
        $script:ReadyToRunInputs[$RuntimeId] = $found
    }
    $script:ReadyToRunInputs[$RuntimeId]
}

function Invoke-ReadyToRunCompile {
    <#
        Precompiles an assembly for one architecture, as
        `crossgen2 IN -o OUT -r FRAMEWORK/*.dll -r PSHOME/*.dll -r REFERENCES --targetos linux
        --targetarch ARCH -O`. The IL stays in the output, so a runtime that refuses the code (pwsh
        7.4's .NET 8 does not use code compiled for .NET 10) runs the IL; the precompiled code is
        what pwsh 7.6 runs instead of compiling each method on its first call. Compiled against
        the pinned pwsh (System.Management.Automation and the rest; Get-PinnedPwshHome) and the
        .NET 10 runtime pack of that architecture.
    #>
    param(
        [Parameter(Mandatory)] [string] $RuntimeId,
        [Parameter(Mandatory)] [string] $Assembly,
        [Parameter(Mandatory)] [string] $Output,
        [string[]] $Reference = @()
    )
    $inputs = Get-ReadyToRunInput $RuntimeId
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Output)
    # In a response file: pwsh would otherwise expand the reference wildcards itself.
    $response = "$Output.rsp"
    if (-not $script:PinnedPwshHome) { $script:PinnedPwshHome = Get-PinnedPwshHome }
    $lines = @($Assembly, '-o', $Output, '-r', (Join-Path $inputs.Framework '*.dll'), '-r', (Join-Path $script:PinnedPwshHome '*.dll'))
    foreach ($path in $Reference) { if ($path -ne $Assembly) { $lines += @('-r', $path) } }
    $lines += @('--targetos', 'linux', '--targetarch', ($RuntimeId -replace '^linux-', ''), '-O')
    Set-Content -Path $response -Value $lines
    $output = & $inputs.Compiler "@$response" 2>&1
    if ($LASTEXITCODE -ne 0) { throw "crossgen2 failed on ${Assembly} for ${RuntimeId}: $($output -join "`n")" }
}

function Invoke-HelperBuild {
    <#
        Compiles the native exec helper (src/PSNamespaces/Native/nsexec.c) for one architecture.
        It is single-threaded C because pwsh cannot do what it does (see the file's header).
        Linked statically, so it runs on any distribution's C library of that architecture.
    #>
    param(
        [Parameter(Mandatory)] [string] $Output,
        # The compiler Find-HelperCompiler chose for the architecture.
        [Parameter(Mandatory)] [string] $Compiler
    )
    $source = Join-Path $Root 'src/PSNamespaces/Native/nsexec.c'
    # The build id the module checks before it runs the helper (Core/Launch/HelperBuildId.cs):
    # the source's SHA-256, which the csproj puts in PSNamespaces.dll the same way.
    $buildId = (Get-FileHash $source -Algorithm SHA256).Hash.ToLowerInvariant()
    Invoke-Native $Compiler @('-O2', '-Wall', '-Wextra', '-Werror', '-static', "-DNSEXEC_BUILD_ID=`"$buildId`"", '-o', $Output, $source)
}

function Get-PesterModulePath {
    # Restores the pinned Pester from NuGet (the package holds the module under tools/).
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/TestDependencies.csproj'), '--nologo', '-v', 'quiet')
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { throw "Pester $PesterVersion was restored but $manifest is missing." }
    $manifest
}

function Invoke-XunitTests {
    $project = Join-Path $Root 'tests/PSNamespaces.Tests/PSNamespaces.Tests.csproj'
    if (-not (Test-Path $project)) { return [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 } }
    $trx = Join-Path $OutDir 'xunit.trx'
    Remove-Item $trx -ErrorAction Ignore
    & dotnet test $project -c $Configuration --nologo -v quiet --logger "trx;LogFileName=$trx" | Out-Host
    if (-not (Test-Path $trx)) { throw 'xunit produced no results.' }
    $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error
        Skipped = [int]$counters.notExecuted
    }
}

function Install-TestDependency {
    <#
        Installs what build/SystemDependencies.psd1 lists and this machine lacks, as root where
        apt-get is (Debian, Ubuntu); elsewhere names it: the tests that need it then skip (and
        fail in CI, where nothing may skip).
    #>
    Import-Module (Join-Path $Root 'build/SystemDependencies.psm1') -Force
    $missing = @(Get-SystemDependency | Where-Object { -not $_.Present })
    if (-not $missing) { return }
    $aptGet = Get-Command apt-get -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($aptGet -and (& id -u) -eq '0') {
        $packages = @($missing.Packages | Select-Object -Unique)
        Write-Host "Installing what the tests need: $($packages -join ' ')"
        Invoke-Native $aptGet.Source @('update', '-qq')
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native $aptGet.Source (@('install', '-y', '-qq') + $packages)
        $missing = @(Get-SystemDependency | Where-Object { -not $_.Present })
        if ($missing) { throw "Still missing after apt-get install: $(@($missing | Format-MissingDependency) -join '; ')" }
        return
    }
    $how = if ($aptGet) { 'not root, so not installed' } else { 'no apt-get, so not installed' }
    Write-Warning "Missing ($how); the tests that need it skip:"
    $missing | Format-MissingDependency | ForEach-Object { Write-Warning "  $_" }
}

function Invoke-Test {
    Install-TestDependency
    Invoke-Build
    $pester = Get-PesterModulePath
    $xunit = Invoke-XunitTests

    # Pester runs in a child pwsh so the suite sees a fresh process: its threads, descriptors
    # and namespaces are the test's baseline, not this build script's. Without telemetry: its
    # flush, some 30 s after a pwsh starts, loads assemblies and opens sockets, which the tests
    # that count descriptors would take for a leak.
    $env:POWERSHELL_TELEMETRY_OPTOUT = '1'
    $resultFile = Join-Path $OutDir 'pester-summary.json'
    Remove-Item $resultFile -ErrorAction Ignore
    $runner = Join-Path $Root 'tests/Invoke-PesterSuite.ps1'
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $pester, '-ModulePath', $ModuleDir, '-SummaryPath', $resultFile)
    if ($TestPath) { $arguments += @('-TestPath', ($TestPath -join ',')) }
    if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
    & $Pwsh @arguments
    if (-not (Test-Path $resultFile)) { throw 'The Pester run ended without a summary.' }
    $pesterResult = Get-Content $resultFile -Raw | ConvertFrom-Json
    if ($null -eq $pesterResult.Passed -or $null -eq $pesterResult.Failed) { throw "The Pester run wrote no counts: $resultFile" }

    $passed = $xunit.Passed + $pesterResult.Passed
    $failed = $xunit.Failed + $pesterResult.Failed
    $skipped = $xunit.Skipped + $pesterResult.Skipped
    Write-Host ''
    foreach ($failure in $pesterResult.Failures) { Write-Host "FAILED: $failure" }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pesterResult.Passed) passed, $($pesterResult.Failed) failed"
    $line = "$passed passed, $failed failed"
    if ($skipped) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0 -or $pesterResult.Passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'examples/Seed-Walkthrough.ps1') -ModulePath $ModuleDir
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    $options = @{ ModulePath = $ModuleDir }
    if ($Benchmark) { $options.Benchmark = $Benchmark }
    if ($Repetitions) { $options.Repetitions = $Repetitions }
    if ($ProcessCount) { $options.ProcessCount = $ProcessCount }
    & (Join-Path $Root 'bench/Invoke-Benchmark.ps1') @options
}

function Invoke-Package {
    Invoke-Build -AllRuntimes
    $packages = Join-Path $OutDir 'packages'
    if (Test-Path $packages) { Remove-Item $packages -Recurse -Force }
    & (Join-Path $Root 'build/New-ModulePackage.ps1') -ModulePath $ModuleDir -Destination $packages |
        ForEach-Object { Write-Host "Package: $($_.FullName)" }
}

function Invoke-Shell {
    Invoke-Build
    & $Pwsh -NoExit -NoProfile -Command "Import-Module '$ModuleDir'"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Shell' { Invoke-Shell }
    'Package' { Invoke-Package }
}
