<#
    Shared helpers for the Pester suite. Expected values come from the kernel and the reference
    tools (readlink, /proc/PID/status, lsns, ip netns), never from the module under test.
#>

Set-StrictMode -Version Latest

function Import-PSNamespaces {
    # The built module; build.ps1 sets PSNS_MODULE, a developer running Invoke-Pester by hand gets out/.
    $path = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
    Import-Module $path -Force -Global
}

function Get-NsInode {
    <# The inode of /proc/PID/ns/LINK as readlink(1) prints it ("net:[4026531840]" -> 4026531840). #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [string] $Link)
    $text = readlink "/proc/$ProcessId/ns/$Link"
    if ($LASTEXITCODE -ne 0 -or $text -notmatch '\[(\d+)\]$') { throw "readlink /proc/$ProcessId/ns/$Link failed: $text" }
    [uint64]$Matches[1]
}

function Get-StatusField {
    <# A field of /proc/PID/status as grep(1) shows it, split into numbers where it is a list. #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [string] $Field)
    $line = grep -E "^${Field}:" "/proc/$ProcessId/status"
    if ($LASTEXITCODE -ne 0) { throw "grep $Field /proc/$ProcessId/status failed" }
    ($line -replace "^${Field}:\s*", '').Trim()
}

function Get-ChildPid {
    param([Parameter(Mandatory)] [int] $ProcessId)
    $children = foreach ($task in Get-ChildItem "/proc/$ProcessId/task" -ErrorAction Ignore) {
        (Get-Content "$($task.FullName)/children" -Raw -ErrorAction Ignore) -split '\s+' | Where-Object { $_ }
    }
    @($children | ForEach-Object { [int]$_ })
}

function Get-DescendantPid {
    param([Parameter(Mandatory)] [int] $ProcessId)
    foreach ($child in Get-ChildPid $ProcessId) {
        $child
        Get-DescendantPid $child
    }
}

function Start-NativeProcess {
    <# Starts a program with each argument passed as is (no shell, no re-splitting). #>
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $psi.ArgumentList.Add($argument) }
    [System.Diagnostics.Process]::Start($psi)
}

function Start-TestProcess {
    <#
    .SYNOPSIS
        Starts `unshare --fork --kill-child <Unshare> -- <Command>` and returns once the command
        runs: an object with Pid (the command, inside the new namespaces), Unshare (the outer
        process) and the namespaces asked for. Stop it with Stop-TestProcess.
    #>
    param(
        [string[]] $Unshare = @(),
        [string[]] $Command = @('sleep', '1000'),
        # The command name (comm) to wait for, when it is not the program's own name.
        [string] $Name
    )
    $arguments = @('--fork', '--kill-child') + $Unshare + @('--') + $Command
    $outer = Start-NativeProcess unshare $arguments
    $name = if ($Name) { $Name } else { Split-Path -Leaf $Command[0] }
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $previous = 0
    while ([DateTime]::UtcNow -lt $deadline) {
        # The most deeply PID-namespaced descendant running the command (nested unshare
        # commands fork again); the same answer twice in a row, so a fork that has not yet
        # exec'd is not taken for the command.
        $inner = Get-DescendantPid $outer.Id | Where-Object {
            (Get-Content "/proc/$_/comm" -ErrorAction Ignore) -eq $name
        } | Sort-Object { -((Get-StatusField $_ NSpid) -split '\s+').Count } | Select-Object -First 1
        if ($inner -and $inner -eq $previous) {
            return [pscustomobject]@{ Pid = [int]$inner; Unshare = $outer }
        }
        $previous = $inner
        if ($outer.HasExited) { throw "unshare $($arguments -join ' ') exited with $($outer.ExitCode)" }
        Start-Sleep -Milliseconds 20
    }
    Stop-TestProcess ([pscustomobject]@{ Pid = 0; Unshare = $outer })
    throw "unshare $($arguments -join ' ') did not start $name in time"
}

function Stop-TestProcess {
    <#
    .SYNOPSIS
        Kills a test process tree deepest first, so that each parent reaps its own child and
        nothing is orphaned (the suite's leak check would find it).
    #>
    param([Parameter(Mandatory, ValueFromPipeline)] $TestProcess)
    process {
        $outer = $TestProcess.Unshare
        $tree = @(Get-DescendantPid $outer.Id)
        [array]::Reverse($tree)
        foreach ($child in $tree) {
            kill -KILL $child 2>$null
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Test-Path "/proc/$child") -and (Get-Content "/proc/$child/stat" -Raw -ErrorAction Ignore) -notmatch '\) Z ' -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 10
            }
        }
        # unshare --fork (and with-pid) exits once it has reaped its child; killed first, it would
        # leave that child's zombie to this pwsh, a subreaper that .NET never reaps for.
        if (-not $outer.WaitForExit(10000)) { $outer.Kill(); $outer.WaitForExit() }
    }
}

function Test-SelfEndingRuntimeThread {
    <#
    .SYNOPSIS
        Whether a thread name (comm) is one of the runtime's tiered-compilation or background-GC
        threads. Whichever thread first needs one starts it, a namespace worker included, and a
        background GC every few seconds keeps the GC's alive: the module allows for both inside a
        namespace (NamespaceRun.s_selfEndingRuntimeThreads), so thread checks leave them out.
    #>
    param([AllowNull()] [string] $Comm)
    $Comm -like '.NET Tiered*' -or $Comm -like '.NET BGC*'
}

function Get-OpenDescriptor {
    <#
    .SYNOPSIS
        What this process's open descriptors refer to (ls -l /proc/self/fd), sorted; compare two
        lists to find a leak. Left out: the numbers (which number an fd gets depends on what
        else was open a moment before), the directory this listing itself opens and any fd
        that closed while it was read, and .dll files (an assembly the runtime loads on first
        use of some code path stays open for good: the runtime's doing, not a leak).
    #>
    $listing = "/proc/$([Environment]::ProcessId)/fd"
    @(Get-ChildItem /proc/self/fd | ForEach-Object { $_.LinkTarget } |
        Where-Object { $_ -and $_ -ne $listing -and $_ -notlike '*.dll' } | Sort-Object)
}

function Assert-StopsPromptly {
    <#
    .SYNOPSIS
        Stops a running [powershell] as Ctrl+C would (StopProcessing) and checks that it was
        running, came back within 8 s, and ended stopped. The bound is loose on purpose (a loaded
        machine is slow); a block that cannot be stopped must take longer than that.
    #>
    param([Parameter(Mandatory)] [powershell] $PowerShell)
    $PowerShell.InvocationStateInfo.State | Should -Be 'Running'
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $PowerShell.Stop()
    $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
    $PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
}

function Get-TestBaseline {
    <# What the suite must leave as it found it. #>
    $self = [Environment]::ProcessId
    [pscustomobject]@{
        Mounts     = @(Get-MountSignature)
        Netns      = @(Get-ChildItem /run/netns -ErrorAction Ignore | ForEach-Object Name)
        NetnsDir   = Test-Path /run/netns
        Children   = @(Get-ChildPid $self)
        TempFiles  = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'psns-*' -Name -Force)
        Namespaces = @(Get-ChildItem "/proc/$self/task/$self/ns" | ForEach-Object { "$($_.Name) $(readlink $_.FullName)" })
    }
}

function Get-MountSignature {
    # Mount ids change on remount; mount point, root, source and type say what is mounted.
    Get-Content /proc/self/mountinfo | ForEach-Object {
        $f = $_ -split ' '
        $dash = [array]::IndexOf($f, '-')
        "$($f[4]) $($f[3]) $($f[$dash + 1]) $($f[$dash + 2])"
    }
}


function New-TestUser {
    <# An ordinary user for the unprivileged tests; remove it with Remove-TestUser. #>
    param([string] $Name = "psnstest$([Environment]::ProcessId)")
    useradd --system --no-create-home --shell /usr/sbin/nologin $Name
    if ($LASTEXITCODE -ne 0) { throw "useradd $Name failed" }
    [pscustomobject]@{ Name = $Name; Uid = [int](id -u $Name); Gid = [int](id -g $Name) }
}

function Remove-TestUser {
    param([Parameter(Mandatory)] $User)
    userdel $User.Name
}

function Invoke-PwshAsUser {
    <#
    .SYNOPSIS
        Runs a pwsh command as an ordinary user, with the built module imported; returns its
        output lines (stderr merged).
    .DESCRIPTION
        pwsh and the module may live where the user cannot reach (the dotnet tool under /root).
        A private mount namespace of the command binds both onto directories under /tmp, then
        drops to the user with setpriv (no capabilities, no supplementary groups). The mount
        namespace dies with the command; the directories are removed afterwards.
    #>
    param([Parameter(Mandatory)] $User, [Parameter(Mandatory)] [string] $Command)
    $root = "/tmp/psns-unpriv-$([Environment]::ProcessId)-$(Get-Random)"
    $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { (Resolve-Path (Join-Path $PSScriptRoot '../../out/PSNamespaces')).Path }
    $null = New-Item -ItemType Directory "$root/pwsh", "$root/module/PSNamespaces", "$root/home"
    chown $User.Uid "$root/home"
    $dotnet = (Get-Command dotnet).Source
    Set-Content "$root/home/command.ps1" "Import-Module '$root/module/PSNamespaces'`n$Command"
    $inner = @(
        "mount --bind '$PSHOME' '$root/pwsh'",
        "mount --bind '$module' '$root/module/PSNamespaces'",
        "exec env HOME='$root/home' DOTNET_CLI_TELEMETRY_OPTOUT=1 setpriv --reuid=$($User.Uid) --regid=$($User.Gid) --clear-groups --inh-caps=-all -- '$dotnet' '$root/pwsh/pwsh.dll' -NoProfile -NonInteractive -File '$root/home/command.ps1'"
    ) -join ' && '
    try {
        unshare --mount --propagation private -- sh -c $inner 2>&1 | ForEach-Object { "$_" }
    } finally {
        Remove-Item $root -Recurse -Force -ErrorAction Ignore
    }
}

function Invoke-PwshWithoutKernelFeature {
    <#
    .SYNOPSIS
        Runs a pwsh command, with the built module imported, as if the kernel lacked some
        system calls (ENOSYS) or nsfs ioctls (ENOTTY); returns its output lines.
    .DESCRIPTION
        tests/native/without-syscalls.c installs a seccomp filter and execs pwsh; it is compiled
        once per session into a temporary directory.
    #>
    param([int[]] $Enosys = @(), [uint32[]] $Enotty = @(), [Parameter(Mandatory)] [string] $Command)
    $binary = Get-TestBinary without-syscalls
    $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
    $arguments = @(foreach ($nr in $Enosys) { '--enosys'; "$nr" }) + @(foreach ($cmd in $Enotty) { '--enotty'; "$cmd" })
    $script = "Import-Module '$module'`n$Command"
    & $binary @arguments -- (Get-Command dotnet).Source (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script 2>&1 |
        ForEach-Object { "$_" }
}

function Get-TestBinary {
    <# A test program from tests/native/NAME.c, compiled once per session into a temporary directory. #>
    param([Parameter(Mandatory)] [ValidateSet('without-syscalls', 'with-pid', 'hidden-holder')] [string] $Name)
    $binary = Join-Path ([IO.Path]::GetTempPath()) "psns-$Name-$([Environment]::ProcessId)"
    if (-not (Test-Path $binary)) {
        gcc -O2 -Wall -Wextra -Werror -o $binary (Join-Path $PSScriptRoot "../native/$Name.c")
        if ($LASTEXITCODE -ne 0) { throw "gcc failed to build $Name" }
    }
    $binary
}

function Start-TestProcessWithPid {
    <#
    .SYNOPSIS
        Runs Command as PID ProcessId (tests/native/with-pid.c: clone3 with set_tid), to make
        the kernel reuse a PID that just ended. Returns, once Command runs, an object for
        Stop-TestProcess; its Pid is ProcessId.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [string[]] $Command, [Parameter(Mandatory)] [string] $Name)
    $outer = Start-NativeProcess (Get-TestBinary with-pid) (@("$ProcessId") + $Command)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Get-Content "/proc/$ProcessId/comm" -ErrorAction Ignore) -eq $Name -and (Get-StatusField $ProcessId PPid) -eq "$($outer.Id)") {
            return [pscustomobject]@{ Pid = $ProcessId; Unshare = $outer }
        }
        if ($outer.HasExited) { throw "with-pid $ProcessId $($Command -join ' ') exited with $($outer.ExitCode)" }
        Start-Sleep -Milliseconds 10
    }
    Stop-TestProcess ([pscustomobject]@{ Pid = 0; Unshare = $outer })
    throw "with-pid $ProcessId did not start $Name in time"
}

function Remove-TestBinaries {
    foreach ($name in 'without-syscalls', 'with-pid', 'hidden-holder') {
        Remove-Item (Join-Path ([IO.Path]::GetTempPath()) "psns-$name-$([Environment]::ProcessId)") -ErrorAction Ignore
    }
}

function Get-TableViewLabel {
    <# The column labels of a type's default table view, in order. #>
    param([Parameter(Mandatory)] [string] $TypeName)
    $view = @((Get-FormatData -TypeName $TypeName).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })[0]
    $view.Control.Headers | ForEach-Object { $_.Label }
}

function Assert-TableWhole {
    <#
    .SYNOPSIS
        Checks a table rendered by Out-String -Width: no line is wider, the header is one line
        (a label too wide for its column wraps onto the next lines), and every label is there
        whole and in order (a column that does not fit is dropped). Returns the text.
    #>
    param([Parameter(Mandatory)] [string] $Text, [Parameter(Mandatory)] [string[]] $Label, [Parameter(Mandatory)] [int] $Width)
    $lines = @($Text -split "`r?`n" | Where-Object { $_.Trim() })
    foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual $Width -Because $line }
    # A grouped view (GroupBy) starts with its "Label: value" line; the table is below it.
    if ($lines.Count -gt 2 -and $lines[0] -match '^\s*\w+: ' -and $lines[1] -notmatch '^[\s-]+$') { $lines = @($lines | Select-Object -Skip 1) }
    $lines[1] | Should -Match '^[\s-]+$' -Because "the header is one line at $Width columns:`n$Text"
    $pattern = ($Label | ForEach-Object { [regex]::Escape($_) }) -join '\s+'
    $lines[0].Trim() | Should -Match "^$pattern$" -Because "every column is there at $Width columns:`n$Text"
    $lines -join "`n"
}

function Add-RemoteComputerName {
    <# Each object as Invoke-Command writes a remote one: with PSComputerName, shown by the table views. #>
    param([Parameter(Mandatory)] [object[]] $InputObject, [string] $ComputerName = 'web-042.example.net')
    foreach ($object in $InputObject) {
        $copy = [psobject]::new($object)
        $copy.PSObject.Properties.Add([psnoteproperty]::new('PSComputerName', $ComputerName))
        $copy.PSObject.Properties.Add([psnoteproperty]::new('PSShowComputerName', $true))
        $copy
    }
}

Export-ModuleMember -Function *
