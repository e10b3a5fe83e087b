BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $prefix = "psns-i26-graph-$PID"

    function Get-ClusterBlock([string] $Dot, [uint64] $Inode) {
        <# The lines of one namespace's cluster in the DOT text, from its "subgraph" line to its closing brace. #>
        $lines = $Dot -split "`n"
        $start = [array]::IndexOf($lines, "  subgraph cluster_n$Inode {")
        if ($start -lt 0) { return @() }
        $end = $start + 1
        while ($lines[$end] -ne '  }') { $end++ }
        $lines[$start..$end]
    }

    function Get-IpLink([string[]] $Prefix) {
        <# ip -j link in a namespace, run through the command that reaches it (ip -n NAME, nsenter -t PID -n ip). #>
        $command, $arguments = $Prefix
        & $command @arguments -j link | ConvertFrom-Json
    }
}

AfterAll {
    Clear-TestNamespace -NamePrefix $prefix
}

Describe 'ConvertTo-NamespaceGraph -By Network' -Tag 'Root', 'Slow' {
    BeforeAll {
        # A router namespace with a bridge, a container-like process behind one of its ports, a
        # client namespace on a veth of its own.
        $router = "$prefix-r"
        $client = "$prefix-c"
        ip netns add $router
        ip netns add $client
        $box = Start-TestProcess -Unshare '--net'
        ip -n $router link add br0 type bridge
        ip -n $router link add vp type veth peer name eth0 netns "/proc/$($box.Pid)/ns/net"
        ip -n $router link set vp master br0
        ip -n $router link add up0 type veth peer name eth0 netns $client
        ip -n $router addr add 10.26.0.1/24 dev br0
        ip -n $client addr add 10.26.1.2/24 dev eth0
        $inodes = @{
            router = [uint64](stat -L -c %i "/run/netns/$router")
            client = [uint64](stat -L -c %i "/run/netns/$client")
            box    = Get-NsInode $box.Pid net
        }
        $enter = @{ router = @('ip', '-n', $router); client = @('ip', '-n', $client); box = @('nsenter', '-t', "$($box.Pid)", '-n', 'ip') }
        $links = @{}
        foreach ($key in $enter.Keys) { $links[$key] = @(Get-IpLink $enter[$key]) }
        $namespaces = @(Get-Namespace -Name $router, $client) + @(Get-Namespace -Pid $box.Pid -Type Net)
        $dot = ($namespaces | ConvertTo-NamespaceGraph -By Network) -join "`n"
    }

    AfterAll {
        Stop-TestProcess $box
        ip netns delete $router 2>$null
        ip netns delete $client 2>$null
    }

    It 'draws each network namespace as a cluster holding its interfaces (all but lo), labelled by its name' {
        foreach ($key in 'router', 'client', 'box') {
            $block = Get-ClusterBlock $dot $inodes[$key]
            $block | Should -Not -BeNullOrEmpty -Because "net:[$($inodes[$key])] ($key) is drawn"
            foreach ($link in $links[$key]) {
                $node = "    i$($inodes[$key])_$($link.ifindex) \[label=`"$([regex]::Escape($link.ifname))\b"
                if ($link.ifname -eq 'lo') {
                    ($block -match $node) | Should -BeNullOrEmpty -Because "lo of $key is left out"
                } else {
                    ($block -match $node) | Should -Not -BeNullOrEmpty -Because "$($link.ifname) of $key is in its cluster"
                }
            }
        }
        (Get-ClusterBlock $dot $inodes.router)[1] | Should -Match "label=`"netns $router\\nnet:\[$($inodes.router)\]"
        # No name: the namespace is told by its inode and the lowest PID in it (unshare, sleep's parent).
        (Get-ClusterBlock $dot $inodes.box)[1] | Should -Match "label=`"net:\[$($inodes.box)\]\\n2 processes, PID $($box.Unshare.Id) unshare"
        ($dot | Select-String -Pattern 'br0 \(bridge\)\\n10\.26\.0\.1/24' -SimpleMatch:$false) | Should -Not -BeNullOrEmpty
    }

    It 'draws each veth pair once, between the two ends ip names (link_index, link_netnsid)' {
        # The router's veths: which namespace each link_netnsid is, told by ip itself.
        $peerOf = @{
            vp  = @{ NetNs = $inodes.box; Index = ($links.box | Where-Object ifname -EQ eth0).ifindex }
            up0 = @{ NetNs = $inodes.client; Index = ($links.client | Where-Object ifname -EQ eth0).ifindex }
        }
        foreach ($name in 'vp', 'up0') {
            $link = $links.router | Where-Object ifname -EQ $name
            $link.link_index | Should -Be $peerOf[$name].Index -Because 'ip and the fixture agree on the other end'
            $a = "i$($inodes.router)_$($link.ifindex)"
            $b = "i$($peerOf[$name].NetNs)_$($peerOf[$name].Index)"
            @($dot -split "`n" | Where-Object { $_ -match "^  ($a -> $b|$b -> $a) \[label=`"veth`"" }).Count | Should -Be 1 -Because "$name is one line"
        }
        @($dot -split "`n" | Where-Object { $_ -match 'label="veth"' }).Count | Should -Be 2
    }

    It 'draws each bridge port as a line from its bridge' {
        $bridge = ($links.router | Where-Object ifname -EQ br0).ifindex
        $ports = @($links.router | Where-Object { $_.PSObject.Properties['master'] -and $_.master -eq 'br0' })
        $ports.Count | Should -Be 1
        foreach ($port in $ports) {
            $dot | Should -Match ([regex]::Escape("  i$($inodes.router)_$bridge -> i$($inodes.router)_$($port.ifindex) [color="))
        }
    }

    It 'ends a veth whose other namespace is not drawn at a node outside the clusters that names it' {
        $alone = (Get-Namespace -Name $router | ConvertTo-NamespaceGraph -By Network) -join "`n"
        $peer = "i$($inodes.box)_$(($links.box | Where-Object ifname -EQ eth0).ifindex)"
        $alone | Should -Match ([regex]::Escape("  $peer [label=`"eth0\nnet:[$($inodes.box)]`""))
        $clientPeer = "i$($inodes.client)_$(($links.client | Where-Object ifname -EQ eth0).ifindex)"
        $alone | Should -Match ([regex]::Escape("  $clientPeer [label=`"eth0\nnetns $client`""))
        $alone | Should -Not -Match "subgraph cluster_n$($inodes.box) "
    }

    It 'leaves out namespaces of other kinds, and writes Mermaid too' {
        $mixed = (@(Get-Namespace -Name $router) + @(Get-Namespace -Pid $PID -Type Uts) | ConvertTo-NamespaceGraph -By Network) -join "`n"
        @($mixed -split "`n" | Where-Object { $_ -match '^  subgraph ' }).Count | Should -Be 1
        $mermaid = ($namespaces | ConvertTo-NamespaceGraph -By Network -Format Mermaid) -join "`n"
        $mermaid | Should -Match '^flowchart LR'
        foreach ($key in 'router', 'client', 'box') { $mermaid | Should -Match "subgraph n$($inodes[$key]) \[" }
        @($mermaid -split "`n" | Where-Object { $_ -match ' ===\|veth\| ' }).Count | Should -Be 2
    }

    It 'is refused by Format-NamespaceTree, which draws trees' {
        { Get-Namespace -Pid $PID -Type Net | Format-NamespaceTree -By Network } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
