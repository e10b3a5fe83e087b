<#
    What the one-shot rows (C0-C3) measure against (issue 27): an empty one-cmdlet binary module,
    whose import is what PowerShell charges any binary module, and a ReadyToRun copy of the
    pinned pwsh, as Microsoft's own packages ship it (the dotnet-tool pwsh the project pins is IL
    only, so every import there pays pwsh's JIT of its own module code).
#>

Set-StrictMode -Version Latest

# The pwsh assemblies a one-shot script of the C rows loads (checked with
# [AppDomain]::CurrentDomain.GetAssemblies() after each row's command): compiling only these
# keeps the copy's build to about a minute; the other assemblies stay IL, as they would be
# loaded by none of the rows.
$PwshAssemblies = @(
    'pwsh.dll'
    'System.Management.Automation.dll'
    'Microsoft.PowerShell.ConsoleHost.dll'
    'Microsoft.PowerShell.Commands.Utility.dll'
    'Microsoft.PowerShell.Commands.Management.dll'
    'Microsoft.PowerShell.Security.dll'
    'Microsoft.PowerShell.MarkdownRender.dll'
    'Microsoft.ApplicationInsights.dll'
    'Newtonsoft.Json.dll'
)

function Invoke-BenchBuild {
    param([Parameter(Mandatory)] [string] $FilePath, [Parameter(Mandatory)] [string[]] $ArgumentList)
    $output = & $FilePath @ArgumentList 2>&1
    if ($LASTEXITCODE) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code ${LASTEXITCODE}: $($output -join "`n")" }
}

function Build-EmptyModule {
    <#
    .SYNOPSIS
        Builds bench/src/EmptyModule (one cmdlet, Get-Empty, that writes 1) into OutputPath and
        returns the path of its manifest.
    #>
    param([Parameter(Mandatory)] [string] $OutputPath)
    $project = Join-Path $PSScriptRoot 'src/EmptyModule/EmptyModule.csproj'
    Invoke-BenchBuild dotnet @('build', $project, '-c', 'Release', '-o', $OutputPath, '--nologo', '-v', 'quiet')
    Join-Path $OutputPath 'EmptyModule.psd1'
}

function Test-ReadyToRun {
    <# True when the file is a managed assembly carrying precompiled (ReadyToRun) code. #>
    param([Parameter(Mandatory)] [string] $Path)
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $headers = [System.Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders
        $null -ne $headers.CorHeader -and $headers.CorHeader.ManagedNativeHeaderDirectory.Size -ne 0
    } finally {
        $stream.Dispose()
    }
}

function Build-ReadyToRunPwsh {
    <#
    .SYNOPSIS
        Makes OutputPath a copy of the folder of the pwsh given (PSHOME) whose main assemblies are
        compiled ReadyToRun, and returns the path of its pwsh. Kept between runs: a copy whose
        stamp names the same pwsh and compiler is reused.
    .DESCRIPTION
        The compiler is the one the module's build uses: publishing build/Crossgen2 with
        PublishReadyToRun makes the SDK restore the crossgen2 pack for net10.0 (the runtime pwsh
        7.6 runs on) and the project writes where it is. Each assembly is compiled for this machine's
        architecture against pwsh's folder and the runtime directory of the pwsh that runs this,
        as `crossgen2 IN -o OUT -r PSHOME/*.dll -r RUNTIME/*.dll --targetos linux
        --targetarch ARCH -O`. Only the IL is replaced; the folder is otherwise the pinned one.
    #>
    param([Parameter(Mandatory)] [string] $PwshHome, [Parameter(Mandatory)] [string] $OutputPath, [Parameter(Mandatory)] [string] $WorkPath)
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    $rid = "linux-$architecture"
    $tool = Join-Path $WorkPath 'crossgen2-tool'
    Invoke-BenchBuild dotnet @('publish', (Join-Path $PSScriptRoot '../build/Crossgen2/Crossgen2.csproj'),
        '-c', 'Release', '-r', $rid, '-o', $tool, '--nologo', '-v', 'quiet')
    $crossgen = (Get-Content (Join-Path $tool 'crossgen2.txt') | Where-Object { $_ } | Select-Object -First 1)
    if (-not $crossgen -or -not (Test-Path $crossgen)) { throw "The ReadyToRun compiler was not found (crossgen2.txt says '$crossgen')." }
    $runtime = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()

    $stamp = "pwsh $PwshHome; crossgen2 $crossgen; runtime $runtime; $($PwshAssemblies -join ',')"
    $stampPath = Join-Path $OutputPath '.readytorun-stamp'
    $pwsh = Join-Path $OutputPath 'pwsh'
    if ((Test-Path $stampPath) -and (Get-Content $stampPath -Raw).Trim() -eq $stamp) { return $pwsh }

    if (Test-Path $OutputPath) { Remove-Item $OutputPath -Recurse -Force }
    Copy-Item $PwshHome $OutputPath -Recurse
    foreach ($name in $PwshAssemblies) {
        $source = Join-Path $PwshHome $name
        if (-not (Test-Path $source) -or (Test-ReadyToRun $source)) { continue }
        # In a response file: pwsh on Unix would expand the reference wildcards itself.
        $response = Join-Path $WorkPath 'crossgen2.rsp'
        Set-Content $response @($source, '-o', (Join-Path $OutputPath $name),
            '-r', (Join-Path $PwshHome '*.dll'), '-r', (Join-Path $runtime '*.dll'),
            '--targetos', 'linux', '--targetarch', $architecture, '-O')
        Invoke-BenchBuild $crossgen @("@$response")
    }
    Set-Content $stampPath $stamp
    $pwsh
}

Export-ModuleMember -Function Build-EmptyModule, Build-ReadyToRunPwsh, Test-ReadyToRun
