<#
.SYNOPSIS
    Run by the memory benchmark in a fresh pwsh: the peak resident memory of this process while it
    runs benchmark 1 (`Get-Namespace | Measure-Object`, Repetitions times), over its resident
    memory right after importing the module. Prints one line of JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [int] $Repetitions
)
$ErrorActionPreference = 'Stop'

function Get-StatusKiB([string] $Field) {
    $line = [System.IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_.StartsWith("${Field}:") }
    [long](($line -split '\s+')[1])
}

Import-Module $ModulePath
[GC]::Collect()
$baseline = Get-StatusKiB VmRSS
# proc(5): writing 5 to clear_refs resets the peak (VmHWM) to the current resident size.
[System.IO.File]::WriteAllText('/proc/self/clear_refs', '5')
$count = 0
for ($i = 0; $i -lt $Repetitions; $i++) { $count = (Get-Namespace | Measure-Object).Count }
[pscustomobject]@{
    BaselineKiB = $baseline
    PeakKiB     = Get-StatusKiB VmHWM
    Namespaces  = $count
} | ConvertTo-Json -Compress
