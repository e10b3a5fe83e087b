# The module as a PowerShell user meets it: manifest, help, views, completion, serialization.
# Written over every exported cmdlet, so a new cmdlet is covered the moment it is exported.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $cmdlets = @(Get-Command -Module PSNamespaces -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    $outputTypes = @(Get-Command -Module PSNamespaces -CommandType Cmdlet | ForEach-Object { $_.OutputType.Type } |
        Where-Object { $_ -and $_.Namespace -eq 'PSNamespaces' } | Sort-Object FullName -Unique | ForEach-Object { @{ Type = $_.FullName } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $module = Get-Module PSNamespaces
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Manifest' {
    It 'is valid and ready to publish' {
        $manifest = Test-ModuleManifest (Join-Path $module.ModuleBase 'PSNamespaces.psd1')
        $manifest.Version | Should -BeGreaterThan ([version]'0.0')
        $manifest.Description | Should -Not -BeNullOrEmpty
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be ([version]'7.4')
        $manifest.PrivateData.PSData.Tags | Should -Contain 'Linux'
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'exports an explicit list that is exactly the cmdlets the assembly defines' {
        $data = Import-PowerShellDataFile (Join-Path $module.ModuleBase 'PSNamespaces.psd1')
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.FunctionsToExport.Count | Should -Be 0
        $data.VariablesToExport.Count | Should -Be 0
        $data.AliasesToExport.Count | Should -Be 0
        $defined = [PSNamespaces.Namespace].Assembly.GetExportedTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
        @($data.CmdletsToExport | Sort-Object) | Should -Be @($defined | Sort-Object)
        @((Get-Command -Module PSNamespaces).Name | Sort-Object) | Should -Be @($defined | Sort-Object)
    }
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name \["   # the text PowerShell makes up when there is no help
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $documented = @{}
        foreach ($p in $help.Parameters.Parameter) { $documented[$p.Name] = ($p.Description.Text -join '').Trim() }
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented[$parameter] | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs help text"
        }
    }

    It 'documents no parameter the cmdlet does not have' {
        foreach ($p in $help.Parameters.Parameter) {
            $command.Parameters.Keys | Should -Contain $p.Name
        }
    }

    It 'has at least two examples, each with code' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples.Example) { $example.Code | Should -Not -BeNullOrEmpty }
    }

    It 'has no unfinished skeleton text left in it' {
        ($help | Out-String -Width 200) | Should -Not -Match '\{\{'
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }
}

Describe 'about_PSNamespaces' {
    It 'explains namespaces in a page' {
        $text = Get-Help about_PSNamespaces | Out-String
        $text | Should -Match 'PID NAMESPACES'
        $text | Should -Match 'readlink /proc/self/ns/net'
    }
}

Describe 'Views for <Type>' -ForEach $outputTypes {
    It 'has a default table view, also for the deserialized type' {
        foreach ($name in $Type, "Deserialized.$Type") {
            $views = @((Get-FormatData -TypeName $name).FormatViewDefinition)
            @($views | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }).Count | Should -BeGreaterOrEqual 1 -Because $name
        }
    }
}

Describe 'Objects' {
    It 'survive PowerShell serialization with their properties (remoting, Export-Clixml): <Command>' -TestCases @(
        @{ Command = { Get-NamespaceProcess -Pid $PID } }
        @{ Command = { Get-ProcNsStatus -Pid $PID } }
    ) {
        $original = & $Command
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($original))
        $copy.PSObject.TypeNames[0] | Should -Be "Deserialized.$($original.GetType().FullName)"
        foreach ($property in $original.PSObject.Properties) {
            $copy.($property.Name) | Should -Be $original.($property.Name) -Because $property.Name
        }
        ($copy | Format-Table | Out-String -Width 120) | Should -Be ($original | Format-Table | Out-String -Width 120)
    }

    It 'read well as strings' {
        "$(Get-NamespaceProcess -Pid $PID)" | Should -Match "^$PID "
        "$(Get-ProcNsStatus -Pid $PID)" | Should -Match "^$PID .*NSpid=$PID"
    }
}

Describe 'Tab completion' {
    It 'completes -Pid with running PIDs and their command names' {
        $prefix = "$PID".Substring(0, "$PID".Length - 1)
        $line = "Get-NamespaceProcess -Pid $prefix"
        $results = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $mine = $results | Where-Object CompletionText -eq "$PID"
        $mine | Should -Not -BeNullOrEmpty
        $mine.ToolTip | Should -Match (Get-Content /proc/$PID/comm)
        $results.CompletionText | ForEach-Object { $_ | Should -BeLike "$prefix*" }
    }

    It 'completes -Name with named network namespaces' {
        $name = "psns-complete-$PID"
        ip netns add $name
        try {
            $line = "Get-NamespaceProcess -Name psns-complete-"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $name
        } finally {
            ip netns delete $name
        }
    }

    It 'completes -Type with the kinds of namespace' {
        $line = 'Get-NamespaceProcess -Type U'
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('User', 'Uts')
    }
}

Describe 'Package' {
    It 'packs into a .nupkg that Install-PSResource installs from a folder repository, and the installed module works' {
        $work = Join-Path ([IO.Path]::GetTempPath()) "psns-package-$PID"
        try {
            $package = & (Join-Path $PSScriptRoot '../../build/New-ModulePackage.ps1') -ModulePath $module.ModuleBase -Destination "$work/repo"
            $package.Name | Should -Be "PSNamespaces.$($module.Version).nupkg"
            # A fresh pwsh with its own HOME installs it from the folder (CurrentUser scope and the
            # repository list both live under HOME), so nothing of the real user's is touched.
            $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name psns-test-repo -Uri '$work/repo' -Trusted
Install-PSResource -Name PSNamespaces -Repository psns-test-repo -Scope CurrentUser -TrustRepository
Import-Module PSNamespaces
(Get-Module PSNamespaces).ModuleBase
(Get-NamespaceProcess -Pid `$PID).Pid -eq `$PID
"@
            $null = New-Item -ItemType Directory "$work/home"
            $pwsh = Join-Path $PSHOME 'pwsh'
            $savedHome = $env:HOME
            try {
                $env:HOME = "$work/home"
                $base, $works = & $pwsh -NoProfile -NonInteractive -Command $script
            } finally {
                $env:HOME = $savedHome
            }
            $base | Should -BeLike "$work/home/*"
            $works | Should -Be 'True'
            Get-ChildItem "$base/en-US/PSNamespaces.dll-Help.xml" | Should -Not -BeNullOrEmpty
        } finally {
            Remove-Item $work -Recurse -Force -ErrorAction Ignore
        }
    }
}
