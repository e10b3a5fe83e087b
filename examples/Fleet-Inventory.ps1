<#
.SYNOPSIS
    The namespaces of many hosts, grouped and counted, over PowerShell's SSH remoting.
.DESCRIPTION
    Opens a PowerShell remoting session over SSH to every host (New-PSSession -HostName), runs
    Get-Namespace in them with one Invoke-Command, as many hosts at a time as -ThrottleLimit says,
    and writes one row per host and kind of
    namespace: how many it has, how many hold no process (persistent), and how many belong to a
    container. (The processes in them would say nothing per kind: every process is in one
    namespace of each kind.) Every host needs PSNamespaces installed and PowerShell registered
    as an SSH subsystem (Subsystem powershell /path/to/pwsh -sshs -NoLogo -NoProfile in
    sshd_config).

    A host that cannot be reached, or that drops while it answers, is reported as an error that
    names it as it was given (user@host:port) with the reason: PowerShell's SSH transport prints
    what ssh said to the console and keeps only "the SSH transport process has abruptly
    terminated", so the host's port is tried once more here and what the connect answers
    (Connection refused, No route to host, timed out) goes into the error; when the port
    answers, the error says so and ssh's own words are only on the console. The rows of every
    other host are still written. With the module imported here too (it is, below), Type is the
    NamespaceType enum on every row.
.PARAMETER HostName
    The hosts: name or address, optionally user@host:port, as Invoke-Command -HostName takes them.
.PARAMETER Type
    Only these kinds of namespace (all kinds by default).
.PARAMETER KeyFilePath
    The private key to log in with; by default ssh's own choice (ssh-agent, ~/.ssh/id_*).
.PARAMETER Options
    ssh options, as Invoke-Command -Options takes them (for example @{ ConnectTimeout = 5 }).
.PARAMETER ThrottleLimit
    How many hosts at once.
.PARAMETER ModulePath
    The PSNamespaces to import here (the one in PSModulePath by default); used to turn the
    objects that come back into namespaces again.
.EXAMPLE
    ./Fleet-Inventory.ps1 -HostName web1, web2, db1 -Type Net, Mount | Format-Table
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string[]] $HostName,
    [string[]] $Type,
    [string] $KeyFilePath,
    [hashtable] $Options,
    [int] $ThrottleLimit = 32,
    [string] $ModulePath = 'PSNamespaces'
)

Import-Module $ModulePath -ErrorAction Stop

# SSH remoting throttles through sessions: Invoke-Command -HostName has no -ThrottleLimit.
$connect = @{ HostName = $HostName; ErrorAction = 'SilentlyContinue'; ErrorVariable = '+failures' }
if ($KeyFilePath) { $connect.KeyFilePath = $KeyFilePath }
if ($Options) { $connect.Options = $Options }
$failures = [Collections.ArrayList]::new()
$sessions = @(New-PSSession @connect)
try {
    $namespaces = if ($sessions) {
        Invoke-Command -Session $sessions -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue -ErrorVariable +failures -ScriptBlock {
            if ($using:Type) { Get-Namespace -Type $using:Type } else { Get-Namespace }
        }
    }
} finally {
    $sessions | Remove-PSSession
}

# The host as the user wrote it (user@host:port), found again from what PowerShell kept of it: a
# failed connection's runspace has its connection info, a session that broke mid-run its OriginInfo.
$given = foreach ($name in $HostName) {
    $uri = [uri]"ssh://$name"
    [pscustomobject]@{ Text = $name; Host = $uri.Host; Port = if ($uri.Port -eq -1) { 22 } else { $uri.Port } }
}
function Get-GivenHost([string] $Computer, [int] $Port) {
    $match = @($given | Where-Object { $_.Host -eq $Computer -and ($Port -le 0 -or $_.Port -eq $Port) })
    if ($match.Count -eq 1) { $match[0].Text } elseif ($Port -gt 0) { "${Computer}:$Port" } else { $Computer }
}

# Why a host could not be reached, as ssh saw it: its connect to the port, tried once more.
function Get-ConnectFailure([string] $Computer, [int] $Port) {
    $client = [Net.Sockets.TcpClient]::new()
    try {
        $seconds = if ($Options -and $Options.ConnectTimeout) { [int]$Options.ConnectTimeout } else { 10 }
        # WaitAny, not Wait: a failed connect is an answer here, not an exception for $Error.
        $connect = $client.ConnectAsync($Computer, $Port)
        if ([Threading.Tasks.Task]::WaitAny(@($connect), $seconds * 1000) -lt 0) { "connect to $Computer port ${Port}: Connection timed out" }
        elseif ($connect.IsFaulted) { "connect to $Computer port ${Port}: $($connect.Exception.GetBaseException().Message)" }
        else { "$Computer port $Port accepts connections, the failure came later (ssh wrote its reason to the console)" }
    } finally {
        $client.Dispose()
    }
}

foreach ($failure in $failures) {
    $connection = $failure.TargetObject.ConnectionInfo
    $computer, $port = if ($connection.ComputerName) { $connection.ComputerName, $connection.Port }
    elseif ($failure.OriginInfo.PSComputerName) {
        $session = $sessions | Where-Object { $_.Runspace.InstanceId -eq $failure.OriginInfo.RunspaceID } | Select-Object -First 1
        $failure.OriginInfo.PSComputerName, $(if ($session) { $session.Runspace.ConnectionInfo.Port } else { 0 })
    }
    elseif ($failure.TargetObject) { "$($failure.TargetObject)", 0 }
    else { 'unknown host', 0 }
    $label = Get-GivenHost $computer $port
    $reason = if ($failure.FullyQualifiedErrorId -like '*PSSessionOpenFailed*' -and $port -gt 0) { Get-ConnectFailure $computer $port }
    $message = if ($reason) { "${label}: $reason ($($failure.Exception.Message))" } else { "${label}: $($failure.Exception.Message)" }
    Write-Error -Message $message -Category ConnectionError -TargetObject $label -ErrorId 'FleetHostFailed'
}

$namespaces | Group-Object PSComputerName, Type | Sort-Object Name | ForEach-Object {
    $first = $_.Group[0]
    [pscustomobject]@{
        PSTypeName   = 'PSNamespaces.FleetInventoryRow'
        ComputerName = $first.PSComputerName
        Type         = $first.Type
        Count        = [int]$_.Count
        Persistent   = [int]@($_.Group | Where-Object Persistent).Count
        Containers   = [int]@($_.Group | Where-Object ContainerId).Count
    }
}
