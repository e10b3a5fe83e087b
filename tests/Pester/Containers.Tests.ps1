# -Container, one rule for every cmdlet that has it, against real containers: two plain
# `runc run -d` containers (cgroup /ID, no runtime prefix) and a podman one. Expected values come
# from the runtimes (runc state, podman inspect, podman ps), readlink and nsenter.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noRuntimes = Test-DependencySkip -Name runc, podman, busybox-static -For 'The tests on real runc and podman containers'
    # The cmdlets with -Container (the first test checks this list against their metadata), and those
    # that list every container a pattern matches; the others (Get-NamespaceInterface too, which reads
    # one namespace per target as Enter does) take one container per value.
    $commands = 'Get-Namespace', 'Get-NamespaceProcess', 'Get-NamespaceInterface', 'Enter-Namespace', 'Invoke-InNamespace'
    $listing = 'Get-Namespace', 'Get-NamespaceProcess'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ContainerFixture.psm1') -Force
    Import-PSNamespaces
    $rootFs = New-BusyboxRoot
    $stem = "psns-c25-$PID"
    $runc = @(); $pod = $null
    $runc += New-RuncContainer -Id "$stem-one" -RootFs $rootFs -HostName 'psns-runc-one'
    $runc += New-RuncContainer -Id "$stem-two" -RootFs $rootFs -HostName 'psns-runc-two'
    $pod = New-PodmanContainer -Name "$stem-pod" -RootFs $rootFs -HostName 'psns-pod'

    # Each cmdlet with -Container, driven to say which namespace it reached (an inode): the UTS
    # namespace, or the network namespace for Get-NamespaceInterface, which reads only that kind.
    $drivers = [ordered]@{
        'Get-Namespace' = { param($c) Get-Namespace -Container $c -Type Uts | ForEach-Object Inode }
        'Get-NamespaceInterface' = { param($c) Get-NamespaceInterface -Container $c | ForEach-Object NetNs | Sort-Object -Unique }
        'Get-NamespaceProcess' = { param($c) Get-NamespaceProcess -Container $c | ForEach-Object UtsNs | Sort-Object -Unique }
        'Enter-Namespace' = { param($c) (Enter-Namespace -Container $c -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts) -replace '\D' }
        'Invoke-InNamespace' = { param($c) (Invoke-InNamespace -Container $c -Type Uts { readlink /proc/self/ns/uts }) -replace '\D' }
    }
    function Get-DriverLink([string] $Command) { if ($Command -eq 'Get-NamespaceInterface') { 'net' } else { 'uts' } }

    function Invoke-Driver([string] $Command, [string] $Value) {
        # Non-terminating errors are what is asserted: collected from the error stream, not thrown.
        $ErrorActionPreference = 'Continue'
        $all = @(& $drivers[$Command] $Value 2>&1)
        [pscustomobject]@{
            Inodes = @($all | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] } | ForEach-Object { [uint64]$_ })
            Errors = @($all | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        }
    }
}

AfterAll {
    foreach ($c in $runc) { Remove-RuncContainer $c.Id }
    if ($pod) { Remove-PodmanContainer $pod.Name }
    # rm, not Remove-Item: podman leaves etc/mtab -> /proc/mounts in the root, a link to a read-only file Remove-Item refuses to delete.
    rm -rf -- $rootFs
}

Describe 'A plain runc container' -Tag 'Root', 'Slow' -Skip:$noRuntimes {
    It 'is runtime runc with its id, where runc keeps it and the kernel has it' {
        $c = $runc[0]
        Test-Path "/run/runc/$($c.Id)/state.json" | Should -BeTrue
        # runc run without cgroupsPath: the cgroup is /ID, no runtime prefix.
        (Get-Content "/proc/$($c.Pid)/cgroup" | Where-Object { $_ -like '0::*' }) | Should -Be "0::/$($c.Id)"
        $process = Get-NamespaceProcess -Pid $c.Pid
        $process.ContainerRuntime | Should -Be 'runc'
        $process.ContainerId | Should -Be $c.Id
        $uts = Get-Namespace -Pid $c.Pid -Type Uts
        $uts.Containers | Should -Be "runc:$($c.Id)"
    }

    It 'is found by -Container with its id (its name) and runc:id, as readlink shows its namespaces' {
        $c = $runc[0]
        foreach ($value in $c.Id, "runc:$($c.Id)") {
            $found = Get-Namespace -Container $value
            foreach ($type in 'uts', 'net', 'ipc', 'mnt', 'pid') {
                @($found | Where-Object { $_.Type.ToString() -eq $(if ($type -eq 'mnt') { 'Mount' } else { $type }) }).Inode | Should -Contain (Get-NsInode $c.Pid $type) -Because "$type of $value"
            }
        }
        Invoke-InNamespace -Container $c.Id -Type Uts { hostname } | Should -Be (nsenter -t $c.Pid -u hostname)
    }
}

Describe '-Container on every cmdlet that has it' -Tag 'Root', 'Slow' -Skip:$noRuntimes {
    It 'the cmdlets with -Container are those this file drives' {
        $withContainer = Get-Command -Module PSNamespaces | Where-Object { $_.Parameters.ContainsKey('Container') } | ForEach-Object Name | Sort-Object
        $withContainer | Should -Be ($drivers.Keys | Sort-Object)
    }

    It '<Command> -Container <Kind> reaches the container''s namespace, as readlink shows it' -ForEach @(
        foreach ($command in $commands) {
            @{ Command = $command; Kind = 'runc id'; Value = { $runc[0].Id }; Target = { $runc[0].Pid } }
            @{ Command = $command; Kind = 'runc:id'; Value = { "runc:$($runc[1].Id)" }; Target = { $runc[1].Pid } }
            @{ Command = $command; Kind = 'runc id prefix'; Value = { $runc[1].Id.Substring(0, $runc[1].Id.Length - 1) }; Target = { $runc[1].Pid } }
            @{ Command = $command; Kind = 'podman full id'; Value = { $pod.Id }; Target = { $pod.Pid } }
            @{ Command = $command; Kind = 'podman ps short id'; Value = { $pod.ShortId }; Target = { $pod.Pid } }
            @{ Command = $command; Kind = 'podman name'; Value = { $pod.Name }; Target = { $pod.Pid } }
            @{ Command = $command; Kind = 'podman:name'; Value = { "podman:$($pod.Name)" }; Target = { $pod.Pid } }
            @{ Command = $command; Kind = 'short id pattern'; Value = { "$($pod.ShortId.Substring(0, 6))*" }; Target = { $pod.Pid } }
        }
    ) {
        $value = & $Value
        $result = Invoke-Driver $Command $value
        $result.Errors | Should -BeNullOrEmpty
        $result.Inodes | Should -Be @(Get-NsInode (& $Target) (Get-DriverLink $Command))
    }

    It 'podman ps prints the short id this test uses, and podman inspect the full id it begins' {
        $pod.ShortId | Should -Match '^[0-9a-f]{12}$'
        $pod.Id.StartsWith($pod.ShortId) | Should -BeTrue
    }

    It '<Command>: a value no container has is ContainerNotFound, ObjectNotFound, naming it' -ForEach @(
        foreach ($command in $commands) { @{ Command = $command } }
    ) {
        $result = Invoke-Driver $Command "$stem-none"
        $result.Inodes | Should -BeNullOrEmpty
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound,*'
        $result.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $result.Errors[0].TargetObject | Should -Be "$stem-none"
    }

    It '<Command>: a prefix two containers share is ContainerAmbiguous, naming both' -ForEach @(
        foreach ($command in $commands) { @{ Command = $command } }
    ) {
        $result = Invoke-Driver $Command "$stem-"
        $result.Inodes | Should -BeNullOrEmpty
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ContainerAmbiguous,*'
        $result.Errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $result.Errors[0].Exception.Message | Should -Match "runc:$($runc[0].Id) "
        $result.Errors[0].Exception.Message | Should -Match "runc:$($runc[1].Id) "
        $result.Errors[0].TargetObject | Should -Be "$stem-"
    }

    It 'a pattern lists every container it matches on Get-* (<Command>) and is ambiguous where one container is entered' -ForEach @(
        foreach ($command in $commands) { @{ Command = $command; Lists = $command -in $listing } }
    ) {
        $result = Invoke-Driver $Command "$stem-*"
        if ($Lists) {
            $result.Errors | Should -BeNullOrEmpty
            $expected = foreach ($p in $runc[0].Pid, $runc[1].Pid, $pod.Pid) { Get-NsInode $p (Get-DriverLink $Command) }
            $result.Inodes | Sort-Object | Should -Be ($expected | Sort-Object)
        }
        else {
            # Refused, and nothing entered.
            $result.Inodes | Should -BeNullOrEmpty
            $result.Errors | Should -HaveCount 1
            $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ContainerAmbiguous,*'
            $result.Errors[0].Exception.Message | Should -Match "podman:$($pod.Id) \($([regex]::Escape($pod.Name)), PID $($pod.Pid)\)"
        }
    }
}

Describe 'Cleanup of the containers' -Tag 'Root' -Skip:$noRuntimes {
    It 'runc delete -f and podman rm -f leave no container of the test' {
        foreach ($c in $runc) { Remove-RuncContainer $c.Id }
        Remove-PodmanContainer $pod.Name
        foreach ($c in $runc) { Test-Path "/run/runc/$($c.Id)" | Should -BeFalse }
        podman ps -a --format '{{.Names}}' | Should -Not -Contain $pod.Name
        foreach ($p in @($runc.Pid) + $pod.Pid) { Test-Path "/proc/$p" | Should -BeFalse }
    }
}
