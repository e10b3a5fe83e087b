# The module as a PowerShell user meets it: manifest, help, views, completion, serialization.
# Written over every exported cmdlet, so a new cmdlet is covered the moment it is exported.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    # A package ships both exec helpers; the build makes the arm64 one only with the cross compiler.
    $noArm64Helper = Test-DependencySkip -Name aarch64-linux-gnu-gcc, libc6-dev-arm64-cross -For 'The package test'
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

    It 'imports the cmdlets through the loader and runtimes/PSNamespaces.psd1, which has the module''s version and nothing to export of its own' {
        $data = Import-PowerShellDataFile (Join-Path $module.ModuleBase 'PSNamespaces.psd1')
        $data.NestedModules | Should -Be @('PSNamespaces.Loader.dll', 'runtimes/PSNamespaces.psd1')
        $data.Keys | Should -Not -Contain 'RootModule'
        $inner = Import-PowerShellDataFile (Join-Path $module.ModuleBase 'runtimes/PSNamespaces.psd1')
        $inner.ModuleVersion | Should -Be $data.ModuleVersion
        $inner.RootModule | Should -Be 'PSNamespaces.dll'
        # Commands belong to the module the user imported, not to the nested manifest of the same
        # name: its manifest, its folder (help, about_).
        $command = Get-Command Get-Namespace
        $command.Source | Should -Be 'PSNamespaces'
        $command.Module.Path | Should -Be (Join-Path $module.ModuleBase 'PSNamespaces.psd1')
        $command.Module.ModuleBase | Should -Be $module.ModuleBase
    }

    It 'names every exported cmdlet in its release notes' {
        $notes = (Import-PowerShellDataFile (Join-Path $module.ModuleBase 'PSNamespaces.psd1')).PrivateData.PSData.ReleaseNotes
        $named = @([regex]::Matches($notes, '\b[A-Z][A-Za-z]+-[A-Z][A-Za-z]+\b').Value | Sort-Object -Unique)
        $named | Should -Be @((Get-Command -Module PSNamespaces -CommandType Cmdlet).Name | Sort-Object)
    }
}

Describe 'One way to name a target' {
    It 'is the same -Pid/-Namespace/-Path/-Name, with the same help, on every cmdlet that acts inside namespaces' {
        $targeted = @(Get-Command -Module PSNamespaces -CommandType Cmdlet | Where-Object { $_.ImplementingType.BaseType.Name -eq 'NamespaceTargetCmdlet' })
        @($targeted.Name | Sort-Object) | Should -Contain 'Enter-Namespace'
        @($targeted.Name | Sort-Object) | Should -Contain 'Invoke-InNamespace'
        foreach ($parameter in 'Pid', 'Namespace', 'Path', 'Name') {
            $texts = @(foreach ($command in $targeted) { ((Get-Help $command.Name -Parameter $parameter).Description.Text -join '').Trim() })
            $texts[0] | Should -Not -BeNullOrEmpty
            @($texts | Select-Object -Unique).Count | Should -Be 1 -Because "-$parameter has one help text"
            @($targeted | ForEach-Object { $_.Parameters[$parameter].ParameterType.FullName } | Select-Object -Unique).Count | Should -Be 1 -Because "-$parameter has one type"
        }
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

    It 'walks through the seed article with <Name> and lists it under SEE ALSO' -ForEach $cmdlets {
        $text = Get-Help about_PSNamespaces | Out-String
        $walk, $seeAlso = $text -split 'SEE ALSO', 2
        $walk | Should -Match "PS> .*\b$Name\b"
        $seeAlso | Should -Match "(?m)^\s*$Name\s*$"
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

Describe 'Objects of <Type>' -Tag 'Root' -ForEach @(
    # Every output type of every cmdlet, made by running the cmdlets: one object for the checks
    # on a single object, and a realistic many for the table width.
    @{ Type = 'PSNamespaces.NamespaceProcess'; One = { Get-NamespaceProcess -Pid $PID }; Many = { Get-NamespaceProcess }
       ToStringIs = { "$PID $(Get-Content /proc/$PID/comm)" } }
    @{ Type = 'PSNamespaces.ProcNsStatus'; One = { Get-ProcNsStatus -Pid $PID }; Many = { Get-ProcNsStatus }
       ToStringIs = { "$PID $(Get-Content /proc/$PID/comm) NSpid=$(((Get-Content /proc/$PID/status) -match '^NSpid:' -split '\s+')[1..9] -join ' ')".TrimEnd() } }
    @{ Type = 'PSNamespaces.Namespace'; One = { Get-Namespace -Pid $PID -Type Net }; Many = { Get-Namespace -IncludeDescriptors }
       ToStringIs = { readlink /proc/$PID/ns/net } }
    @{ Type = 'PSNamespaces.NamespaceInterface'; One = { Get-NamespaceInterface -Pid $PID -InterfaceName lo }; Many = { Get-NamespaceInterface -Pid $PID }
       ToStringIs = { "lo@$(readlink /proc/$PID/ns/net)" } }
    @{ Type = 'PSNamespaces.LaunchedProcess'; One = { param($l) $l }; Many = { param($l) $l }
       ToStringIs = { param($l) "$($l.Pid) sleep" } }
) {
    BeforeAll {
        # A program still running in new namespaces, as New-Namespace -NoWait -PassThru returns it.
        $launched = if ($Type -eq 'PSNamespaces.LaunchedProcess') { New-Namespace -Type Uts, Ipc -FilePath sleep -ArgumentList 60 -NoWait -PassThru }
        $one = & $One $launched
        $many = @(& $Many $launched)
    }

    AfterAll {
        if ($launched -and -not $launched.HasExited) { $launched.Kill(); $null = $launched.WaitForExit(10000) }
    }

    It 'comes from the cmdlets as <Type>' {
        $one.GetType().FullName | Should -Be $Type
        $many.Count | Should -BeGreaterOrEqual 1
    }

    It 'reads well as a string' {
        "$one" | Should -Be (& $ToStringIs $launched)
    }

    It 'renders its default table at 80 and 120 columns with every column whole, and at 120 with the host of a remote object' {
        $labels = @(Get-TableViewLabel $Type)
        foreach ($width in 80, 120) {
            Assert-TableWhole ($many | Format-Table | Out-String -Width $width) $labels $width
        }
        # As Invoke-Command writes a remote object: PowerShell appends a PSComputerName column.
        $remote = Add-RemoteComputerName $many
        $text = Assert-TableWhole ($remote | Format-Table | Out-String -Width 120) ($labels + 'PSComputerName') 120
        @($text -split "`n" | Where-Object { $_.Trim() } | Select-Object -Skip 2) | ForEach-Object { $_ | Should -Match 'web-042\.example\.net\s*$' }
        ($one | Format-List | Out-String -Width 120) | Should -Not -BeNullOrEmpty
    }

    It 'survives PowerShell serialization with its properties (remoting, Export-Clixml)' {
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($one))
        # PSNamespaces.Types.ps1xml turns a namespace back into one; the other types stay property bags.
        $copy.PSObject.TypeNames[0] | Should -Be ($Type -eq 'PSNamespaces.Namespace' ? $Type : "Deserialized.$Type")
        foreach ($property in $one.PSObject.Properties) {
            $value = $one.($property.Name)
            if ($value -is [array]) {
                # Arrays come back element by element; objects in them as their deserialized selves.
                @($copy.($property.Name) | ForEach-Object { "$_" }) | Should -Be @($value | ForEach-Object { "$_" }) -Because $property.Name
            } else {
                $copy.($property.Name) | Should -Be $value -Because $property.Name
            }
        }
        "$copy" | Should -Be "$one"
        ($copy | Format-Table | Out-String -Width 120) | Should -Be ($one | Format-Table | Out-String -Width 120)
        ($copy | Format-List | Out-String -Width 120) | Should -Be ($one | Format-List | Out-String -Width 120)
    }
}

Describe 'Tab completion of -<Parameter> on <Name>' -Tag 'Root' -ForEach @(
    # Every -Pid, -Name and -Type of every exported cmdlet. New-Namespace -Name is left out:
    # it takes a new name, so there is nothing existing to complete.
    foreach ($c in $cmdlets) {
        foreach ($p in 'Pid', 'Name', 'Type') {
            if ((Get-Command $c.Name).Parameters.ContainsKey($p) -and "$($c.Name) $p" -ne 'New-Namespace Name') {
                @{ Name = $c.Name; Parameter = $p }
            }
        }
    }
) {
    BeforeAll {
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches }
    }

    It 'completes it from the system' {
        switch ($Parameter) {
            'Pid' {
                $prefix = "$PID".Substring(0, "$PID".Length - 1)
                $results = Complete "$Name -Pid $prefix"
                $mine = $results | Where-Object CompletionText -EQ "$PID"
                $mine | Should -Not -BeNullOrEmpty
                $mine.ToolTip | Should -Match ([regex]::Escape((Get-Content /proc/$PID/comm)))
                $results.CompletionText | ForEach-Object { $_ | Should -BeLike "$prefix*" }
            }
            'Name' {
                $netns = "psns-complete-$PID"
                ip netns add $netns
                try {
                    (Complete "$Name -Name psns-complete-").CompletionText | Should -Contain $netns
                } finally {
                    ip netns delete $netns
                }
            }
            'Type' {
                @((Complete "$Name -Type U").CompletionText) | Should -Be @('User', 'Uts')
            }
        }
    }
}

Describe 'Pipeline: <Source> | <Target>' -Tag 'Root' -ForEach @(
    # Every cmdlet that takes a process, fed the processes PowerShell and this module write; every
    # cmdlet that takes a namespace, fed Get-Namespace. Each binds by property name and must
    # answer for the process or namespace it was given (checked against /proc).
    foreach ($source in 'Get-Process', 'Get-NamespaceProcess', 'Get-ProcNsStatus', 'New-Namespace -NoWait -PassThru') {
        @{ Source = $source; Target = 'Get-NamespaceProcess'; Script = { $input | Get-NamespaceProcess }; Check = { param($out, $p) $out.Pid | Should -Be $p } }
        @{ Source = $source; Target = 'Get-ProcNsStatus'; Script = { $input | Get-ProcNsStatus }; Check = { param($out, $p) $out.Pid | Should -Be $p } }
        @{ Source = $source; Target = 'Get-Namespace -Type Uts'; Script = { $input | Get-Namespace -Type Uts }; Check = { param($out, $p) $out.Id | Should -Be (readlink /proc/$p/ns/uts) } }
        @{ Source = $source; Target = 'Invoke-InNamespace -Type Uts'; Script = { $input | Invoke-InNamespace -Type Uts { hostname } }; Check = { param($out, $p) $out | Should -Be (nsenter -t $p -u hostname) } }
        @{ Source = $source; Target = 'Get-NamespaceInterface'; Script = { $input | Get-NamespaceInterface }; Check = { param($out, $p) @($out.NetNs | Select-Object -Unique) | Should -Be (Get-NsInode $p net) } }
        @{ Source = $source; Target = 'Enter-Namespace -Type Uts'; Script = { $input | Enter-Namespace -Type Uts -FilePath hostname }; Check = { param($out, $p) $out | Should -Be (nsenter -t $p -u hostname) } }
    }
    @{ Source = 'Get-Namespace'; Target = 'Get-NamespaceProcess'; Namespace = $true; Script = { $input | Get-NamespaceProcess }; Check = { param($out, $p) $out.Pid | Should -Contain $p } }
    @{ Source = 'Get-Namespace'; Target = 'Invoke-InNamespace'; Namespace = $true; Script = { $input | Invoke-InNamespace { hostname } }; Check = { param($out, $p) $out | Should -Be (nsenter -t $p -u hostname) } }
    @{ Source = 'Get-Namespace'; Target = 'Enter-Namespace'; Namespace = $true; Script = { $input | Enter-Namespace -FilePath hostname }; Check = { param($out, $p) $out | Should -Be (nsenter -t $p -u hostname) } }
    @{ Source = 'Get-Namespace'; Target = 'Format-NamespaceTree'; Namespace = $true; Script = { $input | Format-NamespaceTree }; Check = { param($out, $p) ($out -join "`n") | Should -Match ((readlink /proc/$p/ns/uts) -replace '\D') } }
    @{ Source = 'Get-Namespace'; Target = 'ConvertTo-NamespaceGraph'; Namespace = $true; Script = { $input | ConvertTo-NamespaceGraph }; Check = { param($out, $p) $out | Should -Match ('\bn' + ((readlink /proc/$p/ns/uts) -replace '\D') + ' \[label="uts ') } }
) {
    BeforeAll {
        # A process in a UTS namespace of its own, with its own host name, so entering the wrong
        # process or namespace shows.
        $box = New-Namespace -Type Uts -FilePath sh -ArgumentList '-c', 'hostname psns-pipe; exec sleep 60' -NoWait -PassThru
        for ($i = 0; $i -lt 1500 -and (nsenter -t $box.Pid -u hostname) -ne 'psns-pipe'; $i++) { Start-Sleep -Milliseconds 20 }
        # Else the checks below would compare with the session's own host name, and pass for the wrong namespace.
        if ((nsenter -t $box.Pid -u hostname) -ne 'psns-pipe') { throw 'The box did not set its host name psns-pipe.' }
        $p = $box.Pid
        $inputObject = if ($Namespace) { Get-Namespace -Pid $p -Type Uts }
        else {
            switch ($Source) {
                'Get-Process' { Get-Process -Id $p }
                'Get-NamespaceProcess' { Get-NamespaceProcess -Pid $p }
                'Get-ProcNsStatus' { Get-ProcNsStatus -Pid $p }
                default { $box }
            }
        }
    }

    AfterAll {
        if (-not $box.HasExited) { $box.Kill(); $null = $box.WaitForExit(10000) }
    }

    It 'binds and answers for that process or namespace' {
        $out = @($inputObject | & $Script)
        $out.Count | Should -BeGreaterOrEqual 1
        & $Check $out $box.Pid
    }
}

Describe 'Pipeline: Get-Namespace | Set-NamespaceNetNsId, Remove-Namespace' -Tag 'Root' {
    BeforeAll {
        $netns = "psns-pipe-$PID"
        ip netns add $netns
    }

    AfterAll {
        if (Test-Path "/run/netns/$netns") { ip netns delete $netns }
    }

    It 'binds a named network namespace by its Name' {
        $id = (Get-Namespace -Name $netns | Set-NamespaceNetNsId -PassThru).NetNsId
        (ip netns list | Where-Object { $_ -like "$netns *" }) | Should -Be "$netns (id: $id)"
        Get-Namespace -Name $netns | Remove-Namespace -WarningAction SilentlyContinue
        Test-Path "/run/netns/$netns" | Should -BeFalse
        ip netns list | Where-Object { $_ -like "$netns*" } | Should -BeNullOrEmpty
    }
}

Describe 'Package' -Tag 'Slow' -Skip:$noArm64Helper {
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
