# Every output type after serialization — PSSerializer (what Export-Clixml and remoting use) and
# real remoting (a job: PowerShell remoting over the out-of-process transport; SSH remoting is in
# Fleet.Tests.ps1) — keeps its meaning: filters, sorts, views, comparisons, binding back.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $modulePath = (Get-Module PSNamespaces).ModuleBase
    function ConvertThrough-Serializer($InputObject, [int] $Depth = 1) {
        [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($InputObject, $Depth))
    }
    function Invoke-Remoted([scriptblock] $ScriptBlock) {
        # The job imports the same build; what comes back crossed the remoting protocol.
        $job = Start-Job -ScriptBlock { Import-Module $using:modulePath; & ([scriptblock]::Create($using:ScriptBlock)) }
        try { $job | Wait-Job -Timeout 120 | Receive-Job -ErrorAction Stop } finally { $job | Remove-Job -Force }
    }
    function Format-Text($InputObject, [string] $View) {
        ($InputObject | & "Format-$View" | Out-String -Width 300) -replace '\s+$', ''
    }
    $target = Start-TestProcess -Unshare @('--net', '--uts')
}

AfterAll {
    $target | Stop-TestProcess
}

Describe 'Namespace over the wire' -Tag 'Root', 'Slow' {
    BeforeAll {
        $live = @(Get-Namespace)
        $wire = @{
            Serializer = @(ConvertThrough-Serializer $live)
            Clixml     = @(ConvertThrough-Serializer $live -Depth 2)
            Remoting   = @(Invoke-Remoted { Get-Namespace })
        }
    }

    It 'comes back through <Way> with Type an enum: Where-Object Type -eq Net and Sort-Object Type work' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Clixml' }, @{ Way = 'Remoting' }
    ) {
        $back = $wire[$Way]
        $back.Count | Should -BeGreaterThan 0
        $back[0].Type | Should -BeOfType [PSNamespaces.NamespaceType]
        $back[0].HeldBy | Should -BeOfType [PSNamespaces.NamespaceHolder]
        # Net namespaces as readlink names them: those of this pwsh and of the test process are among them.
        $nets = @($back | Where-Object Type -EQ Net)
        $nets.Inode | Should -Contain (Get-NsInode $PID net)
        $nets.Inode | Should -Contain (Get-NsInode $target.Pid net)
        @($nets | Where-Object Type -NE Net) | Should -BeNullOrEmpty
        # Sorted by the kind's order, as live objects sort.
        $order = @($back | Sort-Object Type | ForEach-Object Type | Select-Object -Unique)
        $order | Should -Be @($order | Sort-Object { [int]$_ })
    }

    It 'keeps Inode and NsId as numbers and the same view through <Way>' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Clixml' }
    ) {
        $back = $wire[$Way]
        $back.Count | Should -Be $live.Count
        for ($i = 0; $i -lt $live.Count; $i++) {
            $back[$i].Inode | Should -BeOfType [uint64]
            $back[$i].Inode | Should -Be $live[$i].Inode
            $back[$i].NsId | Should -Be $live[$i].NsId
            $back[$i].Id | Should -Be $live[$i].Id
        }
        Format-Text $back Table | Should -Be (Format-Text $live Table)
        Format-Text $back List | Should -Be (Format-Text $live List)
    }

    It 'binds back into Get-NamespaceProcess -Namespace, by pipeline, and into Enter-Namespace (<Way>)' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Remoting' }
    ) {
        $net = $wire[$Way] | Where-Object { $_.Type -eq 'Net' -and $_.Inode -eq (Get-NsInode $target.Pid net) }
        @(Get-NamespaceProcess -Namespace $net | ForEach-Object Pid) | Should -Contain $target.Pid
        @($net | Get-NamespaceProcess | ForEach-Object Pid) | Should -Contain $target.Pid
        $net | Enter-Namespace -FilePath readlink -ArgumentList /proc/self/ns/net | Should -Be (readlink "/proc/$($target.Pid)/ns/net")
    }
}

Describe 'The other output types over the wire' -Tag 'Root', 'Slow' {
    It 'NamespaceProcess keeps its namespace columns and view (<Way>)' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Remoting' }
    ) {
        $live = Get-NamespaceProcess -Pid $target.Pid
        $back = if ($Way -eq 'Serializer') { ConvertThrough-Serializer $live } else { Invoke-Remoted ([scriptblock]::Create("Get-NamespaceProcess -Pid $($target.Pid)")) }
        $back.Pid | Should -Be $target.Pid
        $back.NetNs | Should -BeOfType [uint64]
        $back.NetNs | Should -Be (Get-NsInode $target.Pid net)
        $back.UtsNs | Should -Be (Get-NsInode $target.Pid uts)
        @($back | Where-Object NetNs -EQ (Get-NsInode $target.Pid net)).Count | Should -Be 1
        Format-Text $back Table | Should -Be (Format-Text $live Table)
    }

    It 'ProcNsStatus keeps its NSpid lists and view (<Way>)' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Remoting' }
    ) {
        $live = Get-ProcNsStatus -Pid $target.Pid
        $back = if ($Way -eq 'Serializer') { ConvertThrough-Serializer $live } else { Invoke-Remoted ([scriptblock]::Create("Get-ProcNsStatus -Pid $($target.Pid)")) }
        @($back.NSpid) | Should -Be @((Get-StatusField $target.Pid NSpid) -split '\s+' | ForEach-Object { [int]$_ })
        Format-Text $back Table | Should -Be (Format-Text $live Table)
    }

    It 'LaunchedProcess brings its namespaces as namespaces (<Way>)' -TestCases @(
        @{ Way = 'Serializer' }, @{ Way = 'Remoting' }
    ) {
        $script = { New-Namespace -Type Uts -FilePath readlink -ArgumentList /proc/self/ns/uts -PassThru | Where-Object { $_ -isnot [string] } }
        $live = & $script
        $back = if ($Way -eq 'Serializer') { ConvertThrough-Serializer $live } else { Invoke-Remoted $script }
        $back.ExitCode | Should -Be 0
        $uts = @($back.Namespaces | Where-Object Type -EQ Uts)
        $uts.Count | Should -Be 1
        $uts[0] | Should -BeOfType [PSNamespaces.Namespace]
        $uts[0].Inode | Should -Not -Be (Get-NsInode $PID uts)
        if ($Way -eq 'Serializer') { Format-Text $back List | Should -Be (Format-Text $live List) }
    }
}
