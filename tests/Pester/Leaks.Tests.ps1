# Runs last (tests/Invoke-PesterSuite.ps1 puts it there): the suite leaves the machine as it found it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $baseline = Get-Content $env:PSNS_BASELINE -Raw | ConvertFrom-Json
    # iproute2 (and New-Namespace -Name) bind-mount /run/netns onto itself on first use and keep
    # it; when the suite made that mount (or the directory), the suite's fixture takes it away again.
    if ((Test-Path /run/netns) -and -not (Get-ChildItem /run/netns)) {
        # Until umount fails: a /run/netns mount copied from the host before a tmpfs was mounted
        # over /run (the isolation wrapper) stays listed in mountinfo but cannot be reached; it is
        # in the baseline, and only mounts that are not are the suite's to take away.
        while (@(Get-MountSignature | Where-Object { $_ -match '^/run/netns ' -and $_ -notin $baseline.Mounts })) {
            umount /run/netns 2>$null
            if ($LASTEXITCODE) { break }
        }
        if (-not $baseline.NetnsDir) { Remove-Item /run/netns }
    }
}

Describe 'The suite leaves nothing behind' -Tag 'Leaks' {
    It 'leaves no mount behind' {
        $now = @(Get-MountSignature)
        @($now | Where-Object { $_ -notin $baseline.Mounts }) | Should -BeNullOrEmpty
        @($baseline.Mounts | Where-Object { $_ -notin $now }) | Should -BeNullOrEmpty
    }

    It 'leaves /run/netns as it was' {
        @(Get-ChildItem /run/netns -ErrorAction Ignore | ForEach-Object Name) | Should -Be @($baseline.Netns)
        Test-Path /run/netns | Should -Be $baseline.NetnsDir
    }

    It 'leaves no psns-* file or directory in the temporary directory' {
        $tmp = [IO.Path]::GetTempPath()
        @(Get-ChildItem $tmp -Filter 'psns-*' -Name -Force | Where-Object { $_ -notin $baseline.TempFiles -and $_ -ne (Split-Path -Leaf $env:PSNS_BASELINE) }) |
            Should -BeNullOrEmpty
    }

    It 'leaves no process behind, running or zombie' {
        # This pwsh is a child subreaper: orphans of the suite end up as its children.
        $leftover = @(Get-ChildPid ([Environment]::ProcessId) | Where-Object { $_ -notin $baseline.Children } |
            ForEach-Object { "$_ $(Get-Content /proc/$_/cmdline -Raw -ErrorAction Ignore)" })
        $leftover | Should -BeNullOrEmpty
    }

    It 'leaves every thread of this pwsh in its original namespaces' {
        $self = [Environment]::ProcessId
        # Invoke-InNamespace keeps a worker per target until it has been idle 10 s, by design;
        # removing the module ends the idle ones, and a worker still finishing a block that would
        # not stop ends with the block: only the module's own threads are waited for. Any other
        # thread in another namespace (a pool thread born inside one) is a leak, seen at once; the
        # runtime's tiered-compilation and background-GC threads aside (Test-SelfEndingRuntimeThread).
        Remove-Module PSNamespaces -ErrorAction Ignore
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        do {
            $moduleStrays = @(foreach ($task in Get-ChildItem "/proc/$self/task") {
                $now = @(Get-ChildItem "$($task.FullName)/ns" -ErrorAction Ignore | ForEach-Object { "$($_.Name) $([IO.FileInfo]::new($_.FullName).LinkTarget)" })
                $comm = Get-Content "$($task.FullName)/comm" -ErrorAction Ignore
                if ($now -and "$now" -ne "$($baseline.Namespaces)" -and $comm -like 'PSNamespaces*') { $task.Name }
            })
            if (-not $moduleStrays) { break }
            Start-Sleep -Milliseconds 250
        } while ([DateTime]::UtcNow -lt $deadline)
        foreach ($task in Get-ChildItem "/proc/$self/task") {
            if (Test-SelfEndingRuntimeThread (Get-Content "$($task.FullName)/comm" -ErrorAction Ignore)) { continue }
            $now = @(Get-ChildItem "$($task.FullName)/ns" -ErrorAction Ignore | ForEach-Object { "$($_.Name) $(readlink $_.FullName)" })
            if ($now) { $now | Should -Be $baseline.Namespaces -Because "thread $($task.Name)" }
        }
    }
}
