BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ThreadHygiene.psm1') -Force
    Import-PSNamespaces
    $modulePath = (Get-Module PSNamespaces).Path

    # Each check runs in a fresh pwsh: the runtime makes its background-GC thread once, at the
    # first background collection, and in this long-lived test process one has long been made.
    # Where the first one starts decides where the thread lives; here a worker's block asks for it.
    $prelude = {
        param($ModulePath, $Name)
        Import-Module $ModulePath
        $ErrorActionPreference = 'Stop'
        function Get-ThreadIn([uint64] $Inode) {
            # "TID comm" of each thread of this pwsh whose net link is net:[Inode], from /proc.
            foreach ($task in [IO.Directory]::GetDirectories("/proc/$PID/task")) {
                $target = try { [IO.FileInfo]::new("$task/ns/net").LinkTarget } catch { $null }
                if ($target -eq "net:[$Inode]") { "$(Split-Path -Leaf $task) $(Get-Content "$task/comm" -ErrorAction Ignore)" }
            }
        }
        # Allocates enough for collections of every generation, and asks for a background one.
        $allocate = {
            $list = [Collections.Generic.List[object]]::new()
            foreach ($i in 1..30000) { $list.Add([byte[]]::new(200)) }
            [GC]::Collect(2, [GCCollectionMode]::Forced, $false)
            $list.Count
        }
    }

    function Invoke-FreshPwsh {
        # Runs the prelude and Body in a new pwsh; returns what Body wrote, as JSON objects.
        param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Body)
        $script = Join-Path ([IO.Path]::GetTempPath()) "psns-rt-$PID-$Name.ps1"
        Set-Content -Path $script -Value "$prelude`n$Body"
        try {
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $script -ModulePath $modulePath -Name $Name 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            ($output -join "`n") | ConvertFrom-Json
        }
        finally {
            Remove-Item $script -ErrorAction Ignore
            if (Test-Path "/run/netns/$Name") { ip netns delete $Name }
        }
    }
}

Describe 'Runtime threads stay out of targets' -Tag 'Root', 'Slow' {
    AfterEach {
        Assert-ThreadHygiene
    }

    It 'leaves no namespace alive in 200 cycles of New-Namespace, 3 allocating Invoke-InNamespace calls and Remove-Namespace' {
        $report = Invoke-FreshPwsh "psns-rt-$PID-c" {
            $alive = foreach ($i in 1..200) {
                $null = New-Namespace -Type Net -Name $Name
                $inode = [uint64](stat -L -c %i /run/netns/$Name)
                foreach ($call in 1..3) { $null = Invoke-InNamespace -Name $Name $allocate }
                Remove-Namespace -Name $Name -WarningVariable warn -WarningAction SilentlyContinue
                # Only this pwsh was ever inside: a thread of it still there keeps the namespace alive.
                $holders = @(Get-ThreadIn $inode)
                if ($warn -or $holders) { "cycle $i : $($holders -join ', ') $warn" }
            }
            ConvertTo-Json -InputObject @{ Alive = @($alive) }
        }
        @($report.Alive) | Should -BeNullOrEmpty
    }

    It 'has no thread in the target 10 s (+ a tick) after the last of 60 calls made 20 at a time' {
        $report = Invoke-FreshPwsh "psns-rt-$PID-i" {
            $null = New-Namespace -Type Net -Name $Name
            $inode = [uint64](stat -L -c %i /run/netns/$Name)
            # As text: -Parallel refuses a script block as a $using: value.
            $block = $allocate.ToString()
            1..60 | ForEach-Object -ThrottleLimit 20 -Parallel {
                Import-Module $using:ModulePath
                $null = Invoke-InNamespace -Name $using:Name -ErrorAction Stop ([scriptblock]::Create($using:block))
            }
            # Every call has ended now: the latest last use is no later than this.
            $lastUse = [DateTime]::UtcNow
            $kept = @(Get-ThreadIn $inode)
            do {
                $inside = @(Get-ThreadIn $inode)
                if ($inside) { $last = $inside }
                Start-Sleep -Milliseconds 100
            } while ($inside -and ([DateTime]::UtcNow - $lastUse).TotalSeconds -lt 30)
            $gone = ([DateTime]::UtcNow - $lastUse).TotalSeconds
            Remove-Namespace -Name $Name -WarningAction SilentlyContinue
            ConvertTo-Json -InputObject @{ Kept = $kept.Count; Inside = @($inside); LastSeen = @($last); Gone = $gone }
        }
        $report.Kept | Should -BeGreaterThan 0 -Because 'idle workers are kept for the next call'
        @($report.Inside) | Should -BeNullOrEmpty -Because "these were the last threads inside: $($report.LastSeen -join ', ')"
        # The idle timeout (10 s), the worker's runspace closing, and a scheduler tick.
        $report.Gone | Should -BeLessOrEqual 11 -Because "the last threads inside were $($report.LastSeen -join ', ')"
    }
}
