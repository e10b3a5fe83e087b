# nsenter's -S follow, -G follow, --env and --join-cgroup, and ip -all netns exec, as
# Enter-Namespace does them. util-linux 2.38.1 has none of the three nsenter options, so each is
# checked against what the tool gives for the values read from the kernel (stat of /proc/PID,
# /proc/PID/environ, /proc/PID/cgroup) and against those kernel files themselves.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CgroupFixture.psm1') -Force
    Import-PSNamespaces
    $credentialLines = 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'

    function Invoke-PwshInPrivateMounts {
        <#
        .SYNOPSIS
            Runs a pwsh command with the module in a private mount namespace prepared by Setup
            (sh commands); the namespace dies with it. Returns the output lines.
        #>
        param([Parameter(Mandatory)] [string] $Setup, [Parameter(Mandatory)] [string] $Command)
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $script = "Import-Module '$module'`n$Command"
        $pwsh = "exec '$((Get-Command dotnet).Source)' '$(Join-Path $PSHOME 'pwsh.dll')' -NoProfile -NonInteractive -Command `"`$PSNS_SCRIPT`""
        $env:PSNS_SCRIPT = $script
        try {
            unshare --mount --propagation private -- sh -c "$Setup && $pwsh" 2>&1 | ForEach-Object { "$_" }
        } finally {
            Remove-Item Env:PSNS_SCRIPT
        }
    }

    function Get-CgroupV1Mount {
        <# Where the v1 hierarchy of a controller is mounted, or $null (a v2-only machine). #>
        param([Parameter(Mandatory)] [string] $Controller)
        foreach ($line in Get-Content /proc/self/mountinfo) {
            $fields = $line -split ' '
            $dash = [array]::IndexOf($fields, '-')
            if ($fields[$dash + 1] -eq 'cgroup' -and $fields[3] -eq '/' -and ($fields[$dash + 3] -split ',') -contains $Controller) { return $fields[4] }
        }
        $null
    }

    # ip -all netns exec's output, "\nnetns: NAME" before each namespace's, as NAME -> lines.
    function ConvertFrom-AllNetnsOutput {
        param([string[]] $Lines)
        $sections = [ordered]@{}
        $current = $null
        foreach ($line in $Lines) {
            if ($line -match '^netns: (.+)$') { $current = $Matches[1]; $sections[$current] = @(); continue }
            if ($null -ne $current -and $line -ne '') { $sections[$current] += $line }
        }
        $sections
    }
}

Describe 'Enter-Namespace -UserId follow / -GroupId follow (nsenter -S follow, -G follow)' -Tag 'Root' {
    BeforeAll {
        $user = New-TestUser -Name "psnsi13f$PID"
        $target = Start-TestProcess -Unshare @('--uts') -Name sleep -Command @(
            'setpriv', "--reuid=$($user.Uid)", "--regid=$($user.Gid)", '--clear-groups', 'sleep', '1000')
        # In a user namespace of its own, mapping the user to uid/gid 1000 inside.
        $nested = Start-TestProcess -Name sleep -Command @(
            'setpriv', "--reuid=$($user.Uid)", "--regid=$($user.Gid)", '--clear-groups',
            'unshare', '--user', '--map-user=1000', '--map-group=1000', 'sleep', '1000')
    }

    AfterAll {
        $target, $nested | Where-Object { $_ } | Stop-TestProcess
        Remove-TestUser $user
    }

    It 'runs the program as the owner of /proc/PID, as nsenter -S/-G with the ids stat shows' {
        $uid = stat -c %u "/proc/$($target.Pid)"
        $gid = stat -c %g "/proc/$($target.Pid)"
        $uid | Should -Be $user.Uid
        $expected = nsenter --target $target.Pid --uts -S $uid -G $gid sh -c $credentialLines
        $actual = Enter-Namespace -Pid $target.Pid -Type Uts -UserId follow -GroupId follow -FilePath sh -ArgumentList '-c', $credentialLines
        $LASTEXITCODE | Should -Be 0
        $actual | Should -Be $expected
        # The kernel's view of the target: the same uid and gid, no supplementary groups.
        $actual | Should -Be @(Get-Content "/proc/$($target.Pid)/status" | Where-Object { $_ -match '^(Uid|Gid|Groups):' })
    }

    It 'follows only the id asked for: -UserId follow keeps the caller''s gid' {
        $actual = Enter-Namespace -Pid $target.Pid -Type Uts -UserId FOLLOW -FilePath sh -ArgumentList '-c', $credentialLines
        $actual[0] | Should -Be ((Get-Content "/proc/$($target.Pid)/status") -match '^Uid:')
        $actual[1] | Should -Be ((Get-Content "/proc/$PID/status") -match '^Gid:')
    }

    It 'takes the ids as the entered user namespace sees them (1000 inside), as nsenter does' {
        $inside = nsenter --target $nested.Pid --user --preserve-credentials grep -E '^(Uid|Gid):' "/proc/$($nested.Pid)/status"
        $inside[0] | Should -Match '^Uid:\s+1000\s'
        $expected = nsenter --target $nested.Pid --user -S 1000 -G 1000 grep -E '^(Uid|Gid):' /proc/self/status
        $actual = Enter-Namespace -Pid $nested.Pid -Type User -UserId follow -GroupId follow -FilePath grep -ArgumentList '-E', '^(Uid|Gid):', '/proc/self/status'
        $actual | Should -Be $expected
        $actual | Should -Be $inside
    }

    It 'completes follow for -UserId and -GroupId' {
        $completion = TabExpansion2 -inputScript 'Enter-Namespace -Pid 1 -UserId fo' -cursorColumn 'Enter-Namespace -Pid 1 -UserId fo'.Length
        $completion.CompletionMatches.CompletionText | Should -Be 'follow'
        $completion = TabExpansion2 -inputScript 'Enter-Namespace -Pid 1 -GroupId ' -cursorColumn 'Enter-Namespace -Pid 1 -GroupId '.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'follow'
    }
}

Describe 'Enter-Namespace -UseTargetEnvironment (nsenter --env)' -Tag 'Root' {
    BeforeAll {
        $bin = Join-Path ([IO.Path]::GetTempPath()) "psns-i13-bin-$PID"
        $null = New-Item -ItemType Directory -Path $bin
        Set-Content "$bin/psns-i13-only-here" "#!/bin/sh`necho found-in-target-path"
        chmod 755 "$bin/psns-i13-only-here"
        $target = Start-TestProcess -Unshare @('--uts') -Name sleep -Command @(
            'env', '-i', "PATH=$($bin):/usr/bin:/bin", 'PSNS_I13=two words', 'EMPTY=', 'sleep', '1000')
    }

    AfterAll {
        $target | Stop-TestProcess
        Remove-Item $bin -Recurse -Force
    }

    It 'gives the program exactly /proc/PID/environ, not pwsh''s environment' {
        $env:PSNS_I13_CALLER = 'caller'
        try {
            $actual = Enter-Namespace -Pid $target.Pid -Type Uts -UseTargetEnvironment -FilePath env
        } finally {
            Remove-Item Env:PSNS_I13_CALLER
        }
        $expected = @((Get-Content -Raw "/proc/$($target.Pid)/environ") -split "`0" | Where-Object { $_ })
        $expected | Should -Contain 'PSNS_I13=two words'
        @($actual | Sort-Object) | Should -Be @($expected | Sort-Object)
        $actual | Should -Not -Contain 'PSNS_I13_CALLER=caller'
        # The tool's equivalent: nsenter with the same entries, an empty environment besides.
        $reference = env -i @expected nsenter --target $target.Pid --uts env
        @($actual) | Should -Be @($reference)
    }

    It 'looks the program up in the target''s PATH' {
        Enter-Namespace -Pid $target.Pid -Type Uts -UseTargetEnvironment -FilePath psns-i13-only-here | Should -Be 'found-in-target-path'
        Enter-Namespace -Pid $target.Pid -Type Uts -FilePath psns-i13-only-here -ErrorVariable err -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 127
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Enter-Namespace -JoinCgroup (nsenter --join-cgroup)' -Tag 'Root', 'Slow' {
    BeforeAll {
        $state = @{}
        $cgroup = "psns-i13-join-$PID"
        $member = Add-CgroupProcess -State $state -Relative $cgroup
        $v2 = Get-Cgroup2Mount
        # On a hybrid or v1 machine, a v1 hierarchy too: the program must land in both.
        $pids = Get-CgroupV1Mount pids
        if ($pids) {
            $v1 = Join-Path $pids $cgroup
            $null = New-Item -ItemType Directory -Path $v1
            $state.Made.Add($v1)
            foreach ($process in $member.Unshare, $member.Pid) { Set-Content -LiteralPath "$v1/cgroup.procs" -Value $process }
        }
    }

    AfterAll {
        Remove-CgroupFixture -State $state
    }

    It 'starts the program in the target''s cgroups, as writing cgroup.procs before nsenter does' {
        $theirs = Get-Content "/proc/$($member.Pid)/cgroup"
        $theirs | Should -Contain "0::/$cgroup"
        $theirs | Should -Not -Be (Get-Content "/proc/$PID/cgroup")
        $actual = Enter-Namespace -Pid $member.Pid -Type Uts, Net -JoinCgroup -FilePath cat -ArgumentList /proc/self/cgroup
        $LASTEXITCODE | Should -Be 0
        $actual | Should -Be $theirs
        # The tool's equivalent: move a shell into each cgroup by hand, then nsenter.
        $moves = @("echo 0 > '$v2/$cgroup/cgroup.procs'") + @(if ($pids) { "echo 0 > '$pids/$cgroup/cgroup.procs'" })
        $reference = sh -c "$($moves -join '; '); exec nsenter --target $($member.Pid) --uts --net cat /proc/self/cgroup"
        $actual | Should -Be $reference
        # pwsh itself stays where it was.
        Get-Content "/proc/$PID/cgroup" | Should -Not -Contain "0::/$cgroup"
    }

    It 'leaves out nothing with a PID namespace too: the program forked inside is in the cgroup' {
        $inner = Start-TestProcess -Unshare @('--pid', '--mount-proc') -Name sleep
        try {
            Set-Content -LiteralPath "$v2/$cgroup/cgroup.procs" -Value $inner.Pid
            $actual = Enter-Namespace -Pid $inner.Pid -Type Pid, Mount -JoinCgroup -FilePath sh -ArgumentList '-c', 'grep ^0:: /proc/self/cgroup; echo $$'
            $actual[0] | Should -Be "0::/$cgroup"
            $actual[1] | Should -Not -Be '1'
        } finally {
            $inner | Stop-TestProcess
        }
    }

    It 'gives <Id> when <Case>' -TestCases @(
        # The target of an error found before the launch is the process; of a failed launch step, the program.
        @{ Case = 'no cgroup hierarchy is mounted'; Id = 'CgroupNotMounted'; Category = 'ObjectNotFound'; ByPid = $true
           Setup = 'umount -R /sys/fs/cgroup' }
        @{ Case = 'the cgroup2 mount shows another subtree'; Id = 'CgroupNotReachable'; Category = 'ObjectNotFound'; ByPid = $true
           Setup = 'mkdir -p "$V2/$CG-other" && mount --bind "$V2/$CG-other" "$V2"' }
        @{ Case = 'the cgroup is gone from this mount namespace''s view'; Id = 'open(cgroup.procs),ENOENT'; Category = 'ObjectNotFound'; ByPid = $false
           Setup = 'mount -t tmpfs tmpfs "$V2/$CG"' }
        @{ Case = 'the cgroup is not writable'; Id = 'open(cgroup.procs),EROFS'; Category = 'PermissionDenied'; ByPid = $false
           Setup = 'mount -o remount,bind,ro "$V2"' }
    ) {
        $env:V2 = $v2; $env:CG = $cgroup
        try {
            $out = Invoke-PwshInPrivateMounts -Setup $Setup -Command @"
Enter-Namespace -Pid $($member.Pid) -Type Uts -JoinCgroup -FilePath sh -ArgumentList '-c', 'echo ran' -ErrorVariable err -ErrorAction SilentlyContinue
"id=`$(`$err[0].FullyQualifiedErrorId)"
"category=`$(`$err[0].CategoryInfo.Category)"
"target=`$(`$err[0].TargetObject)"
"message=`$(`$err[0].Exception.Message)"
"@
        } finally {
            Remove-Item Env:V2, Env:CG
            if (Test-Path "$v2/$cgroup-other") { [IO.Directory]::Delete("$v2/$cgroup-other") }
        }
        $out | Should -Not -Contain 'ran'
        $out | Should -Contain "id=$Id,PSNamespaces.Commands.EnterNamespaceCommand"
        $out | Should -Contain "category=$Category"
        $out | Should -Contain "target=$(if ($ByPid) { $member.Pid } else { 'sh' })"
        ($out -match '^message=') | Should -Match 'cgroup'
    }
}

Describe 'Enter-Namespace: options that need a target process' -Tag 'Root' {
    It 'refuses <Option> with a target given by -Path or -Name: TargetProcessRequired' -TestCases @(
        @{ Option = '-UserId follow'; Splat = @{ UserId = 'follow' } }
        @{ Option = '-GroupId follow'; Splat = @{ GroupId = 'follow' } }
        @{ Option = '-UseTargetEnvironment'; Splat = @{ UseTargetEnvironment = $true } }
        @{ Option = '-JoinCgroup'; Splat = @{ JoinCgroup = $true } }
    ) {
        $err = $null
        try { Enter-Namespace -Path "/proc/$PID/ns/uts" @Splat -FilePath true } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TargetProcessRequired,PSNamespaces.Commands.EnterNamespaceCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be "/proc/$PID/ns/uts"
        $err = $null
        try { Enter-Namespace -Name psns-i13-any @Splat -FilePath true } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TargetProcessRequired,PSNamespaces.Commands.EnterNamespaceCommand'
    }

    It 'still takes a number for -UserId and refuses other words' {
        Enter-Namespace -Pid $PID -Type Uts -UserId 65534 -FilePath id -ArgumentList '-u' | Should -Be '65534'
        { Enter-Namespace -Pid $PID -UserId someone -FilePath true } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSNamespaces.Commands.EnterNamespaceCommand'
    }
}

Describe 'Enter-Namespace -Name with wildcards (ip -all netns exec)' -Tag 'Root', 'Slow' {
    BeforeAll {
        $names = "psns-i13-a-$PID", "psns-i13-b-$PID"
        foreach ($name in $names) { ip netns add $name }
        # Different state in each, so the sections cannot be swapped unnoticed.
        ip -n $names[1] link set lo up
    }

    AfterAll {
        foreach ($name in $names) { ip netns delete $name 2>$null }
    }

    It 'runs the program once in each matching namespace, every line carrying its NetnsName, as ip -all netns exec does' {
        $reference = ConvertFrom-AllNetnsOutput (ip -all netns exec ip -o link show lo)
        $actual = Enter-Namespace -Name 'psns-i13-?-*' -FilePath ip -ArgumentList '-o', 'link', 'show', 'lo'
        @($actual.NetnsName | Select-Object -Unique) | Should -Be @($names | Sort-Object)
        foreach ($name in $names) {
            @($actual | Where-Object NetnsName -EQ $name | ForEach-Object { "$_" }) | Should -Be $reference[$name] -Because $name
        }
        ($actual | Where-Object NetnsName -EQ $names[1]) | Should -Match 'UP'
        ($actual | Where-Object NetnsName -EQ $names[0]) | Should -Not -Match 'LOOPBACK,UP'
    }

    It 'writes ip''s "netns: NAME" header to the host when the output goes there' {
        $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
        $hostText = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$module'; Enter-Namespace -Name 'psns-i13-?-$PID' -FilePath readlink -ArgumentList /proc/self/ns/net"
        $reference = ip -all netns exec readlink /proc/self/ns/net
        $mine = ConvertFrom-AllNetnsOutput $hostText
        $theirs = ConvertFrom-AllNetnsOutput $reference
        @($mine.Keys) | Should -Be @($names | Sort-Object)
        foreach ($name in $names) { $mine[$name] | Should -Be $theirs[$name] }
        # ip's exact shape: an empty line, then the header.
        $hostText[0] | Should -Be ''
        $hostText[1] | Should -Be "netns: $(($names | Sort-Object)[0])"
    }

    It 'runs Invoke-InNamespace in each matching namespace too, each object carrying its NetnsName' {
        $actual = Invoke-InNamespace -Name 'psns-i13-?-*' { (Get-Item /proc/thread-self/ns/net).LinkTarget }
        $actual | Should -Be @($names | Sort-Object | ForEach-Object { ip netns exec $_ readlink /proc/self/ns/net })
        @($actual.NetnsName) | Should -Be @($names | Sort-Object)
    }

    It 'takes a name that exists as it is, even with wildcard characters in it (ip allows them)' {
        $odd = "psns-i13-[x]-$PID"
        ip netns add $odd
        try {
            $out = Enter-Namespace -Name $odd -FilePath readlink -ArgumentList /proc/self/ns/net
            $out | Should -Be (ip netns exec $odd readlink /proc/self/ns/net)
            $out.NetnsName | Should -Be $odd
        } finally {
            ip netns delete $odd
        }
    }

    It 'gives NamespaceNotFound for a wildcard that matches no name, and goes on with the others' {
        $out = Enter-Namespace -Name 'psns-i13-none-*', $names[0] -FilePath readlink -ArgumentList /proc/self/ns/net -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PSNamespaces.Commands.EnterNamespaceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'psns-i13-none-*'
        $out | Should -Be (ip netns exec $names[0] readlink /proc/self/ns/net)
    }

    It 'gives NamespaceNotFound for -Name * when no named namespace exists, where ip -all netns exec prints nothing' {
        $out = Invoke-PwshInPrivateMounts -Setup 'mount -t tmpfs tmpfs /run' -Command @'
"ip=$(@(ip -all netns exec true).Count)"
Enter-Namespace -Name * -FilePath echo -ArgumentList ran -ErrorVariable err -ErrorAction SilentlyContinue
"id=$($err[0].FullyQualifiedErrorId)"
"category=$($err[0].CategoryInfo.Category)"
'@
        $out | Should -Contain 'ip=0'
        $out | Should -Not -Contain 'ran'
        $out | Should -Contain 'id=NamespaceNotFound,PSNamespaces.Commands.EnterNamespaceCommand'
        $out | Should -Contain 'category=ObjectNotFound'
    }
}
