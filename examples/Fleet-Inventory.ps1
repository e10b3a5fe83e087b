<#
.SYNOPSIS
    The namespaces of many hosts, grouped and counted, over PowerShell's SSH remoting.
.DESCRIPTION
    Opens a PowerShell remoting session over SSH to every host (New-PSSession -HostName), runs
    Get-Namespace in them with one Invoke-Command, as many hosts at a time as -ThrottleLimit says,
    and writes one row per host and kind of
    namespace: how many it has, how many hold no process (persistent), and how many processes
    are in them. Every host needs PSNamespaces installed and PowerShell registered as an SSH
    subsystem (Subsystem powershell /path/to/pwsh -sshs -NoLogo -NoProfile in sshd_config).

    A host that cannot be reached, or that drops while it answers, is reported as an error that
    names it; the rows of every other host are still written. The namespaces come back as
    PSNamespaces.Namespace objects when the module is imported here too (it is, below), so
    Type is the enum on every row.
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

# One error per host that failed, naming it: a failed connection carries the host in its
# connection info, a session that broke mid-run in its OriginInfo.
foreach ($failure in $failures) {
    $computer = if ($failure.OriginInfo.PSComputerName) { $failure.OriginInfo.PSComputerName }
    elseif ($failure.TargetObject.ConnectionInfo.ComputerName) { $failure.TargetObject.ConnectionInfo.ComputerName }
    elseif ($failure.TargetObject) { "$($failure.TargetObject)" }
    else { 'unknown host' }
    Write-Error -Message "${computer}: $($failure.Exception.Message)" -Category ConnectionError -TargetObject $computer -ErrorId 'FleetHostFailed'
}

$namespaces | Group-Object PSComputerName, Type | Sort-Object Name | ForEach-Object {
    $first = $_.Group[0]
    [pscustomobject]@{
        PSTypeName   = 'PSNamespaces.FleetInventoryRow'
        ComputerName = $first.PSComputerName
        Type         = $first.Type
        Count        = $_.Count
        Persistent   = @($_.Group | Where-Object ProcessCount -EQ 0).Count
        Processes    = ($_.Group | Measure-Object ProcessCount -Sum).Sum
    }
}
