# Every parameter that takes a namespace by path, given what a path can be besides an nsfs file:
# a FIFO (a plain open blocks until a writer comes), a character device (/dev/null) and a
# terminal multiplexer (/dev/ptmx: opening it makes a terminal), a socket, a directory, a
# dangling link, a link to /proc/self/ns/net, and a link through a directory to a named netns.
# The parameters are found from the cmdlets' metadata, so a new cmdlet or parameter is covered
# (and fails here until its call is added below). Each call runs in a child pwsh that the test
# kills when a call does not return: a hang fails instead of hanging the suite. The child is in
# a network namespace of its own (unshare --net), so a call that rightly joins or labels "its own"
# network namespace through a link changes nothing the test does not throw away.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    # The module this run imported (out/, or an installed copy), for the child pwsh.
    $module = (Get-Module PSNamespaces).ModuleBase
    $dir = Join-Path ([IO.Path]::GetTempPath()) "psns-paths-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    # The child's script and work list, kept apart from the files that must not change.
    $runDir = Join-Path ([IO.Path]::GetTempPath()) "psns-paths-run-$PID"
    $null = New-Item -ItemType Directory -Path $runDir -Force
    $netns = "psns-paths-$PID"
    ip netns add $netns
    mkfifo "$dir/fifo"
    $null = New-Item -ItemType Directory "$dir/directory"
    ln -s "$dir/nothing-here" "$dir/dangling"
    ln -s /proc/self/ns/net "$dir/netlink"
    ln -s /run/netns "$dir/dirlink"
    $socket = [Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified')
    $socket.Bind([Net.Sockets.UnixDomainSocketEndPoint]::new("$dir/socket"))

    # What a path can be, and the path.
    $cases = [ordered]@{
        Fifo          = "$dir/fifo"
        CharDevice    = '/dev/null'
        Terminal      = '/dev/ptmx'
        Socket        = "$dir/socket"
        Directory     = "$dir/directory"
        DanglingLink  = "$dir/dangling"
        NamespaceLink = "$dir/netlink"
        ThroughLink   = "$dir/dirlink/$netns"
    }

    # How each path parameter is called; $p is the path. A parameter found below but missing here fails the test.
    $calls = @{
        'Enter-Namespace -Path'                   = 'Enter-Namespace -Path $p -FilePath true'
        'Invoke-InNamespace -Path'                = 'Invoke-InNamespace -Path $p { "ran" }'
        'Remove-Namespace -Path'                  = 'Remove-Namespace -Path $p -Confirm:$false'
        'Set-NamespaceNetNsId -Path'              = 'Set-NamespaceNetNsId -Path $p -NetNsId (Get-Random -Minimum 10000 -Maximum 1000000)'
        'New-Namespace -Path'                     = 'New-Namespace -Type Net -Path $p'
        'Convert-NamespacePid -FromPidNamespace'  = 'Convert-NamespacePid -Pid 1 -FromPidNamespace $p'
        'Convert-NamespacePid -ToPidNamespace'    = 'Convert-NamespacePid -Pid $PID -ToPidNamespace $p'
        'Get-NamespaceProcess -PidNamespace'      = 'Get-NamespaceProcess -Pid $PID -PidNamespace $p'
        'Get-NamespaceInterface -Path'            = 'Get-NamespaceInterface -Path $p'
    }

    # The parameters that name a namespace by path: -Path, and the [object] ones (a PID namespace
    # as an object, a PID or a path). FilePath, Root, WorkingDirectory and OutFile are programs,
    # directories and output files, not namespaces.
    $parameters = foreach ($command in Get-Command -Module PSNamespaces -CommandType Cmdlet) {
        foreach ($parameter in $command.Parameters.Values) {
            if ($parameter.Name -eq 'Path' -or ($parameter.ParameterType -eq [object] -and $parameter.Name -like '*Namespace')) {
                "$($command.Name) -$($parameter.Name)"
            }
        }
    }

    function Get-PathState {
        # What no call may change: the mount table, /run/netns, and the test's files.
        [pscustomobject]@{
            Mounts = (Get-MountSignature | Sort-Object) -join "`n"
            Netns  = (Get-ChildItem /run/netns -Name -ErrorAction Ignore | Sort-Object) -join ','
            Files  = (Get-ChildItem $dir -Force | ForEach-Object { "$($_.Name) $($_.UnixMode) $($_.LinkTarget)" }) -join "`n"
            NetnsInode = (stat -L -c '%i' "/run/netns/$netns")
        }
    }

    function Invoke-PathMatrix {
        <#
            Runs each call in a child pwsh, one after another, and returns one result per call:
            Key, Ids (the FullyQualifiedErrorIds), Output (objects written), Milliseconds, or
            Hung when it had not returned after TimeoutSeconds (the child is then killed and a new
            one goes on with the next call).
        #>
        param([object[]] $Work, [int] $TimeoutSeconds = 15)
        $driver = @'
param($module, $workFile)
Import-Module $module
foreach ($item in (Get-Content $workFile -Raw | ConvertFrom-Json)) {
    [Console]::Out.WriteLine("START $($item.Key)"); [Console]::Out.Flush()
    $p = $item.Path
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $ids = @(); $output = 0; $callErrors = @()
    try {
        $output = @(. ([scriptblock]::Create($item.Call + ' -ErrorVariable callErrors -ErrorAction SilentlyContinue'))).Count
        $ids = @($callErrors | ForEach-Object { $_.FullyQualifiedErrorId })
    } catch {
        $ids = @($_.FullyQualifiedErrorId)
    }
    $result = [pscustomobject]@{ Key = $item.Key; Ids = $ids; Output = $output; Milliseconds = $watch.ElapsedMilliseconds }
    [Console]::Out.WriteLine('DONE ' + ($result | ConvertTo-Json -Compress)); [Console]::Out.Flush()
}
'@
        $driverFile = Join-Path $runDir 'driver.ps1'
        Set-Content $driverFile $driver
        $results = [ordered]@{}
        $left = [Collections.Generic.List[object]]::new($Work)
        while ($left.Count -gt 0) {
            $workFile = Join-Path $runDir 'work.json'
            ConvertTo-Json -InputObject @($left) -Depth 3 | Set-Content $workFile
            $psi = [Diagnostics.ProcessStartInfo]::new('unshare')
            foreach ($a in @('--net', '--', (Join-Path $PSHOME 'pwsh'), '-NoProfile', '-NonInteractive', '-File', $driverFile, $module, $workFile)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardInput = $true
            $child = [Diagnostics.Process]::Start($psi)
            $current = $null
            try {
                while ($true) {
                    # The first call also waits for pwsh to start and import the module.
                    $read = $child.StandardOutput.ReadLineAsync()
                    $limit = if ($current) { $TimeoutSeconds } else { 4 * $TimeoutSeconds }
                    if (-not $read.Wait([TimeSpan]::FromSeconds($limit))) {
                        if (-not $current) { throw 'The child pwsh did not start.' }
                        $results[$current] = [pscustomobject]@{ Key = $current; Hung = $true; Ids = @(); Output = 0; Milliseconds = $null }
                        break
                    }
                    $line = $read.Result
                    if ($null -eq $line) {
                        if ($current) { throw "The child pwsh exited during $current." }
                        break
                    }
                    if ($line -like 'START *') { $current = $line.Substring(6) }
                    elseif ($line -like 'DONE *') {
                        $r = $line.Substring(5) | ConvertFrom-Json
                        $results[$r.Key] = [pscustomobject]@{ Key = $r.Key; Hung = $false; Ids = @($r.Ids); Output = $r.Output; Milliseconds = $r.Milliseconds }
                        $current = $null
                    }
                }
            } finally {
                if (-not $child.HasExited) { $child.Kill($true) }
                $child.WaitForExit()
            }
            $done = @($results.Keys)
            $left = [Collections.Generic.List[object]]::new(@($left | Where-Object { $_.Key -notin $done }))
        }
        $results
    }
}

AfterAll {
    if ($socket) { $socket.Dispose() }
    if (Test-Path "/run/netns/$netns") { ip netns delete $netns }
    # rm, not Remove-Item: it leaves a link to /proc/self/ns/net in place, and never follows one.
    rm -rf -- $dir $runDir
}

Describe 'Every parameter that takes a namespace path, given a path that is no namespace file' -Tag 'Root', 'Slow' {
    BeforeAll {
        $work = foreach ($parameter in $parameters) {
            foreach ($case in $cases.Keys) {
                if ($calls.ContainsKey($parameter)) {
                    [pscustomobject]@{ Key = "$parameter $case"; Path = $cases[$case]; Call = $calls[$parameter] }
                }
            }
        }
        $before = Get-PathState
        $results = Invoke-PathMatrix -Work $work
        $after = Get-PathState
    }

    It 'finds the path parameters from the cmdlets, and knows how to call each' {
        # The ones known today must be found (else the search found nothing and tested nothing).
        @($parameters) | Should -Contain 'Enter-Namespace -Path'
        @($parameters) | Should -Contain 'Remove-Namespace -Path'
        @($parameters) | Should -Contain 'Get-NamespaceProcess -PidNamespace'
        foreach ($parameter in $parameters) {
            $calls.ContainsKey($parameter) | Should -BeTrue -Because "$parameter takes a path: add how to call it to `$calls"
        }
    }

    It 'answers every call (none hangs)' {
        $hung = @($results.Values | Where-Object Hung | ForEach-Object Key)
        $hung | Should -BeNullOrEmpty -Because 'a call that waits in open() on a FIFO or device never returns'
        $results.Count | Should -Be @($work).Count
    }

    It 'refuses <Case> with a stable id everywhere' -TestCases @(
        @{ Case = 'Fifo' }, @{ Case = 'CharDevice' }, @{ Case = 'Terminal' }, @{ Case = 'Socket' }, @{ Case = 'Directory' }
    ) {
        foreach ($parameter in $parameters) {
            $r = $results["$parameter $Case"]
            $r.Hung | Should -BeFalse -Because "$parameter $Case"
            # New-Namespace -Path creates its file: anything already there is refused by what it is.
            $expected = if ($parameter -eq 'New-Namespace -Path') { if ($Case -eq 'Directory') { 'PathIsDirectory' } else { 'PathExists' } } else { 'NotANamespace' }
            @($r.Ids | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @($expected) -Because "$parameter $Case"
            $r.Output | Should -Be 0 -Because "$parameter $Case"
        }
    }

    It 'refuses a dangling link everywhere' {
        foreach ($parameter in $parameters) {
            $r = $results["$parameter DanglingLink"]
            # Removing and persisting never go through a link, whether or not it leads anywhere.
            $expected = if ($parameter -in 'New-Namespace -Path', 'Remove-Namespace -Path') { 'PathIsSymbolicLink' } else { 'NamespaceNotFound' }
            @($r.Ids | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @($expected) -Because "$parameter DanglingLink"
        }
    }

    It 'follows a link to a namespace where a namespace is only read, and never removes or mounts through one (<Case>)' -TestCases @(
        @{ Case = 'NamespaceLink' }, @{ Case = 'ThroughLink' }
    ) {
        foreach ($parameter in $parameters) {
            $r = $results["$parameter $Case"]
            $ids = @($r.Ids | ForEach-Object { ($_ -split ',')[0] })
            $expected = switch -Wildcard ($parameter) {
                'Remove-Namespace -Path' { @('PathIsSymbolicLink') }
                'New-Namespace -Path' { if ($Case -eq 'NamespaceLink') { @('PathIsSymbolicLink') } else { @('PathExists') } }
                '*PidNamespace' { @('WrongNamespaceType') }
                default { @() }
            }
            $ids | Should -Be $expected -Because "$parameter $Case"
        }
        $results['Invoke-InNamespace -Path NamespaceLink'].Output | Should -Be 1
    }

    It 'changes nothing: mounts, /run/netns and the files are as they were' {
        $after.Mounts | Should -Be $before.Mounts
        $after.Netns | Should -Be $before.Netns
        $after.Files | Should -Be $before.Files
        $after.NetnsInode | Should -Be $before.NetnsInode
    }
}
