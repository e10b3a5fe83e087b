BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces
    $fixture = @{}
    Start-NamespaceFixture $fixture

    function Read-Tree {
        <#
            Reads lsns-style tree lines back: for every row, its inode, the inode of the row it
            hangs under (0 at the top), and the row's text without the tree glyphs. The glyphs
            are in the NS column, or in the COMMAND column for a process tree.
        #>
        param([string[]] $Lines, [switch] $InCommand)
        $start = if ($InCommand) { $Lines[0].IndexOf('COMMAND') } else { 0 }
        $last = @{}
        foreach ($line in $Lines | Select-Object -Skip 1) {
            $tail = if ($line.Length -gt $start) { $line.Substring($start) } else { '' }
            $prefix = [regex]::Match($tail, '^[│├└─ ]*').Value
            $depth = [int][Math]::Floor($prefix.Length / 2)
            $text = $(if ($prefix) { $line.Remove($start, $prefix.Length) } else { $line }) -replace '\s+', ' '
            $text = $text.Trim()
            $inode = [uint64](($text -split ' ')[0])
            $last[$depth] = $inode
            [pscustomobject]@{ Inode = $inode; Parent = if ($depth -gt 0) { $last[$depth - 1] } else { [uint64]0 }; Depth = $depth; Text = $text }
        }
    }

    function Get-LsnsTree([string] $Relation) {
        $lines = @(lsns "--tree=$Relation")
        if ($LASTEXITCODE -ne 0) { throw "lsns --tree=$Relation failed" }
        $lines
    }
}

AfterAll {
    Stop-NamespaceFixture $fixture
}

Describe 'Format-NamespaceTree' -Tag 'Root' {
    It 'draws the <By> tree as lsns --tree=<Relation> does for every namespace of the fixture' -TestCases @(
        @{ By = 'Owner'; Relation = 'owner' }
        @{ By = 'Parent'; Relation = 'parent' }
        @{ By = 'Process'; Relation = 'process' }
    ) {
        $inCommand = $By -eq 'Process'
        $expected = @{}
        foreach ($row in Read-Tree (Get-LsnsTree $Relation) -InCommand:$inCommand) { $expected[$row.Inode] = $row }
        $actual = @{}
        foreach ($row in Read-Tree (Get-Namespace | Format-NamespaceTree -By $By) -InCommand:$inCommand) { $actual[$row.Inode] = $row }
        foreach ($inode in $fixture.ProcessInodes) {
            $expected.ContainsKey($inode) | Should -BeTrue -Because "lsns lists $inode"
            $actual[$inode].Parent | Should -Be $expected[$inode].Parent -Because "$inode hangs under the same row"
            $actual[$inode].Depth | Should -Be $expected[$inode].Depth -Because "$inode is as deep"
            $actual[$inode].Text | Should -Be $expected[$inode].Text -Because "$inode shows the same columns"
        }
    }

    It 'puts the nested user namespaces under their owners: init, outer, inner' {
        $init = Get-NsInode $PID user
        $outer = Get-NsInode $fixture.Users.Unshare.Id user
        $inner = Get-NsInode $fixture.Users.Pid user
        $rows = @{}
        foreach ($row in Read-Tree (Get-Namespace | Format-NamespaceTree)) { $rows[$row.Inode] = $row }
        $rows[$init].Depth | Should -Be 0
        $rows[$outer].Parent | Should -Be $init
        $rows[$inner].Parent | Should -Be $outer
        $rows[$inner].Depth | Should -Be 2
        $rows[(Get-NsInode $fixture.Users.Pid net)].Parent | Should -Be $inner
    }

    It 'writes a header and lsns''s glyphs, one string per line' {
        $lines = @(Get-Namespace | Format-NamespaceTree -By Owner)
        $lines | ForEach-Object { $_ | Should -BeOfType [string] }
        $lines[0] | Should -Match '^NS\s+TYPE\s+NPROCS\s+PID\s+USER\s+COMMAND$'
        $lines | Should -Contain ($lines | Where-Object { $_ -match '^├─\d+ ' } | Select-Object -First 1)
        $lines | Should -Contain ($lines | Where-Object { $_ -match '^│ └─\d+ ' } | Select-Object -First 1)
    }

    It 'draws by owner when -By is not given' {
        $namespaces = @(Get-Namespace)
        ($namespaces | Format-NamespaceTree) -join "`n" | Should -Be (($namespaces | Format-NamespaceTree -By Owner) -join "`n")
    }

    It 'draws namespaces back from Export-Clixml as it draws the live ones' {
        $namespaces = @(Get-Namespace)
        $file = Join-Path $TestDrive 'namespaces.xml'
        $namespaces | Export-Clixml $file
        $back = Import-Clixml $file
        foreach ($by in 'Owner', 'Parent', 'Process') {
            ($back | Format-NamespaceTree -By $by) -join "`n" | Should -Be (($namespaces | Format-NamespaceTree -By $by) -join "`n") -Because $by
        }
    }

    It 'writes InvalidArgument for input that is not a namespace and draws the rest' {
        $ns = Get-Namespace -Pid $fixture.Fresh.Pid -Type Net
        $out = @([pscustomobject]@{ Name = 'x' }, $ns | Format-NamespaceTree -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 2
        $out[1] | Should -Match "^$($ns.Inode) net "
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NotANamespace,*'
    }

    It 'refuses a relation that does not exist' {
        { Get-Namespace -Type Net | Format-NamespaceTree -By Sibling -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSNamespaces.Commands.FormatNamespaceTreeCommand'
    }
}
