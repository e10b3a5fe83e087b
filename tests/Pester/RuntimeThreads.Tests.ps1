BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ThreadHygiene.psm1') -Force
    Import-PSNamespaces
    $modulePath = (Get-Module PSNamespaces).Path

    function Get-ThreadIn {
        # "TID comm" of each thread of this pwsh whose net link is net:[Inode], read from /proc.
        param([Parameter(Mandatory)] [uint64] $Inode)
        foreach ($task in [IO.Directory]::GetDirectories("/proc/$PID/task")) {
            $target = try { [IO.FileInfo]::new("$task/ns/net").LinkTarget } catch { $null }
            if ($target -eq "net:[$Inode]") { "$(Split-Path -Leaf $task) $(Get-Content "$task/comm" -ErrorAction Ignore)" }
        }
    }

    # Allocates enough for collections of every generation, and asks for a background one: the
    # runtime then needs its background-GC thread, and must not make it here.
    $allocate = {
        $list = [Collections.Generic.List[object]]::new()
        foreach ($i in 1..30000) { $list.Add([byte[]]::new(200)) }
        [GC]::Collect(2, [GCCollectionMode]::Forced, $false)
        $list.Count
    }
}

AfterAll {
    Get-ChildItem /run/netns -Filter "psns-rt-$PID-*" -ErrorAction Ignore | ForEach-Object { ip netns delete $_.Name }
}

Describe 'Runtime threads stay out of targets' -Tag 'Root', 'Slow' {
    AfterEach {
        Assert-ThreadHygiene
    }

    It 'leaves no namespace alive in 200 cycles of New-Namespace, 3 allocating Invoke-InNamespace calls and Remove-Namespace' {
        $alive = foreach ($i in 1..200) {
            $name = "psns-rt-$PID-$i"
            $null = New-Namespace -Type Net -Name $name -ErrorAction Stop
            $inode = [uint64](stat -L -c %i /run/netns/$name)
            foreach ($call in 1..3) { $null = Invoke-InNamespace -Name $name -ErrorAction Stop $allocate }
            Remove-Namespace -Name $name -ErrorAction Stop -WarningVariable warn -WarningAction SilentlyContinue
            # Only this pwsh was ever inside: a thread of it still there keeps the namespace alive.
            $holders = @(Get-ThreadIn $inode)
            if ($warn -or $holders) { "cycle $i : $($holders -join ', ') $warn" }
        }
        @($alive) | Should -BeNullOrEmpty
    }

    It 'has no thread in the target 10 s (+ a tick) after the last of 60 calls made 20 at a time' {
        $name = "psns-rt-$PID-idle"
        $null = New-Namespace -Type Net -Name $name -ErrorAction Stop
        try {
            $inode = [uint64](stat -L -c %i /run/netns/$name)
            # As text: -Parallel refuses a script block as a $using: value.
            $block = $allocate.ToString()
            1..60 | ForEach-Object -ThrottleLimit 20 -Parallel {
                Import-Module $using:modulePath
                $null = Invoke-InNamespace -Name $using:name -ErrorAction Stop ([scriptblock]::Create($using:block))
            }
            # Every call has ended now: the latest last use is no later than this.
            $lastUse = [DateTime]::UtcNow
            @(Get-ThreadIn $inode).Count | Should -BeGreaterThan 0 -Because 'idle workers are kept for the next call'
            do {
                $inside = @(Get-ThreadIn $inode)
                Start-Sleep -Milliseconds 100
            } while ($inside -and ([DateTime]::UtcNow - $lastUse).TotalSeconds -lt 30)
            $gone = ([DateTime]::UtcNow - $lastUse).TotalSeconds
            $inside | Should -BeNullOrEmpty
            # The idle timeout (10 s), the worker's runspace closing, and a scheduler tick.
            $gone | Should -BeLessOrEqual 11
        }
        finally {
            Remove-Namespace -Name $name -WarningAction SilentlyContinue
        }
    }
}
