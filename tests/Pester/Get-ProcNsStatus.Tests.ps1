BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    # Three PID namespaces deep: the host's, one from the outer unshare, one from the inner.
    $nested = Start-TestProcess -Unshare @('--pid', '--mount-proc') -Command @('unshare', '--fork', '--kill-child', '--pid', '--mount-proc', '--', 'sleep', '1000') -Name sleep
}

AfterAll {
    $nested | Stop-TestProcess
}

Describe 'Get-ProcNsStatus' -Tag 'Root' {
    It 'reports the current process without -Pid' {
        $status = Get-ProcNsStatus
        $status.Pid | Should -Be $PID
        $status.NSpid | Should -Be @([int](Get-StatusField $PID NSpid))
    }

    It 'matches /proc/PID/status for a process two PID namespaces deep' {
        $status = Get-ProcNsStatus -Pid $nested.Pid
        foreach ($field in 'NSpid', 'NStgid', 'NSpgid', 'NSsid') {
            $expected = @((Get-StatusField $nested.Pid $field) -split '\s+' | ForEach-Object { [int]$_ })
            $status.$field | Should -Be $expected -Because $field
        }
        $status.Name | Should -Be (Get-StatusField $nested.Pid Name)
        $status.PPid | Should -Be ([int](Get-StatusField $nested.Pid PPid))
        $status.TracerPid | Should -Be ([int](Get-StatusField $nested.Pid TracerPid))
    }

    It 'lists the outermost PID namespace first and ends with PID 1 inside the innermost' {
        $status = Get-ProcNsStatus -Pid $nested.Pid
        $status.NSpid.Count | Should -Be 3
        $status.NSpid[0] | Should -Be $nested.Pid
        $status.NSpid[-1] | Should -Be 1
        $status.InnermostPid | Should -Be 1
    }

    It 'takes Get-Process output from the pipeline (Id binds to -Pid)' {
        $status = Get-Process -Id $PID, $nested.Pid | Get-ProcNsStatus
        $status.Pid | Should -Be @($PID, $nested.Pid)
    }

    It 'takes PIDs from the pipeline by value' {
        ($PID, $nested.Pid | Get-ProcNsStatus).Count | Should -Be 2
    }

    It 'writes ObjectNotFound for a PID that does not exist and goes on with the next' {
        $out = Get-ProcNsStatus -Pid 999999999, $PID -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Pid | Should -Be $PID
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err[0].TargetObject | Should -Be 999999999
        $err[0].Exception.Message | Should -Match '999999999'
    }

    It 'refuses <Value> at parameter validation' -TestCases @(@{ Value = 0 }, @{ Value = -1 }) {
        { Get-ProcNsStatus -Pid $Value -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,PSNamespaces.Commands.GetProcNsStatusCommand'
    }
}
