# Every descriptor the module opens is close-on-exec, so nothing of ours leaks into a program
# started from pwsh. Checked from outside with strace(1), over every cmdlet.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noStrace = Test-DependencySkip -Name strace -For 'The descriptor checks'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
    $log = Join-Path ([IO.Path]::GetTempPath()) "psns-strace-$PID.log"
    $netns = "psns-cloexec-$PID"
    ip netns add $netns
    $script = @"
Import-Module '$module'
`$null = Get-NamespaceProcess
`$null = Get-NamespaceProcess -Name '$netns'
`$null = Get-NamespaceProcess -Pid `$PID
`$null = Get-ProcNsStatus -Pid `$PID
`$null = Get-Namespace -IncludeDescriptors
`$null = Get-Namespace -Name '$netns'
`$null = New-Namespace -Type Net -Name '$netns-new' -LoopbackUp
`$null = Set-NamespaceNetNsId -Name '$netns-new' -PassThru
Remove-Namespace -Name '$netns-new'
`$null = New-Namespace -Type Uts -Path '/tmp/$netns-uts'
Remove-Namespace -Path '/tmp/$netns-uts'
"@
    strace -f -qq -e trace=openat,open,open_by_handle_at,socket,pidfd_open,dup,dup2,dup3,pipe2,fcntl -o $log (Get-Command dotnet).Source (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
    $calls = Get-Content $log
}

AfterAll {
    ip netns delete $netns
    Remove-Item $log -ErrorAction Ignore
}

Describe 'Descriptors the module opens' -Tag 'Root', 'Slow' -Skip:$noStrace {
    It 'are all opened O_CLOEXEC' {
        # Ours: opens relative to a directory descriptor (the /proc scan), and the namespace paths.
        $ours = @($calls | Where-Object {
                $_ -match 'openat\((\d+), ' -or $_ -match 'openat\(AT_FDCWD, "(/proc"|/proc/thread-self/|/proc/\d+/ns/|/run/netns/)'
            } | Where-Object { $_ -notmatch '= -1 ' })
        $ours.Count | Should -BeGreaterThan 100 -Because 'a full scan opens every process directory'
        @($ours | Where-Object { $_ -notmatch 'O_CLOEXEC' }) | Should -BeNullOrEmpty
        @($ours | Where-Object { $_ -match "/run/netns/$netns" }).Count | Should -BeGreaterThan 0
    }

    It 'are all close-on-exec for the sockets and file handles of New-Namespace, Set-NamespaceNetNsId, Remove-Namespace and Get-Namespace' {
        $sockets = @($calls | Where-Object { $_ -match 'socket\((AF_NETLINK|AF_INET),' -and $_ -notmatch '= -1 ' })
        $sockets.Count | Should -BeGreaterThan 1 -Because 'lo is set up over an AF_INET socket and NETNSID is set over rtnetlink'
        @($sockets | Where-Object { $_ -notmatch 'SOCK_CLOEXEC' }) | Should -BeNullOrEmpty
        $handles = @($calls | Where-Object { $_ -match 'open_by_handle_at\(' -and $_ -notmatch '= -1 ' })
        @($handles | Where-Object { $_ -notmatch 'O_CLOEXEC' }) | Should -BeNullOrEmpty
        $created = @($calls | Where-Object { $_ -match "openat\(AT_FDCWD, `"/tmp/$netns-uts`"" -and $_ -notmatch '= -1 ' })
        $created.Count | Should -BeGreaterThan 0
        @($created | Where-Object { $_ -notmatch 'O_CLOEXEC' }) | Should -BeNullOrEmpty
    }

    It 'never makes a descriptor inheritable afterwards' {
        @($calls | Where-Object { $_ -match 'fcntl\(\d+, F_SETFD, 0\)' -or $_ -match 'dup2?\(' }) | Should -BeNullOrEmpty
    }
}
