<#
    Helpers for Watch-Namespace's tests: a watch running in a runspace of this pwsh, started
    and stopped as a user would (Ctrl+C is PowerShell.Stop, which calls StopProcessing).
#>

Set-StrictMode -Version Latest

function Start-Watch {
    <#
    .SYNOPSIS
        Starts `Watch-Namespace <Arguments> -Verbose` in a new runspace and returns once it has
        read what is there (its "Watching ..." verbose line): changes after that are its to see.
    #>
    param([hashtable] $Arguments = @{}, [string] $Wrap)
    $module = if ($env:PSNS_MODULE) { $env:PSNS_MODULE } else { Join-Path $PSScriptRoot '../../out/PSNamespaces' }
    $ps = [powershell]::Create()
    # A concurrent queue, not the output collection: it can be read while the watch adds to it.
    $output = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
    $null = $ps.AddScript("param(`$a, `$sink) Import-Module '$module'; Watch-Namespace @a -Verbose | ForEach-Object { `$sink.Enqueue(`$_) }").AddArgument($Arguments).AddArgument($output)
    $handle = $ps.BeginInvoke()
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not @($ps.Streams.Verbose | Where-Object Message -like 'Watching *') -and [DateTime]::UtcNow -lt $deadline) {
        if ($handle.IsCompleted) { break }
        Start-Sleep -Milliseconds 20
    }
    if (-not @($ps.Streams.Verbose | Where-Object Message -like 'Watching *')) {
        $errors = $ps.Streams.Error -join '; '
        $ps.Stop(); $ps.Dispose()
        throw "Watch-Namespace did not start: $errors"
    }
    [pscustomobject]@{ PowerShell = $ps; Handle = $handle; Output = $output }
}

function Wait-WatchEvent {
    <# Waits until the watch has written events for which Condition is true (or 60 s), and returns all its events. #>
    param([Parameter(Mandatory)] $Watch, [Parameter(Mandatory)] [scriptblock] $Condition, [int] $Seconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition $Watch.Output.ToArray()) -and [DateTime]::UtcNow -lt $deadline -and -not $Watch.Handle.IsCompleted) {
        Start-Sleep -Milliseconds 50
    }
    $Watch.Output.ToArray()
}

function Stop-Watch {
    <# Stops the watch as Ctrl+C would; returns how long the stop took, in seconds. #>
    param([Parameter(Mandatory)] $Watch)
    $timer = [System.Diagnostics.Stopwatch]::StartNew()
    $Watch.PowerShell.Stop()
    $timer.Stop()
    $Watch.PowerShell.Dispose()
    $timer.Elapsed.TotalSeconds
}

function Wait-Exec {
    <# Waits (up to 30 s) until a process runs Program: `unshare ... sleep` has made its namespaces once sleep runs. #>
    param([Parameter(Mandatory)] [System.Diagnostics.Process] $Process, [Parameter(Mandatory)] [string] $Program)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ((readlink "/proc/$($Process.Id)/exe") -notlike "*/$Program" -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
}

function Get-NsfsInode {
    <# The inode of the namespace an nsfs file holds, as stat(1) -L prints it. #>
    param([Parameter(Mandatory)] [string] $Path)
    [uint64](stat -L -c %i $Path)
}

Export-ModuleMember -Function *
