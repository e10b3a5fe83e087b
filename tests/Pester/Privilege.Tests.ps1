# The read-only cmdlets as an ordinary user (created for the test): one's own processes can be
# read, another user's give PermissionDenied per item, and a full scan goes on past them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WatchTestHelpers.psm1') -Force
    Import-PSNamespaces
    $user = New-TestUser
    # A root process the user may not inspect (ptrace read access is required for /proc/PID/ns).
    $rootProcess = Start-NativeProcess sleep '1000'
}

AfterAll {
    $rootProcess.Kill(); $rootProcess.WaitForExit()
    Remove-TestUser $user
}

Describe 'As an ordinary user' -Tag 'Root', 'Slow' {
    It 'reads its own process''s namespaces, the same readlink sees' {
        $out = Invoke-PwshAsUser $user @'
$p = Get-NamespaceProcess -Pid $PID
"$($p.Uid) $($p.NetNs) $((readlink /proc/$PID/ns/net) -replace '\D')"
'@
        $uid, $ours, $readlink = ($out | Select-Object -Last 1) -split ' '
        [int]$uid | Should -Be $user.Uid
        $ours | Should -Be $readlink
    }

    It 'gets PermissionDenied for another user''s process, and goes on with the next PID' {
        $out = Invoke-PwshAsUser $user @"
`$r = Get-NamespaceProcess -Pid $($rootProcess.Id), `$PID -ErrorVariable e -ErrorAction SilentlyContinue
"count=`$(@(`$r).Count) pid=`$(`$r.Pid -eq `$PID) category=`$(`$e[0].CategoryInfo.Category) target=`$(`$e[0].TargetObject) id=`$(`$e[0].FullyQualifiedErrorId)"
"@
        $line = $out | Select-Object -Last 1
        $line | Should -Match 'count=1 pid=True category=PermissionDenied'
        $line | Should -Match "target=$($rootProcess.Id) "
        $line | Should -Match 'id=readlinkat,EACCES,'
    }

    It 'scans every process without an error, skipping the unreadable ones' {
        $out = Invoke-PwshAsUser $user @"
`$all = Get-NamespaceProcess -ErrorVariable e -Verbose 4>`$null
"errors=`$(`$e.Count) self=`$(@(`$all | Where-Object Pid -eq `$PID).Count) root=`$(@(`$all | Where-Object Pid -eq $($rootProcess.Id)).Count)"
"@
        ($out | Select-Object -Last 1) | Should -Be 'errors=0 self=1 root=0'
    }

    It 'lists namespaces with Get-Namespace without an error, counting the processes it may read' {
        $out = Invoke-PwshAsUser $user @"
`$all = @(Get-Namespace -ErrorVariable e -Verbose 4>`$null)
`$net = @(`$all | Where-Object Id -eq (readlink /proc/`$PID/ns/net))
"errors=`$(`$e.Count) net=`$(`$net.Count) self=`$(`$net.Pids -contains `$PID) root=`$(`$net.Pids -contains $($rootProcess.Id))"
"@
        ($out | Select-Object -Last 1) | Should -Be 'errors=0 net=1 self=True root=False'
    }

    It 'gets PermissionDenied from Get-Namespace -Pid for another user''s process' {
        $out = Invoke-PwshAsUser $user @"
`$r = Get-Namespace -Pid $($rootProcess.Id) -ErrorVariable e -ErrorAction SilentlyContinue
"count=`$(@(`$r).Count) category=`$(`$e[0].CategoryInfo.Category) target=`$(`$e[0].TargetObject)"
"@
        ($out | Select-Object -Last 1) | Should -Be "count=0 category=PermissionDenied target=$($rootProcess.Id)"
    }

    It 'does not call a namespace persistent when processes it may not read can be in it, and says so in one warning' {
        # A named network namespace a root process is in: the user sees it through its bind mount only.
        $name = "psns-priv-$PID"
        $null = New-Namespace -Type Net -Name $name
        $holder = Enter-Namespace -Name $name -FilePath sleep -ArgumentList 1000 -NoWait
        try {
            $inode = stat -L -c %i "/run/netns/$name"
            @(ip netns pids $name | ForEach-Object { [int]$_ }) | Should -Be @($holder.Pid) -Because 'root sees the process in it'
            $out = Invoke-PwshAsUser $user @"
`$all = @(Get-Namespace -WarningVariable w 3>`$null)
`$ns = @(`$all | Where-Object Inode -eq $inode)
`$persistent = @(Get-Namespace -Persistent 3>`$null | Where-Object Inode -eq $inode)
"listed=`$(`$ns.Count) processes=`$(`$ns[0].ProcessCount) persistent=`$(`$ns[0].Persistent) inPersistent=`$(`$persistent.Count) warnings=`$(`$w.Count)"
"`$(`$w[0])"
"@
            $line, $warning = $out | Select-Object -Last 2
            $line | Should -Be 'listed=1 processes=0 persistent=False inPersistent=0 warnings=1'
            $warning | Should -Match '^\d+ process(es)? could not be read'
            $warning | Should -Match 'CAP_SYS_PTRACE'
        } finally {
            $holder.Kill(); $null = $holder.WaitForExit(10000)
            Remove-Namespace -Name $name -WarningAction SilentlyContinue
        }
    }

    It 'reads another user''s /proc/PID/status (it needs no privilege)' {
        $out = Invoke-PwshAsUser $user "(Get-ProcNsStatus -Pid $($rootProcess.Id)).NSpid -join ','"
        ($out | Select-Object -Last 1) | Should -Be (Get-StatusField $rootProcess.Id NSpid)
    }
}

Describe 'A uid with no passwd entry' -Tag 'Root' {
    It 'is shown as its number, as lsns and ps show it' {
        $uid = 4242..4999 | Where-Object { -not (getent passwd $_) } | Select-Object -First 1
        $p = Start-NativeProcess unshare '-u', 'setpriv', "--reuid=$uid", "--regid=$uid", '--clear-groups', 'sleep', '1000'
        try {
            Wait-Exec $p sleep
            $uts = Get-NsInode $p.Id uts
            $lsns = @((lsns -J -o NS,USER -t uts | ConvertFrom-Json).namespaces | Where-Object { "$($_.ns)" -eq "$uts" })
            $lsns.Count | Should -Be 1
            (Get-Namespace -Inode $uts).User | Should -Be "$($lsns[0].user)"
            (Get-NamespaceProcess -Pid $p.Id).User | Should -Be (ps -o user= -p $p.Id).Trim()
            "$($lsns[0].user)" | Should -Be "$uid"
        } finally {
            $p.Kill(); $p.WaitForExit()
        }
    }
}
