BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces

    function Start-HiddenHolder {
        <#
            Runs tests/native/hidden-holder.c with its arguments and waits for its report line:
            an object with Process and Report (the line's fields).
        #>
        param([Parameter(Mandatory)] [string[]] $Arguments, [Parameter(Mandatory)] [string] $ReportPath)
        $process = Start-NativeProcess (Get-TestBinary hidden-holder) $Arguments
        Wait-Condition { (Test-Path $ReportPath) -or $process.HasExited } -Because "hidden-holder $($Arguments -join ' ') reports"
        if ($process.HasExited) { throw "hidden-holder $($Arguments -join ' ') exited with $($process.ExitCode)" }
        [pscustomobject]@{ Process = $process; Report = @((Get-Content $ReportPath -Raw).Trim() -split ' ') }
    }

    function Stop-HiddenHolder($Holder) {
        if ($Holder -and -not $Holder.Process.HasExited) { $Holder.Process.Kill(); $Holder.Process.WaitForExit() }
    }

    function Get-LinkInode([string] $Path) {
        # What readlink(1) says a /proc ns link is: "net:[4026532...]" -> the inode.
        $text = readlink $Path
        if ($LASTEXITCODE -ne 0 -or $text -notmatch '\[(\d+)\]$') { throw "readlink $Path failed: $text" }
        [uint64]$Matches[1]
    }

    $reportDir = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "psns-holders-$PID")).FullName
}

AfterAll {
    Remove-Item $reportDir -Recurse -Force -ErrorAction Ignore
    Remove-TestBinaries
}

Describe 'Get-Namespace: a namespace only a thread is in' -Tag 'Root' {
    It 'finds a network namespace a second thread unshared, held by Thread, with the TID /proc/PID/task shows in it' -TestCases @(
        @{ Case = 'main thread alive'; Extra = @() }
        @{ Case = 'main thread exited'; Extra = @('main-exits') }
    ) {
        param($Case, $Extra)
        $report = Join-Path $reportDir "thread-$($Extra.Count)"
        $holder = Start-HiddenHolder -Arguments (@('thread', $report) + $Extra) -ReportPath $report
        try {
            $processId = $holder.Process.Id
            $tid = [int]$holder.Report[0]
            # The kernel: the thread's link names a namespace no process's /proc/PID/ns/net shows.
            $inode = Get-LinkInode "/proc/$processId/task/$tid/ns/net"
            @(Get-ProcessInNamespace net "net:[$inode]") | Should -BeNullOrEmpty
            $others = @(Get-ChildItem "/proc/$processId/task" | Where-Object Name -ne "$tid" | ForEach-Object {
                    # An exited main thread's links cannot be read (ENOENT): it is in no namespace.
                    try { [IO.FileInfo]::new("$($_.FullName)/ns/net").LinkTarget } catch { $null } })
            $others | Should -Not -Contain "net:[$inode]"

            $ns = Get-Namespace -Inode $inode
            $ns.Type | Should -Be 'Net'
            $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]::Thread) -Because $Case
            $ns.Threads | Should -Be @($tid)
            $ns.ProcessCount | Should -Be 0
            (Get-Namespace -Type Net).Inode | Should -Contain $inode
        } finally {
            Stop-HiddenHolder $holder
        }
    }

    It 'marks the namespaces of an idle Invoke-InNamespace worker in a child pwsh as held by its thread' {
        $name = "psns-holders-$PID"
        ip netns add $name
        $child = $null
        try {
            $inode = Get-MountedInode "/run/netns/$name"
            $module = (Get-Module PSNamespaces).ModuleBase
            $script = "Import-Module '$module'; Invoke-InNamespace -Name '$name' { 1 } | Out-Null; 'ready'; [Console]::In.ReadLine()"
            $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-Command dotnet).Source)
            foreach ($a in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardInput = $true
            $psi.RedirectStandardOutput = $true
            $child = [System.Diagnostics.Process]::Start($psi)
            $child.StandardOutput.ReadLine() | Should -Be 'ready'
            # The kernel: the threads of the child whose /proc/PID/task/TID/ns/net is the named netns.
            $expected = @(Get-ChildItem "/proc/$($child.Id)/task" | Where-Object {
                    [IO.FileInfo]::new("$($_.FullName)/ns/net").LinkTarget -eq "net:[$inode]" } | ForEach-Object { [int]$_.Name } | Sort-Object)
            $expected | Should -Not -BeNullOrEmpty -Because 'the worker stays in the namespace while idle'

            $ns = Get-Namespace -Name $name
            $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]'BindMount, Thread')
            $ns.Threads | Should -Be $expected
        } finally {
            if ($child) { $child.StandardInput.Close(); if (-not $child.WaitForExit(60000)) { $child.Kill() }; $child.WaitForExit() }
            ip netns delete $name
        }
    }
}

Describe 'Get-Namespace: a network namespace only a socket holds' -Tag 'Root' {
    It 'finds it with -IncludeDescriptors after Remove-Namespace, held by Socket, as SIOCGSKNS says' {
        $name = "psns-socket-$PID"
        $report = Join-Path $reportDir 'socket'
        ip netns add $name
        $holder = $null
        try {
            $holder = Start-HiddenHolder -Arguments @('socket', "/run/netns/$name", $report) -ReportPath $report
            $fd = [int]$holder.Report[0]
            $inode = [uint64]$holder.Report[1]
            $inode | Should -Be (Get-MountedInode "/run/netns/$name") -Because 'the socket was made in the named netns'
            Remove-Namespace -Name $name -WarningVariable warn -WarningAction SilentlyContinue
            "$warn" | Should -BeLike '*lives on*'
            # Nothing /proc/PID/ns or the mount table shows holds it now.
            @(Get-ProcessInNamespace net "net:[$inode]") | Should -BeNullOrEmpty
            findmnt -n -o TARGET | Should -Not -Contain "/run/netns/$name"

            $ns = Get-Namespace -Inode $inode -IncludeDescriptors
            $ns.Type | Should -Be 'Net'
            $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]::Socket)
            $ns.Sockets | Should -Be @("/proc/$($holder.Process.Id)/fd/$fd")
            $ns.ProcessCount | Should -Be 0
            # Without descriptors the socket is not looked at.
            Get-Namespace -Inode $inode -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        } finally {
            Stop-HiddenHolder $holder
            if (Test-Path "/run/netns/$name") { ip netns delete $name }
        }
    }

    It 'lists every socket of a process in the namespace SIOCGSKNS names for it' {
        # This pwsh's own sockets: each is in the network namespace the process is in.
        $socket = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
        try {
            $path = "/proc/$PID/fd/$($socket.Handle)"
            $own = Get-NsInode $PID net
            $all = @(Get-Namespace -Type Net -IncludeDescriptors)
            $ns = $all | Where-Object Inode -eq $own
            $ns.HeldBy.HasFlag([PSNamespaces.NamespaceHolder]::Socket) | Should -BeTrue
            $ns.Sockets | Should -Contain $path
            ($all | Where-Object Inode -ne $own).Sockets | Should -Not -Contain $path
        } finally {
            $socket.Dispose()
        }
    }
}

Describe 'Get-Namespace: a bind mount in another mount namespace' -Tag 'Root' {
    It 'finds a network namespace unshare --net=FILE bound inside a private mount namespace, with that namespace''s inode and path' {
        $dir = (New-Item -ItemType Directory -Path (Join-Path $reportDir 'private')).FullName
        $file = Join-Path $dir 'net'
        $script = "touch '$file' && unshare --net='$file' true && exec sleep 1000"
        $outer = Start-TestProcess -Unshare @('--mount', '--propagation', 'private') -Command @('sh', '-c', $script) -Name 'sleep'
        try {
            $sleep = $outer.Pid
            # The kernel: that mount namespace's mountinfo has the nsfs mount; the caller's does not.
            $mountNamespace = Get-NsInode $sleep mnt
            $mountNamespace | Should -Not -Be (Get-NsInode $PID mnt)
            $line = @(Get-Content "/proc/$sleep/mountinfo" | Where-Object { $_ -like '* - nsfs *' -and ($_ -split ' ')[4] -eq $file })
            $line.Count | Should -Be 1
            $root = ($line[0] -split ' ')[3]
            $root | Should -Match '^net:\[\d+\]$'
            $inode = [uint64]($root -replace '^net:\[(\d+)\]$', '$1')
            findmnt -n -o TARGET | Should -Not -Contain $file
            @(Get-ProcessInNamespace net "net:[$inode]") | Should -BeNullOrEmpty

            $ns = Get-Namespace -Inode $inode
            $ns.Type | Should -Be 'Net'
            $ns.HeldBy | Should -Be ([PSNamespaces.NamespaceHolder]::BindMount)
            $ns.BindMounts | Should -Be @("mnt:[$mountNamespace]:$file")
            $ns.NsfsPaths | Should -BeNullOrEmpty -Because 'the caller''s mount table does not have it'
            $ns.Name | Should -BeNullOrEmpty
            # Asked about through the mount: its owner is the user namespace the sleep is in.
            $ns.Owner | Should -Be (Get-NsInode $sleep user)
        } finally {
            Stop-TestProcess $outer
        }
    }

    It 'lists a named netns''s copies in other mount namespaces with the caller''s own, and NsfsPaths only the caller''s' {
        $name = "psns-copy-$PID"
        ip netns add $name
        $outer = $null
        try {
            # unshare --mount copies the mount table, /run/netns/NAME among it, into a private one.
            $outer = Start-TestProcess -Unshare @('--mount', '--propagation', 'private')
            $own = Get-NsInode $PID mnt
            $other = Get-NsInode $outer.Pid mnt
            Get-Content "/proc/$($outer.Pid)/mountinfo" | Where-Object { $_ -like "* /run/netns/$name * - nsfs *" } | Should -Not -BeNullOrEmpty

            $ns = Get-Namespace -Name $name
            $ns.BindMounts | Should -Contain "mnt:[$own]:/run/netns/$name"
            $ns.BindMounts | Should -Contain "mnt:[$other]:/run/netns/$name"
            $ns.NsfsPaths | Should -Be @("/run/netns/$name")
        } finally {
            if ($outer) { Stop-TestProcess $outer }
            ip netns delete $name
        }
    }
}
