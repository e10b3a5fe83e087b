<#
    The signal storm: while a blocking call of the module runs, this pwsh gets SIGCHLD (from its
    own children exiting, and sent), SIGCONT, SIGWINCH and SIGURG, to the process and to each of
    its threads — the waiting one among them — from tests/native/signal-storm.c. Every wait must
    go on through them. Remove-SignalStorm (AfterAll) deletes the compiled sender.
#>

Set-StrictMode -Version Latest

$script:binary = Join-Path ([IO.Path]::GetTempPath()) "psns-signal-storm-$([Environment]::ProcessId)"

function Get-SignalSender {
    <# tests/native/signal-storm.c, compiled once per session. #>
    if (-not (Test-Path $script:binary)) {
        gcc -O2 -Wall -Wextra -Werror -o $script:binary (Join-Path $PSScriptRoot '../native/signal-storm.c')
        if ($LASTEXITCODE -ne 0) { throw 'gcc failed to build signal-storm' }
    }
    $script:binary
}

function Send-ThreadSignal {
    <# Sends signals (numbers), 10 ms apart, to one thread of this pwsh with tgkill; true if the thread lived through them all. #>
    param([Parameter(Mandatory)] [int] $ThreadId, [Parameter(Mandatory)] [int[]] $Signal)
    & (Get-SignalSender) thread $PID $ThreadId @Signal
    if ($LASTEXITCODE -notin 0, 3) { throw "tgkill to thread $ThreadId failed" }
    $LASTEXITCODE -eq 0
}

function Find-Thread {
    <# The TIDs of this pwsh's threads whose name (comm, 15 bytes) is like Pattern. #>
    param([Parameter(Mandatory)] [string] $Pattern)
    foreach ($task in [IO.Directory]::GetDirectories("/proc/$PID/task")) {
        if ((Get-Content "$task/comm" -ErrorAction Ignore) -like $Pattern) { [int](Split-Path -Leaf $task) }
    }
}

function Invoke-WithSignalStorm {
    <#
    .SYNOPSIS
        Runs ScriptBlock (in the caller's scope) while the storm goes on, and returns its output.
        Also returns, as the last object, a record of the storm: how many children exited and
        whether the sender ran, so a test can see that it really happened.
    #>
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $sender = [System.Diagnostics.Process]::Start((Get-SignalSender), @('storm', "$PID"))
    # Children of this pwsh that exit all the time: the SIGCHLD a background job or Start-Process gives.
    $stop = [System.Threading.ManualResetEventSlim]::new()
    $children = [powershell]::Create()
    $null = $children.AddScript({
        param($stop)
        $n = 0
        while (-not $stop.Wait(20)) { [System.Diagnostics.Process]::Start('true').Dispose(); $n++ }
        $n
    }).AddArgument($stop)
    $handle = $children.BeginInvoke()
    try {
        . $ScriptBlock
    }
    finally {
        $stop.Set()
        $exited = $children.EndInvoke($handle)
        $children.Dispose()
        $ran = -not $sender.HasExited
        if ($ran) { $sender.Kill() }
        $sender.WaitForExit()
        $sender.Dispose()
        [pscustomobject]@{ PSTypeName = 'SignalStorm'; ChildrenExited = [int]"$exited"; SenderRan = $ran }
    }
}

function Remove-SignalStorm {
    Remove-Item $script:binary -ErrorAction Ignore
}

Export-ModuleMember -Function Get-SignalSender, Send-ThreadSignal, Find-Thread, Invoke-WithSignalStorm, Remove-SignalStorm
