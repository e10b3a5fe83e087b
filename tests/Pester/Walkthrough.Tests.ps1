# examples/Seed-Walkthrough.ps1, the seed article with this module, run as a user runs it:
# in its own pwsh. Expected values come from the kernel (readlink, /proc, stat) and ip netns.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
    $script = Join-Path $PSScriptRoot '../../examples/Seed-Walkthrough.ps1'
    $prefix = "psns-walktest-$PID"
    $netnsBefore = @(Get-ChildItem /run/netns -ErrorAction Ignore | ForEach-Object Name)
    $mountsBefore = @(Get-MountSignature)

    $pwsh = Join-Path $PSHOME 'pwsh'
    $output = & $pwsh -NoProfile -NonInteractive -File $script -ModulePath $modulePath -Prefix $prefix 2>&1 |
        ForEach-Object { "$_" }
    $exitCode = $LASTEXITCODE
    $text = $output -join "`n"
    $boxPid = if ($text -match 'bash is PID (\d+) outside') { [int]$Matches[1] }
}

Describe 'Seed-Walkthrough.ps1' -Tag 'Root', 'Slow' {
    It 'runs to the end with exit code 0' {
        $exitCode | Should -Be 0 -Because $text
        $text | Should -Match 'nothing left behind'
    }

    It 'shows readlink /proc/self as PID 1 with a fresh /proc, and the outside PID without' {
        $i = [array]::IndexOf($output, ($output | Where-Object { $_ -like 'PS> New-Namespace -Type Pid -FilePath readlink*' } | Select-Object -First 1))
        $i | Should -BeGreaterOrEqual 0
        [int]$output[$i + 1] | Should -BeGreaterThan 1
        $j = [array]::IndexOf($output, ($output | Where-Object { $_ -like 'PS> New-Namespace -Type Pid, Mount -MountProc*' } | Select-Object -First 1))
        $output[$j + 1] | Should -Be '1'
    }

    It 'shows NSpid from /proc/PID/status with the PID outside and 1 inside' {
        $boxPid | Should -Not -BeNullOrEmpty
        $text | Should -Match "NSpid:\s+$boxPid\s+1"
    }

    It 'lists bash and both sleeps from inside the namespace as PIDs 1 to 3' {
        $text | Should -Match '\n\s+1 bash\n\s+2 sleep\n\s+3 sleep'
    }

    It 'answers which process is PID 3 in the box: the same process Get-ProcNsStatus shows as "3 in pid:[INODE]"' {
        $boxNs = if ($text -match 'PID (\d+) is 3 in (pid:\[\d+\])') { $Matches[2] }
        $sleepPid = $Matches[1]
        $boxNs | Should -Not -BeNullOrEmpty
        $text | Should -Match ([regex]::Escape("3 in $boxNs"))
        $text | Should -Match "(?m)^\s*$sleepPid sleep\s+3\s"
        # This pwsh is in no PID namespace below the host's, so it has no PID in the box's.
        (Get-StatusField $PID NSpid) | Should -Be "$PID"
        $text | Should -Match 'pwsh in the box: \$null'
    }

    It 'shows every level''s PID, inode and pid ns id side by side' {
        $text | Should -Match "NSpid\s+: \{$boxPid, 1\}"
        $text | Should -Match 'PidNamespace\s+: \{\d+, \d+\}'
        $text | Should -Match 'PidNamespaceNsId\s+: \{\d+, \d+\}'
    }

    It 'persists a PID namespace and runs its PID 1 in one step' {
        $i = [array]::IndexOf($output, ($output | Where-Object { $_ -like 'PS> New-Namespace -Type Pid -Path*' } | Select-Object -First 1))
        $i | Should -BeGreaterOrEqual 0
        $output[$i + 1] | Should -Be '1'
        $text | Should -Match 'persisted: pid:\[\d+\]'
    }

    It 'shows the same device and inode as stat -L of the ns/pid file' {
        $text | Should -Match 'stat: dev=(\d+) inode=(\d+); Get-Namespace: dev=\1 inode=\2'
    }

    It 'enters the persistent UTS namespace and reads the host name set in it' {
        ($output | Where-Object { $_ -eq 'psns-walk' }).Count | Should -BeGreaterOrEqual 2
        hostname | Should -Not -Be 'psns-walk'
    }

    It 'shows the named network namespace in ip netns list with its netnsid, and only lo inside' {
        $text | Should -Match "\n$prefix-net \(id: \d+\)"
        # Set-NamespaceNetNsId -PassThru's namespace carries the id ip netns shows.
        $id = [regex]::Match($text, '\nnetnsid: (\d+)').Groups[1].Value
        $id | Should -Not -BeNullOrEmpty
        $text | Should -Match "\n$prefix-net \(id: $id\)"
        $text | Should -Match 'interface lo'
        $text | Should -Not -Match 'interface eth'
        $i = [array]::IndexOf($output, ($output | Where-Object { $_ -like "sh> ip netns list | awk*$prefix-net*# after removal" } | Select-Object -First 1))
        $i | Should -BeGreaterOrEqual 0
        $output[$i + 1] | Should -Be '0'
    }

    It 'ends with a Mermaid picture of the box''s namespaces, by the inodes readlink showed' {
        $start = [array]::IndexOf($output, 'flowchart LR')
        $start | Should -BeGreaterOrEqual 0
        $picture = $output[$start..($output.Count - 1)] -join "`n"
        # The box's PID namespace, by the inode stat -L showed of its ns/pid file.
        $inode = [regex]::Match($text, 'stat: dev=\d+ inode=(\d+)').Groups[1].Value
        $inode | Should -Not -BeNullOrEmpty
        # In the cluster of the box's process tree, labelled with its lowest PID; the host's namespaces it shares are one node.
        $lines = $picture -split "`n"
        $group = 0
        while ($group -lt $lines.Count -and $lines[$group] -notmatch ('^\s*subgraph g\d+\["PID ' + $boxPid + ' ')) { $group++ }
        $group | Should -BeLessThan $lines.Count
        $members = for ($i = $group + 1; $i -lt $lines.Count -and $lines[$i] -notmatch '^\s*end$'; $i++) { $lines[$i].Trim() }
        $members | Should -Contain "n$inode[`"pid $inode`"]"
        $picture | Should -Match 'subgraph u\d+\["user namespace \d+"\]'
        $picture | Should -Match '\bhost\["host: the initial namespaces<br/>'
    }

    It 'prints PowerShell commands that parse and bind as printed' {
        Import-PSNamespaces
        $commands = @($output | Where-Object { $_ -match '^\s*PS> ' } | ForEach-Object { $_ -replace '^\s*PS> ', '' })
        $commands.Count | Should -BeGreaterThan 20
        foreach ($command in $commands) {
            $tokens = $errors = $null
            $ast = [Management.Automation.Language.Parser]::ParseInput($command, [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because $command
            foreach ($call in $ast.FindAll({ $args[0] -is [Management.Automation.Language.CommandAst] }, $true)) {
                Get-Command $call.GetCommandName() -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because $command
                $binding = [Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
                @($binding.BindingExceptions.Values | ForEach-Object { $_.BindingException.Message }) | Should -BeNullOrEmpty -Because $command
            }
        }
    }

    It 'prints shell commands that sh reads as printed, each followed by its output' {
        $lines = @($output | Where-Object { $_ -like 'sh> *' })
        $lines.Count | Should -BeGreaterThan 10
        foreach ($line in $lines) {
            sh -n -c ($line -replace '^sh> ', '')
            $LASTEXITCODE | Should -Be 0 -Because $line
            $next = $output[[array]::IndexOf($output, $line) + 1]
            $next | Should -Not -Match '^(sh> |PS> |== |$)' -Because "$line shows its output"
        }
    }

    It 'leaves nothing behind: processes, mounts, named namespaces, files' {
        # PIDs wrap here: a process now at that PID is the box only if it is still PID 1 of its own namespace.
        $nspid = (Get-Content "/proc/$boxPid/status" -ErrorAction Ignore) -match '^NSpid:'
        "$nspid" | Should -Not -Match "^NSpid:\s+$boxPid\s+1$"
        @(Get-ChildItem /run/netns -ErrorAction Ignore | Where-Object Name -Like "$prefix*") | Should -BeNullOrEmpty
        @(Get-MountSignature | Where-Object { $_ -like "*$prefix*" }) | Should -BeNullOrEmpty
        Test-Path (Join-Path ([System.IO.Path]::GetTempPath()) $prefix) | Should -BeFalse
    }
}
