<#
.SYNOPSIS
    The seed article's walk through PID namespaces, step by step, with PSNamespaces.
.DESCRIPTION
    Each step runs the shell command the article uses (util-linux unshare/nsenter, iproute2
    ip netns), printed after "sh>" with its output, then does the same with this module's
    cmdlets, printed after "PS>" with theirs; where the shell command would change the system,
    it is the PS> line's comment instead. Every printed command runs as printed. The sections the article left as
    headings (the stat of the ns files and the namespace ID, persistent namespaces, ip netns) are
    filled in. Everything it starts (processes, files, named network namespaces) it removes
    again in `finally`, also when a step fails. Run it with `dotnet pwsh ./build.ps1 -Task Demo`,
    as root.
.PARAMETER ModulePath
    The built module to import; out/PSNamespaces by default.
.PARAMETER Prefix
    Prefix for the names of the files and named network namespaces the walk creates.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PSNamespaces'),
    [string] $Prefix = "psns-walk-$PID"
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Show-Step([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }
function Show-Command([string] $Text) { Write-Host "PS> $Text" -ForegroundColor DarkGray }
# Output goes to the success stream as text, so a caller (and the Pester test) sees every line.
function Out-Text { process { $_ } }
function Invoke-Shell([string] $Text) {
    # The line printed is the line sh runs, and its output follows it.
    Write-Host "sh> $Text" -ForegroundColor DarkGray
    sh -c $Text | Out-Text
    if ($LASTEXITCODE -ne 0) { throw "sh -c '$Text' failed with exit code $LASTEXITCODE." }
}

$launched = [System.Collections.Generic.List[object]]::new()
$stateDir = Join-Path ([System.IO.Path]::GetTempPath()) $Prefix
$netnsName = "$Prefix-net"
$failed = $false
try {
    Show-Step 'A new PID namespace: the program is PID 1, but only a fresh /proc says so'
    Invoke-Shell 'unshare --fork --pid readlink /proc/self          # without --mount-proc'
    Show-Command 'New-Namespace -Type Pid -FilePath readlink -ArgumentList /proc/self'
    New-Namespace -Type Pid -FilePath readlink -ArgumentList /proc/self | Out-Text
    Write-Host '   ^ the host''s /proc still answers with the PID seen from outside.'
    Invoke-Shell 'unshare --fork --pid --mount-proc readlink /proc/self'
    Show-Command 'New-Namespace -Type Pid, Mount -MountProc -FilePath readlink -ArgumentList /proc/self'
    New-Namespace -Type Pid, Mount -MountProc -FilePath readlink -ArgumentList /proc/self | Out-Text
    Write-Host '   ^ PID 1: the program is the init of its new PID namespace.'

    Show-Step 'A long-lived namespace with several processes, seen from outside'
    Show-Command "`$box = New-Namespace -Type Pid, Mount, Uts, Ipc, Net -MountProc -KillChild -FilePath bash -ArgumentList '-c', 'sleep 600 & sleep 600 & wait' -NoWait -PassThru   # unshare --fork --pid --mount-proc --uts --ipc --net bash -c '...' &"
    $box = New-Namespace -Type Pid, Mount, Uts, Ipc, Net -MountProc -KillChild -FilePath bash `
        -ArgumentList '-c', 'sleep 600 & sleep 600 & wait' -NoWait -PassThru
    $launched.Add($box)
    # Wait until bash has started both sleeps.
    for ($i = 0; $i -lt 200; $i++) {
        $children = (Get-Content "/proc/$($box.Pid)/task/$($box.Pid)/children" -Raw -ErrorAction Ignore) -split '\s+' | Where-Object { $_ }
        if (@($children).Count -ge 2) { break }
        Start-Sleep -Milliseconds 25
    }
    Show-Command '$box'
    $box | Format-Table | Out-String -Width 120 | Out-Text
    Write-Host "   bash is PID $($box.Pid) outside."
    $pidNs = $box.Namespaces | Where-Object Type -EQ Pid
    Invoke-Shell "lsns -t pid -p $($box.Pid)"
    Show-Command "Get-Namespace -Type Pid -Pid $($box.Pid)"
    Get-Namespace -Type Pid -Pid $box.Pid | Format-Table | Out-String -Width 120 | Out-Text

    Show-Step '/proc/PID/status: NSpid lists the PID in every PID namespace, outermost first'
    Invoke-Shell "grep NSpid /proc/$($box.Pid)/status"
    Show-Command "Get-ProcNsStatus -Pid $($box.Pid)"
    Get-ProcNsStatus -Pid $box.Pid | Format-Table | Out-String -Width 120 | Out-Text

    Show-Step '"We can have multiple PID namespaces, right? So how can you know what namespace has that process as PID 3?"'
    $sleepPid = [int]@((Get-Content "/proc/$($box.Pid)/task/$($box.Pid)/children" -Raw) -split '\s+' | Where-Object { $_ })[-1]
    Invoke-Shell "grep -H NSpid /proc/[0-9]*/status 2>/dev/null | grep -m 5 -E '\s3`$'   # processes that are 3 somewhere; which namespace is which?"
    Show-Command "Get-ProcNsStatus -Pid $sleepPid | Format-Table Pid, Name, Levels"
    Get-ProcNsStatus -Pid $sleepPid | Format-Table Pid, Name, Levels -Wrap | Out-String -Width 120 | Out-Text
    Write-Host '   ^ each NSpid number next to the PID namespace it belongs to, outermost first.'
    Show-Command "Get-NamespaceProcess -Pid 3 -PidNamespace $($box.Pid)   # PID 3 in the PID namespace of process $($box.Pid)"
    Get-NamespaceProcess -Pid 3 -PidNamespace $box.Pid | Format-Table Pid, Command, NsPid, PidNs | Out-String -Width 120 | Out-Text
    Show-Command "Convert-NamespacePid -Pid $sleepPid -ToPidNamespace $($box.Pid)"
    Convert-NamespacePid -Pid $sleepPid -ToPidNamespace $box.Pid | ForEach-Object { "PID $sleepPid is $_ in $(readlink /proc/$($box.Pid)/ns/pid)" } | Out-Text
    Show-Command "Convert-NamespacePid -Pid $PID -ToPidNamespace $($box.Pid)   # this pwsh: not visible in there"
    $inBox = Convert-NamespacePid -Pid $PID -ToPidNamespace $box.Pid
    $(if ($null -eq $inBox) { 'pwsh in the box: $null (no PID there)' } else { "pwsh in the box: $inBox" }) | Out-Text

    Show-Step 'ls -l /proc/PID/ns: the namespaces of one process'
    Invoke-Shell "ls -l /proc/$($box.Pid)/ns"
    Show-Command "Get-NamespaceProcess -Pid $($box.Pid) | Format-List"
    Get-NamespaceProcess -Pid $box.Pid | Format-List | Out-String -Width 120 | Out-Text

    Show-Step 'Every process in that PID namespace (lsns INODE)'
    Invoke-Shell "lsns $($pidNs.Inode)"
    Show-Command "Get-NamespaceProcess -Type Pid -Inode $($pidNs.Inode)"
    Get-NamespaceProcess -Type Pid -Inode $pidNs.Inode | Format-Table | Out-String -Width 120 | Out-Text

    Show-Step 'Entering with the namespace''s PID and listing the processes from inside'
    Invoke-Shell "nsenter --target $($box.Pid) --pid --mount ps -o pid,comm"
    Show-Command "Enter-Namespace -Pid $($box.Pid) -Type Pid, Mount -FilePath ps -ArgumentList '-o', 'pid,comm'"
    Enter-Namespace -Pid $box.Pid -Type Pid, Mount -FilePath ps -ArgumentList '-o', 'pid,comm' | Out-Text
    Write-Host '   ^ inside, bash is PID 1 and ps sees only the namespace''s processes.'

    Show-Step 'The stat from the ns/pid files and the PID namespace ID'
    Invoke-Shell "stat -L -c 'dev=%d inode=%i' /proc/$($box.Pid)/ns/pid"
    $stat = (stat -L -c 'dev=%d inode=%i' "/proc/$($box.Pid)/ns/pid")
    Show-Command "Get-Namespace -Type Pid -Pid $($box.Pid) | Format-List Id, Inode, Device, NsId"
    $ns = Get-Namespace -Type Pid -Pid $box.Pid
    $ns | Format-List Id, Inode, Device, NsId | Out-String -Width 120 | Out-Text
    Write-Host '   The namespace is the (device, inode) pair of its nsfs file: the same for every process'
    Write-Host '   in it, and what readlink shows as pid:[INODE]. NsId is the 64-bit ID of NS_GET_ID.'
    "stat: $stat; Get-Namespace: dev=$($ns.Device) inode=$($ns.Inode)" | Out-Text
    Show-Command "Get-ProcNsStatus -Pid $($box.Pid) | Format-List NSpid, PidNamespace, PidNamespaceNsId"
    Get-ProcNsStatus -Pid $box.Pid | Format-List NSpid, PidNamespace, PidNamespaceNsId | Out-String -Width 120 | Out-Text
    Write-Host '   Every level side by side: the PID, the inode stat shows, and the pid ns id.'

    Show-Step 'How to make a persistent namespace'
    $null = New-Item -ItemType Directory -Path $stateDir -Force
    $utsFile = Join-Path $stateDir 'uts'
    Show-Command "New-Namespace -Type Uts -Path $utsFile   # touch $utsFile; unshare --uts=$utsFile true"
    New-Namespace -Type Uts -Path $utsFile | Format-Table | Out-String -Width 120 | Out-Text
    Write-Host '   A bind mount of the nsfs file keeps the namespace alive with no process in it.'
    Invoke-Shell "nsenter --uts=$utsFile hostname psns-walk; nsenter --uts=$utsFile hostname"
    Show-Command "Enter-Namespace -Path $utsFile -FilePath hostname"
    Enter-Namespace -Path $utsFile -FilePath hostname | Out-Text
    Show-Command 'Get-Namespace -Type Uts -Persistent'
    Get-Namespace -Type Uts -Persistent | Format-Table | Out-String -Width 120 | Out-Text
    Show-Command "Remove-Namespace -Path $utsFile   # umount $utsFile; rm $utsFile"
    Remove-Namespace -Path $utsFile
    $pidFile = Join-Path $stateDir 'pid'
    Show-Command "New-Namespace -Type Pid -Path $pidFile -MountProc -FilePath readlink -ArgumentList /proc/self   # touch $pidFile; unshare --pid=$pidFile --fork --mount-proc readlink /proc/self"
    New-Namespace -Type Pid -Path $pidFile -MountProc -FilePath readlink -ArgumentList /proc/self | Out-Text
    Invoke-Shell "stat -L -c 'persisted: pid:[%i]' $pidFile"
    Write-Host '   The PID namespace is bound once the program is its PID 1; it takes no process after that one exits.'
    Show-Command "Remove-Namespace -Path $pidFile -WarningAction SilentlyContinue   # umount $pidFile; rm $pidFile"
    Remove-Namespace -Path $pidFile -WarningAction SilentlyContinue

    Show-Step 'Relate this to ip netns'
    Show-Command "New-Namespace -Type Net -Name $netnsName -LoopbackUp   # ip netns add $netnsName; ip -n $netnsName link set lo up"
    New-Namespace -Type Net -Name $netnsName -LoopbackUp | Format-Table | Out-String -Width 120 | Out-Text
    Invoke-Shell 'ip netns list'
    Write-Host '   ip netns is the same persistence: a bind mount on /run/netns/NAME.'
    Invoke-Shell "ip netns exec $netnsName ip -o link"
    Show-Command "Invoke-InNamespace -Name $netnsName { Get-Content /proc/thread-self/net/dev | Select-Object -Skip 2 }"
    Invoke-InNamespace -Name $netnsName { (Get-Content /proc/thread-self/net/dev | Select-Object -Skip 2) -replace '^\s*(\S+):.*', 'interface $1' } | Out-Text
    Invoke-Shell "ip netns pids $netnsName | wc -l"
    Show-Command "@(Get-NamespaceProcess -Name $netnsName).Count   # no process: the mount alone holds it"
    @(Get-NamespaceProcess -Name $netnsName).Count | Out-Text
    Show-Command "Set-NamespaceNetNsId -Name $netnsName -PassThru | Select-Object NetNsId   # ip netns set $netnsName auto"
    Set-NamespaceNetNsId -Name $netnsName -PassThru | ForEach-Object { "netnsid: $($_.NetNsId)" } | Out-Text
    Invoke-Shell "ip netns list | awk '`$1 == `"$netnsName`"'"
    Show-Command "Remove-Namespace -Name $netnsName   # ip netns delete $netnsName"
    Remove-Namespace -Name $netnsName
    Write-Host '   Gone at once: Remove-Namespace also ends the worker thread Invoke-InNamespace kept in it.'
    Invoke-Shell "ip netns list | awk '`$1 == `"$netnsName`"' | wc -l   # after removal"

    Show-Step 'A picture of what the walk made'
    Invoke-Shell "lsns -p $($box.Pid)   # and draw it by hand"
    Show-Command "Get-Namespace -Pid $($box.Pid) | ConvertTo-NamespaceGraph -Format Mermaid"
    Get-Namespace -Pid $box.Pid | ConvertTo-NamespaceGraph -Format Mermaid | Out-Text
    Write-Host '   Paste it into a ```mermaid block of a runbook; or, with Graphviz (apt-get install graphviz):'
    Write-Host "   PS> Get-Namespace -Pid $($box.Pid) | ConvertTo-NamespaceGraph -OutFile box.svg"
}
catch {
    $failed = $true
    Write-Host "Walkthrough failed: $_" -ForegroundColor Red
    throw
}
finally {
    Show-Step 'Cleaning up'
    foreach ($p in $launched) {
        if (-not $p.HasExited) { $p.Kill(); $null = $p.WaitForExit(10000) }
        Write-Host "   stopped PID $($p.Pid) and its namespaces."
    }
    if (Test-Path -LiteralPath $stateDir) {
        foreach ($f in Get-ChildItem -LiteralPath $stateDir -File) {
            Remove-Namespace -Path $f.FullName -ErrorAction Ignore
            umount $f.FullName 2>$null
        }
        Remove-Item -LiteralPath $stateDir -Recurse -Force -ErrorAction Ignore
    }
    if (Test-Path "/run/netns/$netnsName") {
        Remove-Namespace -Name $netnsName -ErrorAction Ignore
    }
    # Module removal ends Invoke-InNamespace's worker threads, the last holders of the netns.
    Remove-Module PSNamespaces -Force -ErrorAction Ignore
    Write-Host '   nothing left behind.'
}
