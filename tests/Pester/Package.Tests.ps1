# The module as users get it: packed into a .nupkg, saved from a repository with PSResourceGet
# into a fresh folder (zip entries carry no mode bits), imported in a new pwsh, and run — also
# from a read-only folder, as an all-users install owned by root is.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    # A package ships both exec helpers; the build makes the arm64 one only with the cross compiler.
    $noArm64Helper = Test-DependencySkip -Name aarch64-linux-gnu-gcc, libc6-dev-arm64-cross -For 'The package tests'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $module = Get-Module PSNamespaces
    $pwsh = Join-Path $PSHOME 'pwsh'
    $work = Join-Path ([IO.Path]::GetTempPath()) "psns-package-save-$PID"
    $null = New-Item -ItemType Directory "$work/home", "$work/saved"
    $package = & (Join-Path $PSScriptRoot '../../build/New-ModulePackage.ps1') -ModulePath $module.ModuleBase -Destination "$work/repo"
    $repository = "psns-save-$PID"
    # A pwsh with its own HOME: PSResourceGet's repository list lives under HOME, so the user's is untouched.
    function Invoke-FreshPwsh([string] $Script) {
        $savedHome = $env:HOME
        try {
            $env:HOME = "$work/home"
            & $pwsh -NoProfile -NonInteractive -Command $Script
        } finally {
            $env:HOME = $savedHome
        }
    }
    $saveScript = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name $repository -Uri '$work/repo' -Trusted
try {
    Save-PSResource -Name PSNamespaces -Repository $repository -Path '$work/saved' -TrustRepository
} finally {
    Unregister-PSResourceRepository -Name $repository
}
(Get-PSResourceRepository | Where-Object Name -EQ $repository | Measure-Object).Count
"@
    $leftRegistered = Invoke-FreshPwsh $saveScript
    $saved = Get-ChildItem "$work/saved/PSNamespaces" -Directory | Select-Object -First 1
    # What the installed module is asked to do: the issue's two commands, answers from the kernel.
    $useScript = @'
$ErrorActionPreference = 'Stop'
Import-Module '{0}/PSNamespaces.psd1'
(Get-Module PSNamespaces).ModuleBase
New-Namespace -Type Pid, Mount -MountProc -FilePath readlink -ArgumentList /proc/self
Enter-Namespace -Pid $PID -Type Net, Uts -FilePath readlink -ArgumentList /proc/self/ns/net
readlink /proc/self/ns/net
'@
}

AfterAll {
    if ($saved -and (Get-Content /proc/self/mountinfo | Select-String -SimpleMatch " $($saved.FullName) ")) { umount $saved.FullName }
    if ($saved) { chmod -R u+w $saved.FullName }
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'The saved package' -Tag 'Root', 'Slow' -Skip:$noArm64Helper {
    It 'is saved from a folder repository, which is unregistered again' {
        $package.Name | Should -Be "PSNamespaces.$($module.Version).nupkg"
        $leftRegistered | Should -Be 0
        $saved | Should -Not -BeNullOrEmpty
        foreach ($rid in 'linux-x64', 'linux-arm64') {
            Test-Path (Join-Path $saved.FullName "runtimes/$rid/nsexec") | Should -BeTrue -Because $rid
            Test-Path (Join-Path $saved.FullName "runtimes/$rid/Tmds.LibC.dll") | Should -BeTrue -Because $rid
        }
    }

    It 'ships PSNamespaces.dll precompiled once per architecture, and the loader that picks one as IL' {
        # An image precompiled for one architecture is refused on the other (it loads none of its
        # types), so each runtimes/RID/ has its own, named by its PE machine (the architecture's
        # XOR'd with crossgen2's Linux tag, 0x7B79), and nothing at the top can be one of them.
        $machines = @{ 'linux-x64' = 0x8664 -bxor 0x7B79; 'linux-arm64' = 0xAA64 -bxor 0x7B79 }
        Test-Path (Join-Path $saved.FullName 'PSNamespaces.dll') | Should -BeFalse
        foreach ($file in @($machines.Keys | ForEach-Object { "runtimes/$_/PSNamespaces.dll" }) + 'PSNamespaces.Loader.dll') {
            $stream = [IO.File]::OpenRead((Join-Path $saved.FullName $file))
            try {
                $headers = [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders
            } finally {
                $stream.Dispose()
            }
            if ($file -match '^runtimes/([^/]+)/') {
                [int]$headers.CoffHeader.Machine | Should -Be $machines[$Matches[1]] -Because $file
                $headers.CorHeader.ManagedNativeHeaderDirectory.Size | Should -BeGreaterThan 0 -Because $file
            } else {
                $headers.CoffHeader.Machine | Should -Be ([Reflection.PortableExecutable.Machine]::I386)
                $headers.CorHeader.Flags | Should -Be ([Reflection.PortableExecutable.CorFlags]::ILOnly)
            }
        }
    }

    It 'shows PSResourceGet and the gallery the manifest''s description, license, release notes and tags' {
        $manifest = Import-PowerShellDataFile (Join-Path $module.ModuleBase 'PSNamespaces.psd1')
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package.FullName)
        try {
            $entry = $zip.Entries | Where-Object FullName -EQ 'PSNamespaces.nuspec'
            $reader = [IO.StreamReader]::new($entry.Open())
            [xml] $nuspec = $reader.ReadToEnd()
            $reader.Dispose()
            $zip.Entries.FullName | Should -Contain 'LICENSE'
        } finally {
            $zip.Dispose()
        }
        $meta = $nuspec.package.metadata
        $meta.version | Should -Be $manifest.ModuleVersion
        $meta.description | Should -Be $manifest.Description
        $meta.licenseUrl | Should -Be $manifest.PrivateData.PSData.LicenseUri
        $meta.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $meta.releaseNotes | Should -Be $manifest.PrivateData.PSData.ReleaseNotes
        foreach ($tag in $manifest.PrivateData.PSData.Tags) { $meta.tags -split ' ' | Should -Contain $tag }
    }

    It 'launches from the folder as unpacked (the helper without its execute bit)' {
        (Get-Item (Join-Path $saved.FullName 'runtimes/linux-x64/nsexec')).UnixMode | Should -Not -Match 'x'
        $base, $inside, $entered, $own = Invoke-FreshPwsh ($useScript -f $saved.FullName)
        $LASTEXITCODE | Should -Be 0
        $base | Should -Be $saved.FullName
        $inside | Should -Be '1'
        $entered | Should -Be $own
    }

    It 'launches from the folder made read-only (chmod -R a-w and a read-only mount, which binds root too)' {
        chmod -R a-w $saved.FullName
        mount --bind $saved.FullName $saved.FullName
        mount -o remount,bind,ro $saved.FullName
        { [IO.File]::WriteAllText((Join-Path $saved.FullName 'probe'), 'x') } | Should -Throw
        $base, $inside, $entered, $own = Invoke-FreshPwsh ($useScript -f $saved.FullName)
        $LASTEXITCODE | Should -Be 0
        $base | Should -Be $saved.FullName
        $inside | Should -Be '1'
        $entered | Should -Be $own
    }
}
