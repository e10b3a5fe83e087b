BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestDependencies.psm1') -Force
    $noDot = Test-DependencySkip -Name dot -For 'The checks of DOT text and SVG with Graphviz'
    $noRunc = Test-DependencySkip -Name runc, busybox-static -For 'The grouping test on runc containers'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces
    $fixture = @{}
    Start-NamespaceFixture $fixture
    # A named network namespace whose name holds what DOT and Mermaid must escape. ip makes it:
    # New-Namespace refuses the wildcard characters [ ] in a new name, but names others made are drawn.
    $awkward = "psns-g15-$PID `"q`" [b] {c} #h <t> & \ ü 名"
    ip netns add $awkward
    $directory = Join-Path ([IO.Path]::GetTempPath()) "psns-g15-$PID"
    $null = New-Item -ItemType Directory -Path $directory -Force

    function Get-DotPlacement {
        <#
            Reads DOT text back: for every node "n<inode> [label=...]", the user namespace of the
            innermost "subgraph cluster_u<inode> {" around it (0 at the top); a group's cluster
            ("subgraph cluster_g<inode> {") is inside its user namespace's.
        #>
        param([string] $Text)
        $stack = [Collections.Generic.Stack[uint64]]::new()
        $placement = @{}
        foreach ($line in $Text -split "`n") {
            if ($line -match '^\s*subgraph cluster_u(\d+) \{$') { $stack.Push([uint64]$Matches[1]) }
            elseif ($line -match '^\s*subgraph cluster_g\d+ \{$') { $stack.Push($(if ($stack.Count) { $stack.Peek() } else { [uint64]0 })) }
            elseif ($line -match '^\s*\}$' -and $stack.Count) { $null = $stack.Pop() }
            elseif ($line -match '^\s*n(\d+) \[label=') { $placement[[uint64]$Matches[1]] = if ($stack.Count) { $stack.Peek() } else { [uint64]0 } }
        }
        $placement
    }

    function Invoke-Dot([string] $Text) {
        # dot reads the graph on stdin; its exit code says whether the text was valid DOT.
        $svg = $Text | dot -Tsvg 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($svg -join "`n") }
    }

    function ConvertFrom-MermaidLabel([string] $Label) {
        # Mermaid's entity rule, from its docs: "#NNN;" is the character with that code point.
        [regex]::Replace($Label, '#(\d+);', { param($m) [char]::ConvertFromUtf32([int]$m.Groups[1].Value) }) -replace '<br/>', "`n"
    }
}

AfterAll {
    ip netns delete $awkward 2>$null
    Stop-NamespaceFixture $fixture
    Remove-Item $directory -Recurse -Force -ErrorAction Ignore
}

Describe 'ConvertTo-NamespaceGraph' -Tag 'Root' {
    It 'draws every namespace of the fixture inside the cluster of its owner, as lsns -o ONS says' {
        $lsns = (lsns -J -o NS,TYPE,ONS | ConvertFrom-Json).namespaces
        $owner = @{}; foreach ($row in $lsns) { $owner[[uint64]$row.ns] = [uint64]$row.ons }
        $placement = Get-DotPlacement (Get-Namespace | ConvertTo-NamespaceGraph)
        foreach ($inode in $fixture.ProcessInodes) {
            $placement.ContainsKey($inode) | Should -BeTrue -Because "namespace $inode is drawn"
            $type = ($lsns | Where-Object ns -eq $inode).type
            # A user namespace is drawn in its own cluster; the others in their owner's.
            $expected = if ($type -eq 'user') { $inode } else { $owner[$inode] }
            $placement[$inode] | Should -Be $expected -Because "$type namespace $inode sits in the cluster of user namespace $expected"
        }
    }

    It 'nests the inner user namespace''s cluster inside the outer''s' {
        $outer = Get-NsInode $fixture.Users.Unshare.Id user
        $inner = Get-NsInode $fixture.Users.Pid user
        $text = Get-Namespace | ConvertTo-NamespaceGraph
        $outerAt = $text.IndexOf("subgraph cluster_u$outer {")
        $innerAt = $text.IndexOf("subgraph cluster_u$inner {")
        $outerAt | Should -BeGreaterThan -1
        $innerAt | Should -BeGreaterThan $outerAt
        # Between the outer cluster's start and the inner's, no cluster was closed at the outer's depth.
        $outerIndent = ([regex]::Match($text.Substring(0, $outerAt), '[ ]*$')).Value.Length
        $between = $text.Substring($outerAt, $innerAt - $outerAt) -split "`n" | Where-Object { $_ -eq (' ' * $outerIndent) + '}' }
        $between | Should -BeNullOrEmpty
    }

    It 'labels the named network namespace with its name and NETNSID, as ip netns list shows them' {
        $inode = Get-MountedInode "/run/netns/$($fixture.NetnsName)"
        $text = Get-Namespace -Name $fixture.NetnsName | ConvertTo-NamespaceGraph
        $text | Should -Match ([regex]::Escape("n$inode [label=`"net $inode\nname $($fixture.NetnsName), NETNSID $($fixture.NetnsId)`"]"))
        (ip netns list) -match "^$([regex]::Escape($fixture.NetnsName)) \(id: $($fixture.NetnsId)\)" | Should -Not -BeNullOrEmpty
    }

    It 'draws the parent edge of the nested PID namespace -By <By>, as lsns -o PNS says' -TestCases @(
        @{ By = 'Owner'; Style = ', style=dashed' }
        @{ By = 'Parent'; Style = '' }
    ) {
        $child = Get-NsInode $fixture.Users.Pid pid
        $parent = [uint64]((lsns -J -o NS,PNS | ConvertFrom-Json).namespaces | Where-Object ns -eq $child).pns
        Get-Namespace | ConvertTo-NamespaceGraph -By $By | Should -Match ([regex]::Escape("n$child -> n$parent [xlabel=`"parent`"$Style];"))
    }

    It 'is accepted by dot -Tsvg for every relation and keeps the awkward name (<By>)' -Skip:$noDot -TestCases @(
        @{ By = 'Owner' }, @{ By = 'Parent' }, @{ By = 'Process' }
    ) {
        $result = Invoke-Dot (Get-Namespace | ConvertTo-NamespaceGraph -By $By)
        $result.ExitCode | Should -Be 0 -Because $result.Output
        # Read the SVG as XML (Graphviz writes '-' as &#45;, quotes as &quot;): one <text> per label line.
        $texts = ([xml]$result.Output).SelectNodes('//*[local-name()="text"]') | ForEach-Object InnerText
        $texts | Should -Contain "name $awkward"
    }

    It 'writes Mermaid whose labels decode to the names and whose ids are plain (<By>)' -TestCases @(
        @{ By = 'Owner' }, @{ By = 'Parent' }, @{ By = 'Process' }
    ) {
        $inode = Get-MountedInode "/run/netns/$awkward"
        $text = Get-Namespace | ConvertTo-NamespaceGraph -By $By -Format Mermaid
        $lines = $text -split "`n"
        $lines[0] | Should -Be 'flowchart LR'
        $node = $lines | Where-Object { $_ -match "^\s*n$inode\[`"([^`"]*)`"\]$" }
        $node | Should -HaveCount 1
        (ConvertFrom-MermaidLabel $Matches[1]) | Should -BeExactly "net $inode`nname $awkward" -Because $Matches[1]
        # Every statement is a node, an edge, a subgraph or its end, with ids of letters and digits.
        $lines | Select-Object -Skip 1 | Where-Object { $_ } | ForEach-Object {
            $_ | Should -Match '^\s*((n\d+|host)(\["[^"]*"\]|\(\["[^"]*"\]\))|subgraph [ug]\d+\["[^"]*"\]|end|(n\d+|host) (-->|-\.->)\|"[^"]*"\| (n\d+|host))$'
        }
        @($lines | Where-Object { $_ -match '^\s*host\[' }) | Should -HaveCount 1
        @($lines | Where-Object { $_ -match '^\s*subgraph ' }).Count | Should -Be @($lines | Where-Object { $_ -match '^\s*end$' }).Count
    }

    It 'writes the same text for the same namespaces in any order, live or deserialized' {
        $namespaces = Get-Namespace
        $forward = $namespaces | ConvertTo-NamespaceGraph
        $backward = $namespaces[($namespaces.Count - 1)..0] | ConvertTo-NamespaceGraph
        $backward | Should -BeExactly $forward
        $clixml = Join-Path $directory 'ns.clixml'
        $namespaces | Export-Clixml $clixml
        Import-Clixml $clixml | ConvertTo-NamespaceGraph | Should -BeExactly $forward
        ($namespaces | ConvertTo-NamespaceGraph -Format Mermaid) | Should -BeExactly ($namespaces[($namespaces.Count - 1)..0] | ConvertTo-NamespaceGraph -Format Mermaid)
    }

    It 'draws zero namespaces as a valid empty graph' -Skip:$noDot {
        $dot = @() | ConvertTo-NamespaceGraph
        (Invoke-Dot $dot).ExitCode | Should -Be 0
        $dot | Should -Not -Match '\bn\d+'
        @() | ConvertTo-NamespaceGraph -Format Mermaid | Should -Be "flowchart LR`n"
        ConvertTo-NamespaceGraph -InputObject @() | Should -BeExactly $dot
    }

    It 'renders -OutFile *.svg with dot and writes any other -OutFile as text' -Skip:$noDot {
        $svg = Join-Path $directory 'graph.svg'
        $file = Get-Namespace | ConvertTo-NamespaceGraph -OutFile $svg
        $file.FullName | Should -Be $svg
        # Shown as Get-Item shows it: the file-system view's mode, owner and size, as stat prints them.
        $file.PSParentPath | Should -Not -BeNullOrEmpty
        $shown = ($file | Out-String -Width 120) -split "`n" | Where-Object { $_ -match 'graph\.svg' }
        $shown | Should -Match ('^' + [regex]::Escape((stat -c %A $svg)) + '\s+' + (stat -c %U $svg) + '\s+' + (stat -c %G $svg) + '\s.*\s' + (stat -c %s $svg) + ' graph\.svg')
        $content = Get-Content $svg -Raw
        $content | Should -Match '<svg'
        $content | Should -Match 'cluster_u'
        $dotFile = Join-Path $directory 'graph.dot'
        $namespaces = Get-Namespace
        $null = $namespaces | ConvertTo-NamespaceGraph -OutFile $dotFile
        Get-Content $dotFile -Raw | Should -BeExactly ($namespaces | ConvertTo-NamespaceGraph)
    }

    It 'writes no file with -WhatIf' {
        $svg = Join-Path $directory 'whatif.svg'
        Get-Namespace | ConvertTo-NamespaceGraph -OutFile $svg -WhatIf
        Test-Path $svg | Should -BeFalse
    }

    It 'says to install graphviz when dot is not on PATH' {
        $saved = $env:PATH
        try {
            $env:PATH = ($saved -split ':' | Where-Object { -not (Test-Path (Join-Path $_ 'dot')) }) -join ':'
            $svg = Join-Path $directory 'nodot.svg'
            { Get-Namespace | ConvertTo-NamespaceGraph -OutFile $svg } | Should -Throw -ErrorId 'GraphvizNotInstalled,PSNamespaces.Commands.ConvertToNamespaceGraphCommand'
            try { Get-Namespace | ConvertTo-NamespaceGraph -OutFile $svg } catch { $err = $_ }
            $err.CategoryInfo.Category | Should -Be 'NotInstalled'
            $err.Exception.Message | Should -Match 'apt-get install graphviz'
            Test-Path $svg | Should -BeFalse
        }
        finally { $env:PATH = $saved }
    }

    It 'refuses -Format Mermaid with an .svg file, and input that is not a namespace' -Skip:$noDot {
        { Get-Namespace | ConvertTo-NamespaceGraph -Format Mermaid -OutFile (Join-Path $directory 'm.svg') } |
            Should -Throw -ErrorId 'MermaidNotRenderable,PSNamespaces.Commands.ConvertToNamespaceGraphCommand'
        $out = [pscustomobject]@{ Name = 'x' } | ConvertTo-NamespaceGraph -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -Be 'NotANamespace,PSNamespaces.Commands.ConvertToNamespaceGraphCommand'
        $bad[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Invoke-Dot $out).ExitCode | Should -Be 0
    }
}

Describe 'ConvertTo-NamespaceGraph groups what belongs together' -Tag 'Root', 'Slow' -Skip:$noRunc {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'ContainerFixture.psm1') -Force
        # A host with three plain runc containers and two named network namespaces.
        $rootFs = New-BusyboxRoot
        $boxes = foreach ($n in 1..3) { New-RuncContainer -Id "psns-g25-$PID-$n" -RootFs $rootFs }
        $named = "psns-g25-$PID-blue", "psns-g25-$PID-green"
        foreach ($name in $named) { ip netns add $name }
        $dot = Get-Namespace | ConvertTo-NamespaceGraph

        function Get-DotGroup {
            <# Reads DOT text back: every "subgraph cluster_g… {" as its label and the inodes of the nodes in it. #>
            param([string] $Text)
            $groups = [Collections.Generic.List[object]]::new()
            $current = $null
            foreach ($line in $Text -split "`n") {
                if ($line -match '^\s*subgraph cluster_g\d+ \{$') { $current = [pscustomobject]@{ Label = $null; Inodes = [Collections.Generic.List[uint64]]::new() } }
                elseif ($current -and $line -match '^\s*label="(.*)";$') { $current.Label = $Matches[1] -replace '\\n', "`n" }
                elseif ($current -and $line -match '^\s*n(\d+) \[label=') { $current.Inodes.Add([uint64]$Matches[1]) }
                elseif ($current -and $line -match '^\s*\}$') { $groups.Add($current); $current = $null }
            }
            $groups
        }
    }

    AfterAll {
        foreach ($name in $named) { ip netns delete $name 2>$null }
        foreach ($box in $boxes) { Remove-RuncContainer $box.Id }
        Remove-Item $rootFs -Recurse -Force -ErrorAction Ignore
    }

    It 'draws the host''s namespaces as one node: those of the initial user namespace''s lowest PID, as lsns shows them' {
        $lsns = (lsns -J -o NS,TYPE,PID | ConvertFrom-Json).namespaces
        # pwsh runs in the initial user namespace; lsns's PID is a namespace's lowest PID.
        $initialUser = Get-NsInode $PID user
        $hostPid = ($lsns | Where-Object { [uint64]$_.ns -eq $initialUser }).pid
        $expected = @($lsns | Where-Object pid -EQ $hostPid | ForEach-Object { [uint64]$_.ns }) | Sort-Object
        @([regex]::Matches($dot, '(?m)^\s*host \[')).Count | Should -Be 1
        $ports = @([regex]::Matches($dot, 'PORT="p(\d+)"') | ForEach-Object { [uint64]$_.Groups[1].Value }) | Sort-Object
        $ports | Should -Be $expected
        foreach ($inode in $expected) { $dot | Should -Not -Match "(?m)^\s*n$inode \[" }
    }

    It 'draws each runc container''s namespaces in one cluster labelled with its runtime and id, as readlink shows them' {
        $groups = Get-DotGroup $dot
        foreach ($box in $boxes) {
            $group = @($groups | Where-Object { $_.Label -like "runc:$($box.Id)`n*" })
            $group | Should -HaveCount 1 -Because "one cluster for $($box.Id)"
            $expected = foreach ($type in 'mnt', 'uts', 'ipc', 'pid', 'net') { Get-NsInode $box.Pid $type }
            $group[0].Inodes | Sort-Object | Should -Be ($expected | Sort-Object)
            $group[0].Label | Should -Be "runc:$($box.Id)`nPID $($box.Pid) /bin/busybox sleep 1000"
        }
    }

    It 'draws the named network namespaces no process holds together, as ip netns lists them' {
        $groups = Get-DotGroup $dot
        $inodes = foreach ($name in $named) { Get-MountedInode "/run/netns/$name" }
        $group = @($groups | Where-Object { $_.Inodes -contains $inodes[0] })
        $group | Should -HaveCount 1
        $group[0].Inodes | Should -Contain $inodes[1]
        $group[0].Label | Should -Be "no process`n(ip netns)"
        $listed = (ip netns list) -replace ' \(id: \d+\)$'
        foreach ($name in $named) { $listed | Should -Contain $name }
    }

    It 'renders with dot' {
        $result = Invoke-Dot $dot
        $result.ExitCode | Should -Be 0 -Because $result.Output
    }
}
