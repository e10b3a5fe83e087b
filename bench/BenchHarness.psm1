<#
    Timing and reporting for the benchmark suite. Timings on a shared machine are noisy, so every
    figure is a ratio of medians of samples taken side by side in one run, the sides alternating.
#>

Set-StrictMode -Version Latest

function New-BenchSide {
    <#
    .SYNOPSIS
        One side of a comparison: a name as the table shows it and the script that does the work.
        The script must consume all output it causes (collect it, count it); what it returns is
        kept from the last sample. -Unavailable names why the side cannot run (a missing cmdlet).
    .PARAMETER SelfTimed
        The script returns an object whose ElapsedMs is the time the work took, measured by the
        program itself: the C floors, whose floor must not include starting them from pwsh.
    .PARAMETER Retries
        How many times a run that throws is run again before the benchmark fails. Only for
        reference tools that fail now and then on a busy machine (lsns 2.38 exits 1, silently,
        when a process exits while it reads it). Failed runs are counted in Failures.
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [scriptblock] $Script,
        [string] $Unavailable,
        [switch] $SelfTimed,
        [int] $Retries = 0
    )
    [pscustomobject]@{
        Name        = $Name
        Script      = $Script
        Unavailable = $Unavailable
        SelfTimed   = [bool]$SelfTimed
        Retries     = $Retries
        Failures    = 0
        Samples     = [System.Collections.Generic.List[double]]::new()
        Median      = $null
        Output      = $null
    }
}

function Measure-BenchSide {
    <#
    .SYNOPSIS
        Runs every available side WarmUp times, then Repetitions timed samples each. The order
        rotates each round (A B C, B C A, C A B, ...), so every side runs in every position and
        load that comes and goes hits all sides alike. Fills each side's Samples and Median (ms).
    .PARAMETER BeforeSample
        Untimed work before every run (for instance, waiting for the kernel to finish tearing
        down the network namespaces of the previous run).
    #>
    param(
        [Parameter(Mandatory)] [object[]] $Side,
        [Parameter(Mandatory)] [int] $Repetitions,
        [int] $WarmUp = 1,
        [scriptblock] $BeforeSample
    )
    $live = @($Side | Where-Object { -not $_.Unavailable })
    if (-not $live) { return }
    for ($round = -$WarmUp; $round -lt $Repetitions; $round++) {
        for ($i = 0; $i -lt $live.Count; $i++) {
            $s = $live[($i + [Math]::Max($round, 0)) % $live.Count]
            if ($BeforeSample) { & $BeforeSample }
            # The previous side's garbage is collected now, not inside this side's sample.
            [GC]::Collect()
            [GC]::WaitForPendingFinalizers()
            for ($attempt = 0; ; $attempt++) {
                try {
                    $watch = [System.Diagnostics.Stopwatch]::StartNew()
                    $output = & $s.Script
                    $watch.Stop()
                    break
                } catch {
                    if ($attempt -ge $s.Retries) { throw }
                    $s.Failures++
                }
            }
            $s.Output = $output
            if ($round -ge 0) { $s.Samples.Add($(if ($s.SelfTimed) { $output.ElapsedMs } else { $watch.Elapsed.TotalMilliseconds })) }
        }
    }
    foreach ($s in $live) { $s.Median = Get-Median $s.Samples }
}

function Get-Median {
    param([Parameter(Mandatory)] [double[]] $Value)
    $sorted = [double[]]$Value.Clone()
    [Array]::Sort($sorted)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function New-BenchRow {
    <#
    .SYNOPSIS
        One row of the results table: our side against one reference side, the ratio of their
        medians, and whether it is within the target (ours / reference <= Target).
    .PARAMETER Check
        What was checked equal between the sides, or "differs: ..." when it was not; a row whose
        check failed does not hold, whatever its timing.
    #>
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [string] $Benchmark,
        [Parameter(Mandatory)] $Ours,
        [Parameter(Mandatory)] $Reference,
        [Parameter(Mandatory)] [double] $Target,
        [Parameter(Mandatory)] [string] $TargetText,
        [string] $Check = ''
    )
    $ratio = $null
    $holds = if ($Ours.Unavailable) {
        'not available'
    } elseif ($Check -like 'differs*') {
        'no (check failed)'
    } else {
        $ratio = $Ours.Median / $Reference.Median
        if ($ratio -le $Target) { 'yes' } else { 'no' }
    }
    [pscustomobject]@{
        Id             = $Id
        Benchmark      = $Benchmark
        Ours           = $Ours.Name
        OursMedian     = if ($Ours.Unavailable) { "not available ($($Ours.Unavailable))" } else { Format-Milliseconds $Ours.Median }
        Reference      = $Reference.Name
        ReferenceMedian = if ($Reference.Unavailable) { 'not available' } else { Format-Milliseconds $Reference.Median }
        Ratio          = if ($null -ne $ratio) { Format-Ratio $ratio } else { '—' }
        Target         = $TargetText
        Holds          = $holds
        Check          = if ($Check) { $Check } else { '—' }
    }
}

function New-BenchValueRow {
    <# A row that is one measured value against a fixed limit (memory), not a ratio of two sides. #>
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [string] $Benchmark,
        [Parameter(Mandatory)] [string] $Ours,
        [Parameter(Mandatory)] [string] $Value,
        [Parameter(Mandatory)] [string] $TargetText,
        [Parameter(Mandatory)] [string] $Holds,
        [string] $Check = ''
    )
    [pscustomobject]@{
        Id = $Id; Benchmark = $Benchmark; Ours = $Ours; OursMedian = $Value; Reference = '—'; ReferenceMedian = '—'
        Ratio = '—'; Target = $TargetText; Holds = $Holds; Check = if ($Check) { $Check } else { '—' }
    }
}

function New-BenchFailureRow {
    <# A benchmark that could not be measured: it threw, or its fixture was missing. #>
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [string] $Benchmark, [Parameter(Mandatory)] [string] $Message)
    [pscustomobject]@{
        Id = $Id; Benchmark = $Benchmark; Ours = '—'; OursMedian = '—'; Reference = '—'; ReferenceMedian = '—'
        Ratio = '—'; Target = '—'; Holds = 'failed'; Check = $Message -replace '\s+', ' '
    }
}

function Test-Repeatedly {
    <#
    .SYNOPSIS
        Runs a comparison of the sides' results up to Attempts times, until it reports no
        difference. Other users' processes come and go between two scans, so one difference may
        be noise; the same difference three times is not. Returns Success, or "differs: ...".
    .PARAMETER Compare
        Returns nothing when the results agree, else strings describing each difference.
    #>
    param([Parameter(Mandatory)] [scriptblock] $Compare, [Parameter(Mandatory)] [string] $Success, [int] $Attempts = 3)
    for ($i = 1; $i -le $Attempts; $i++) {
        $problems = @(try { & $Compare } catch { "$_" })
        if (-not $problems) { return $Success }
    }
    'differs: ' + ($problems -join '; ')
}

function Get-SampleRecord {
    <# The samples of measured sides, for the detail section of RESULTS.md. #>
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [object[]] $Side)
    foreach ($s in $Side | Where-Object { -not $_.Unavailable }) {
        [pscustomobject]@{ Id = $Id; Name = $s.Name; Samples = ($s.Samples | ForEach-Object { '{0:N1}' -f $_ }) -join ', ' }
    }
}

function Format-Milliseconds {
    param([Parameter(Mandatory)] [double] $Value)
    if ($Value -ge 100) { '{0:N0} ms' -f $Value } elseif ($Value -ge 10) { '{0:N1} ms' -f $Value } else { '{0:N2} ms' -f $Value }
}

function Format-Ratio {
    # "0.21 (1/4.8)" reads against targets written as fractions; "1.30" against ones written as multiples.
    param([Parameter(Mandatory)] [double] $Value)
    if ($Value -lt 1) { '{0:N3} (1/{1:N1})' -f $Value, (1 / $Value) } else { '{0:N2}' -f $Value }
}

function Test-BenchCommand {
    <#
    .SYNOPSIS
        $null when the module exports the cmdlet with every named parameter, else the reason it
        does not, as the table shows it ("New-Namespace has no -FilePath").
    #>
    param([Parameter(Mandatory)] [string] $Name, [string[]] $Parameter = @())
    $command = Get-Command -Module PSNamespaces -Name $Name -ErrorAction Ignore
    if (-not $command) { return "no $Name" }
    foreach ($p in $Parameter) {
        if (-not $command.Parameters.ContainsKey($p)) { return "$Name has no -$p" }
    }
    $null
}

function Invoke-Checked {
    <#
    .SYNOPSIS
        Runs a native command from a benchmark and returns its output; a failure throws, so a
        side that silently did nothing cannot look fast.
    #>
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    $output = & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' exited with $LASTEXITCODE" }
    $output
}

function Get-MachineDescription {
    $cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
    [ordered]@{
        Cores      = [Environment]::ProcessorCount
        Cpu        = $cpu
        Kernel     = (Get-Content /proc/sys/kernel/osrelease -Raw).Trim()
        MemoryGiB  = [Math]::Round(((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB, 1)
        PowerShell = $PSVersionTable.PSVersion.ToString()
        DotNet     = [Environment]::Version.ToString()
        UtilLinux  = ((lsns -V) -replace '^.*util-linux\s*', '')
        Iproute2   = ((ip -V) -replace '^.*iproute2-([^,\s]+).*$', '$1')
        Procps     = ((ps -V) -replace '^.*procps-ng\s*', '')
        # Taken before the fixture exists: tearing down thousands of processes raises it for a while.
        'Load average at start (1, 5, 15 min)' = (Get-Content /proc/loadavg -Raw).Trim() -replace '^(\S+ \S+ \S+).*$', '$1'
    }
}

function Write-BenchResult {
    <#
    .SYNOPSIS
        Writes RESULTS.md (the table, the machine, the samples, the growth table) and prints the
        table to the console.
    #>
    param(
        [Parameter(Mandatory)] [object[]] $Row,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Machine,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Run,
        [Parameter(Mandatory)] [string] $Path,
        [object[]] $Growth = @(),
        [object[]] $Sample = @()
    )
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('# Benchmark results')
    $lines.Add('')
    $lines.Add('Written by `build.ps1 -Task Bench` (see README.md for how to read it). Every figure is a median of')
    $lines.Add("samples measured side by side in one run, the sides alternating; ratio = PSNamespaces / reference.")
    $lines.Add('')
    $lines.Add('## Run')
    $lines.Add('')
    foreach ($key in $Run.Keys) { $lines.Add("- ${key}: $($Run[$key])") }
    $lines.Add('')
    $lines.Add('## Machine')
    $lines.Add('')
    foreach ($key in $Machine.Keys) { $lines.Add("- ${key}: $($Machine[$key])") }
    $lines.Add('')
    $lines.Add('## Results')
    $lines.Add('')
    $tableStart = $lines.Count
    $lines.Add('| # | Benchmark | PSNamespaces | Median | Reference | Median | Ratio | Target | Holds | Checked |')
    $lines.Add('|---|---|---|---|---|---|---|---|---|---|')
    foreach ($r in $Row) {
        $cells = @($r.Id, $r.Benchmark, "``$($r.Ours)``", $r.OursMedian, "``$($r.Reference)``", $r.ReferenceMedian, $r.Ratio, $r.Target, $r.Holds, $r.Check) |
            ForEach-Object { ([string]$_) -replace '\|', '\|' -replace '``—``', '—' }
        $lines.Add('| ' + ($cells -join ' | ') + ' |')
    }
    if ($Growth) {
        $lines.Add('')
        $lines.Add('## Growth: full scan per process')
        $lines.Add('')
        $lines.Add('| Fixture processes | Processes scanned | Get-Namespace median | per process | C floor median | per process | Get-Namespace / floor |')
        $lines.Add('|---|---|---|---|---|---|---|')
        foreach ($g in $Growth) {
            $lines.Add("| $($g.FixtureProcesses) | $($g.Scanned) | $($g.OursMedian) | $($g.OursPerProcess) | $($g.FloorMedian) | $($g.FloorPerProcess) | $($g.OursToFloor) |")
        }
    }
    $tableEnd = $lines.Count
    if ($Sample) {
        $lines.Add('')
        $lines.Add('## Samples (ms, in the order taken)')
        $lines.Add('')
        foreach ($s in $Sample) { $lines.Add("- $($s.Id) ``$($s.Name)``: $($s.Samples)") }
    }
    Set-Content -Path $Path -Value $lines -Encoding utf8NoBOM

    Write-Host ''
    $lines[$tableStart..($tableEnd - 1)] | Write-Host
    Write-Host "Written: $Path"
}

Export-ModuleMember -Function New-BenchSide, Measure-BenchSide, Get-Median, New-BenchRow, New-BenchValueRow,
    New-BenchFailureRow, Test-Repeatedly, Get-SampleRecord, Format-Milliseconds, Format-Ratio, Test-BenchCommand, Invoke-Checked, Get-MachineDescription, Write-BenchResult
