# Who owns a namespace: test processes moved into cgroups shaped as docker, containerd/CRI,
# CRI-O, podman, LXC, systemd-nspawn and systemd user sessions make them. Expected values come
# from the kernel (/proc/PID/cgroup) and procps (ps -o unit,slice,uunit, libsystemd's rules).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CgroupFixture.psm1') -Force
    Import-PSNamespaces
    $state = @{}
    $uid = [guid]::NewGuid().ToString()
    $sliceUid = $uid -replace '-', '_'
    $ids = @{
        Docker = New-HexId 'a15d'
        DockerFs = New-HexId 'a15e'
        Cri = New-HexId 'c15a'
        Podman = New-HexId 'a15d'   # shares its first 4 digits with Docker: an ambiguous prefix
        UserPodman = New-HexId 'e15a'
    }
    $lxc = "psns-lxc-$PID"
    # A path with no slice component is in systemd's root slice -- where systemd runs (sd_booted:
    # /run/systemd/system). Elsewhere there is no slice, though ps still prints libsystemd's "-.slice".
    $systemdBooted = Test-Path /run/systemd/system -PathType Container
    $rootSlice = if ($systemdBooted) { '-.slice' } else { $null }
    $cases = [ordered]@{
        Docker = @{ Relative = "system.slice/docker-$($ids.Docker).scope"; Runtime = 'docker'; Id = $ids.Docker; Unit = "docker-$($ids.Docker).scope"; Slice = 'system.slice' }
        DockerFs = @{ Relative = "docker/$($ids.DockerFs)"; Runtime = 'docker'; Id = $ids.DockerFs; Unit = $null; Slice = $rootSlice }
        Cri = @{
            Relative = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$sliceUid.slice/cri-containerd-$($ids.Cri).scope"
            Runtime = 'containerd'; Id = $ids.Cri; Unit = "cri-containerd-$($ids.Cri).scope"; Slice = "kubepods-burstable-pod$sliceUid.slice"; PodUid = $uid
        }
        Podman = @{ Relative = "machine.slice/libpod-$($ids.Podman).scope"; Runtime = 'podman'; Id = $ids.Podman; Unit = "libpod-$($ids.Podman).scope"; Slice = 'machine.slice' }
        Lxc = @{ Relative = "lxc.payload.$lxc"; Runtime = 'lxc'; Id = $lxc; Unit = $null; Slice = $rootSlice }
        UserPodman = @{
            Relative = "user.slice/user-4242.slice/user@4242.service/user.slice/libpod-$($ids.UserPodman).scope"
            Runtime = 'podman'; Id = $ids.UserPodman; Unit = 'user@4242.service'; Slice = 'user-4242.slice'; UserUnit = "libpod-$($ids.UserPodman).scope"
        }
        UserService = @{
            Relative = 'user.slice/user-4242.slice/user@4242.service/app.slice/psns-app.service'
            Runtime = $null; Id = $null; Unit = 'user@4242.service'; Slice = 'user-4242.slice'; UserUnit = 'psns-app.service'
        }
    }
    $made = @{}
    foreach ($name in $cases.Keys) {
        $made[$name] = Add-CgroupProcess $state $cases[$name].Relative -HostName "psns-$($name.ToLower())"
    }

    function Get-PsColumn([int] $ProcessId, [string] $Column) {
        # ps prints "-" where libsystemd has no answer.
        $value = (ps -o "$Column=" -p $ProcessId | Out-String).Trim()
        if ($value -eq '-' -or -not $value -or ($Column -eq 'slice' -and $value -eq '-.slice' -and -not $systemdBooted)) { $null } else { $value }
    }
}

AfterAll {
    Remove-CgroupFixture $state
}

Describe 'Attribution of <Name>' -Tag 'Root' -ForEach @(
    @{ Name = 'Docker' }, @{ Name = 'DockerFs' }, @{ Name = 'Cri' }, @{ Name = 'Podman' }, @{ Name = 'Lxc' }, @{ Name = 'UserPodman' }, @{ Name = 'UserService' }
) {
    BeforeAll {
        $case = $cases[$Name]
        $p = $made[$Name]
    }

    It 'the kernel has the processes in the cgroup the test made' {
        (Get-Content "/proc/$($p.Pid)/cgroup") -match '^0::' | Should -Be "0::$($p.Cgroup)"
        (Get-Content "/proc/$($p.Unshare)/cgroup") -match '^0::' | Should -Be "0::$($p.Cgroup)"
    }

    It 'Get-NamespaceProcess shows its cgroup, unit, slice and container' {
        $process = Get-NamespaceProcess -Pid $p.Pid
        $process.Cgroup | Should -Be $p.Cgroup
        $process.ContainerRuntime | Should -Be $case.Runtime
        $process.ContainerId | Should -Be $case.Id
        $process.PodUid | Should -Be $case['PodUid']
        $process.Unit | Should -Be $case.Unit
        $process.Slice | Should -Be $case.Slice
        $process.UserUnit | Should -Be $case['UserUnit']
    }

    It 'Unit, Slice and UserUnit are what ps -o unit,slice,uunit prints' {
        $process = Get-NamespaceProcess -Pid $p.Pid
        $process.Unit | Should -Be (Get-PsColumn $p.Pid unit)
        $process.Slice | Should -Be (Get-PsColumn $p.Pid slice)
        $process.UserUnit | Should -Be (Get-PsColumn $p.Pid uunit)
    }

    It 'its namespaces (it is their lowest PID) carry the same, and list it in Units and Containers' {
        $uts = Get-Namespace -Pid $p.Pid -Type Uts
        $uts.Pid | Should -Be ((lsns -J -t uts -p $p.Pid -o PID | ConvertFrom-Json).namespaces[0].pid)
        $uts.Pid | Should -Be $p.Unshare
        $uts.Cgroup | Should -Be $p.Cgroup
        $uts.Unit | Should -Be $case.Unit
        $uts.ContainerRuntime | Should -Be $case.Runtime
        $uts.ContainerId | Should -Be $case.Id
        if ($case.Runtime) {
            Get-Namespace -Container $case.Id -Type Uts | ForEach-Object Containers | Should -Contain "$($case.Runtime):$($case.Id)"
        }
    }
}

Describe 'Selecting by unit and container' -Tag 'Root' {
    It 'Get-Namespace -Container <prefix>* gives the container''s namespaces, as readlink shows them' {
        $p = $made.Docker
        $found = Get-Namespace -Container ($ids.Docker.Substring(0, 12) + '*')
        @($found | Where-Object Type -EQ Uts).Inode | Should -Be (Get-NsInode $p.Pid uts)
        @($found | Where-Object Type -EQ Net).Inode | Should -Be (Get-NsInode $p.Pid net)
        # The host's namespaces hold the container's process too (user, mnt...): listed with it among their Containers.
        $found | ForEach-Object { $_.Containers | Should -Contain "docker:$($ids.Docker)" }
    }

    It 'Get-Namespace -Unit with wildcards selects by every process''s unit' {
        $found = Get-Namespace -Unit 'libpod-*.scope' -Type Net
        $found.Inode | Should -Contain (Get-NsInode $made.Podman.Pid net)
        $found.Inode | Should -Not -Contain (Get-NsInode $made.Docker.Pid net)
        (Get-Namespace -Unit "docker-$($ids.Docker).scope" -Type Uts).Inode | Should -Be (Get-NsInode $made.Docker.Pid uts)
    }

    It 'Get-NamespaceProcess -Unit and -Container give exactly the processes in those cgroups' {
        (Get-NamespaceProcess -Unit "docker-$($ids.Docker).scope").Pid | Should -Be $made.Docker.Unshare, $made.Docker.Pid
        (Get-NamespaceProcess -Container $ids.Cri).Pid | Should -Be $made.Cri.Unshare, $made.Cri.Pid
        (Get-NamespaceProcess -Container "lxc:$lxc").Pid | Should -Be $made.Lxc.Unshare, $made.Lxc.Pid
        @(Get-NamespaceProcess -Unit 'user@4242.service').Pid | Sort-Object |
            Should -Be (@($made.UserPodman.Unshare, $made.UserPodman.Pid, $made.UserService.Unshare, $made.UserService.Pid) | Sort-Object)
    }

    It 'Unit equals ps -o unit= for every process ps shows one for' {
        $ps = @{}
        foreach ($line in ps -eo pid=,unit=) {
            $pidText, $unit = $line.Trim() -split '\s+', 2
            if ($unit -and $unit -ne '-') { $ps[[int]$pidText] = $unit }
        }
        $ps.Count | Should -BeGreaterOrEqual 4   # at least the test's own units
        $mine = @{}; foreach ($process in Get-NamespaceProcess) { $mine[$process.Pid] = $process.Unit }
        $compared = 0
        foreach ($processId in $ps.Keys) {
            # A process that exited between ps and the scan is not there to compare.
            if ($mine.ContainsKey($processId)) { $mine[$processId] | Should -Be $ps[$processId] -Because "PID $processId"; $compared++ }
        }
        $compared | Should -BeGreaterOrEqual 4
    }
}

Describe 'Entering a container' -Tag 'Root' {
    It '<Command> -Container <prefix> enters the container''s namespaces as nsenter -t PID does' -TestCases @(
        @{ Command = 'Enter-Namespace'; Script = { param($c) Enter-Namespace -Container $c -Type Uts -FilePath hostname } }
        @{ Command = 'Invoke-InNamespace'; Script = { param($c) Invoke-InNamespace -Container $c -Type Uts { hostname } } }
    ) {
        $prefix = $ids.Cri.Substring(0, 10)
        & $Script $prefix | Should -Be (nsenter -t $made.Cri.Pid -u hostname)
        nsenter -t $made.Cri.Pid -u hostname | Should -Be 'psns-cri'
    }

    It 'a prefix two containers share is an ambiguity error that lists both (<Command>)' -TestCases @(
        @{ Command = 'Enter-Namespace'; Script = { param($c) Enter-Namespace -Container $c -FilePath true -ErrorVariable bad -ErrorAction SilentlyContinue; $bad } }
        @{ Command = 'Invoke-InNamespace'; Script = { param($c) Invoke-InNamespace -Container $c { 1 } -ErrorVariable bad -ErrorAction SilentlyContinue; $bad } }
    ) {
        $shared = $ids.Docker.Substring(0, 4)
        $err = @(& $Script $shared | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContainerAmbiguous,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match "docker:$($ids.Docker)"
        $err[0].Exception.Message | Should -Match "podman:$($ids.Podman)"
        $err[0].TargetObject | Should -Be $shared
    }

    It 'a prefix no container has is ObjectNotFound (<Command>)' -TestCases @(
        @{ Command = 'Enter-Namespace'; Script = { Enter-Namespace -Container 'f00dfeedbeef' -FilePath true -ErrorVariable bad -ErrorAction SilentlyContinue; $bad } }
        @{ Command = 'Invoke-InNamespace'; Script = { Invoke-InNamespace -Container 'f00dfeedbeef' { 1 } -ErrorVariable bad -ErrorAction SilentlyContinue; $bad } }
    ) {
        $err = @(& $Script | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'f00dfeedbeef'
        Get-Namespace -Container 'f00dfeedbeef*' | Should -BeNullOrEmpty
    }

    It 'a conmon-shaped monitor is never the container entered' {
        # podman's conmon lives in libpod-conmon-ID.scope, outside the container's namespaces.
        $monitor = Add-CgroupProcess $state "machine.slice/libpod-conmon-$($ids.Cri).scope" -HostName 'psns-conmon'
        (Get-NamespaceProcess -Pid $monitor.Pid).ContainerRuntime | Should -Be 'podman-conmon'
        Invoke-InNamespace -Container $ids.Cri -Type Uts { hostname } | Should -Be 'psns-cri'
    }
}

Describe 'Cleanup' -Tag 'Root' {
    It 'removes every cgroup it made and stops its processes' {
        $copy = @{ Made = [Collections.Generic.List[string]]::new($state.Made); Processes = [Collections.Generic.List[object]]::new($state.Processes) }
        Remove-CgroupFixture $state
        foreach ($path in $copy.Made) { Test-Path -LiteralPath $path | Should -BeFalse -Because "$path was removed" }
        foreach ($p in $copy.Processes) { Test-Path "/proc/$($p.Pid)" | Should -BeFalse }
        $state.Clear()
    }
}
