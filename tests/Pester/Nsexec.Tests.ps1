# The exec helper (src/PSNamespaces/Native/nsexec.c) and its protocol with the C# side.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $assembly = (Get-Module PSNamespaces).ImplementingAssembly
    $flags = [Reflection.BindingFlags]'NonPublic,Public,Instance,Static'
}

Describe 'The exec helper' {
    It 'is shipped in the module folder, executable' {
        $helper = Join-Path (Get-Module PSNamespaces).ModuleBase 'nsexec'
        Test-Path $helper | Should -BeTrue
        (Get-Item $helper).UnixMode | Should -Match '^-rwx.-x.-x'
    }

    It 'reports the kinds C# reads, as the C source defines them' {
        $c = Get-Content (Join-Path $PSScriptRoot '../../src/PSNamespaces/Native/nsexec.c') -Raw
        $c -match 'enum report_kind \{([^}]*)\}' | Should -BeTrue
        $kinds = $assembly.GetType('PSNamespaces.Core.Launch.HelperReportKind')
        $entries = @($Matches[1] -split ',' | Where-Object { $_.Trim() })
        $entries.Count | Should -Be ([Enum]::GetValues($kinds).Count)
        foreach ($entry in $entries) {
            $name, $value = $entry -split '=' | ForEach-Object Trim
            $csharp = @{ REPORT_FAILED = 'Failed'; REPORT_SYNC = 'Sync'; REPORT_CHILD = 'Child' }[$name]
            [int][Enum]::Parse($kinds, $csharp) | Should -Be ([int]$value) -Because $name
        }
    }

    It 'holds a new user namespace while pwsh works in a sync step, then ends (for persisting one)' {
        $planType = $assembly.GetType('PSNamespaces.Core.Plans.LaunchPlan')
        $plan = [Activator]::CreateInstance($planType, $true)
        $null = $planType.GetMethod('Unshare', $flags).Invoke($plan, @([int]0x10000000, 'user'))
        $seen = @{}
        $work = [Action[int]] {
            param($helperPid)
            $seen.User = readlink "/proc/$helperPid/ns/user"
            Set-Content "/proc/$helperPid/uid_map" '0 0 1' -NoNewline
            $seen.Map = (Get-Content "/proc/$helperPid/uid_map") -replace '\s+', ' '
        }
        $null = $planType.GetMethod('Sync', $flags).Invoke($plan, @('bind', $work))
        $run = $assembly.GetType('PSNamespaces.Core.Launch.HelperProcess').GetMethod('RunToEnd', $flags)
        $run.Invoke($null, @($plan)) | Should -Be 0
        $seen.User | Should -Match '^user:\[\d+\]$'
        $seen.User | Should -Not -Be (readlink /proc/self/ns/user)
        $seen.Map.Trim() | Should -Be '0 0 1'
    }
}
