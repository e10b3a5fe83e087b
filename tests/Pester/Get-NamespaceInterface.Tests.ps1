BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces
    $prefix = "psns-i26-if-$PID"

    function Get-IpView([string] $Name) {
        <# What ip says of a named netns: ip -d -j link and ip -j addr, as one text to compare two reads. #>
        [pscustomobject]@{
            Link = (ip -n $Name -d -j link) -join ''
            Addr = (ip -n $Name -j addr) -join ''
        }
    }

    function Assert-SameAsIp([string] $Name) {
        <#
            Get-NamespaceInterface -Name NAME, field by field against ip -n NAME -d -j link and
            ip -n NAME -j addr. ip is read before and after ours, and the comparison made once
            both reads agree: IPv6 link-local addresses come and go on their own timers.
        #>
        for ($try = 0; $try -lt 20; $try++) {
            $before = Get-IpView $Name
            $ours = @(Get-NamespaceInterface -Name $Name)
            $after = Get-IpView $Name
            if ($before.Link -eq $after.Link -and $before.Addr -eq $after.Addr) { break }
            Start-Sleep -Milliseconds 100
        }
        $links = @($after.Link | ConvertFrom-Json)
        $addresses = @($after.Addr | ConvertFrom-Json)
        $inode = [uint64](stat -L -c %i "/run/netns/$Name")
        $ours.Count | Should -Be $links.Count
        for ($i = 0; $i -lt $links.Count; $i++) {
            $ip = $links[$i]
            $it = $ours[$i]
            $because = "$Name $($ip.ifname)"
            $it.NetNs | Should -Be $inode -Because $because
            $it.NetnsName | Should -Be $Name -Because $because
            $it.Index | Should -Be $ip.ifindex -Because $because
            $it.Name | Should -Be $ip.ifname -Because $because
            $it.Mtu | Should -Be $ip.mtu -Because $because
            $it.State | Should -Be $ip.operstate -Because $because
            $it.MacAddress | Should -Be ($ip.PSObject.Properties['address'] ? $ip.address : $null) -Because $because
            $it.Master | Should -Be ($ip.PSObject.Properties['master'] ? $ip.master : $null) -Because $because
            $kind = if ($ip.PSObject.Properties['linkinfo'] -and $ip.linkinfo.PSObject.Properties['info_kind']) { $ip.linkinfo.info_kind } elseif ($ip.link_type -eq 'loopback') { 'loopback' } else { $null }
            $it.Kind | Should -Be $kind -Because $because
            if ($ip.PSObject.Properties['link']) {
                # Linked inside the namespace: ip names the other device.
                $it.PeerInterface | Should -Be $ip.link -Because $because
                $it.PeerNetNs | Should -Be $inode -Because $because
                $it.PeerNetnsId | Should -BeNullOrEmpty -Because $because
            } elseif ($ip.PSObject.Properties['link_index']) {
                $it.PeerIndex | Should -Be $ip.link_index -Because $because
                $it.PeerNetnsId | Should -Be $ip.link_netnsid -Because $because
            } else {
                $it.PeerIndex | Should -BeNullOrEmpty -Because $because
            }
            $expected = @(($addresses | Where-Object ifname -EQ $ip.ifname).addr_info | ForEach-Object { "$($_.local)/$($_.prefixlen)" })
            @($it.Addresses) | Should -Be $expected -Because $because
        }
        $ours
    }

    function Get-IpIndex([string] $Name, [string] $Interface) {
        (ip -n $Name -j link show dev $Interface | ConvertFrom-Json).ifindex
    }
}

AfterAll {
    Clear-TestNamespace -NamePrefix $prefix
}

Describe 'Get-NamespaceInterface (ip -n NAME -d link, ip -n NAME addr)' -Tag 'Root', 'Slow' {
    BeforeAll {
        $a = "$prefix-a"
        $b = "$prefix-b"
        ip netns add $a
        ip netns add $b
        # Inside a: a veth pair whose one end is a bridge port, a vxlan, a tap; a veth to b; addresses.
        ip -n $a link add br0 type bridge
        ip -n $a link add va type veth peer name vb
        ip -n $a link set va master br0
        ip -n $a link add x0 type veth peer name x1 netns $b
        ip -n $a link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1
        ip -n $a tuntap add tap0 mode tap
        ip -n $a link set mtu 1400 dev x0
        ip -n $a addr add 10.26.0.1/24 dev x0
        ip -n $a addr add fd26::1/64 dev x0
        ip -n $a addr add 10.26.1.1/16 dev br0
        ip -n $a addr add 10.9.9.9 peer 10.9.9.10/32 dev vx0
        ip -n $b addr add 10.26.0.2/24 dev x1
        foreach ($dev in 'lo', 'br0', 'va', 'vb', 'x0') { ip -n $a link set $dev up }
        ip -n $b link set x1 up
        # A macvlan needs a parent that is not a bridge port (the kernel refuses one with EINVAL).
        ip -n $a link add link x0 name mv0 type macvlan mode bridge
        # Kinds this kernel may lack (dummy and vlan are modules a small kernel leaves out, and
        # this test machine's kernel has neither): made where it can, then compared like every other device.
        ip -n $a link add d0 type dummy 2>$null
        ip -n $a link add link x0 name x0.5 type vlan id 5 2>$null
    }

    AfterAll {
        ip netns delete $a 2>$null
        ip netns delete $b 2>$null
    }

    It 'equals ip -d -j link and ip -j addr field by field, on every kind the kernel makes' {
        $ours = Assert-SameAsIp $a
        $kinds = @($ours.Kind | Sort-Object -Unique)
        foreach ($kind in 'bridge', 'loopback', 'macvlan', 'tun', 'veth', 'vxlan') { $kinds | Should -Contain $kind }
        Assert-SameAsIp $b | Should -Not -BeNullOrEmpty
    }

    It 'names the namespace and interface at the other end of a veth between two named namespaces' {
        $x0 = Get-NamespaceInterface -Name $a -InterfaceName x0
        $x0.PeerNetNs | Should -Be ([uint64](stat -L -c %i "/run/netns/$b"))
        $x0.PeerNetnsName | Should -Be $b
        $x0.PeerInterface | Should -Be 'x1'
        $x0.PeerIndex | Should -Be (Get-IpIndex $b x1)
        $x1 = Get-NamespaceInterface -Name $b -InterfaceName x1
        $x1.PeerNetNs | Should -Be ([uint64](stat -L -c %i "/run/netns/$a"))
        $x1.PeerNetnsName | Should -Be $a
        $x1.PeerInterface | Should -Be 'x0'
        $x1.PeerIndex | Should -Be (Get-IpIndex $a x0)
    }

    It 'names the namespace of a process at the other end of a veth, both ways' {
        $process = Start-TestProcess -Unshare '--net'
        try {
            ip -n $a link add p0 type veth peer name p1 netns "/proc/$($process.Pid)/ns/net"
            $netns = Get-NsInode $process.Pid net
            $p0 = Get-NamespaceInterface -Name $a -InterfaceName p0
            $p0.PeerNetNs | Should -Be $netns
            $p0.PeerNetnsName | Should -BeNullOrEmpty
            $p0.PeerInterface | Should -Be 'p1'
            $p0.PeerIndex | Should -Be ((nsenter -t $process.Pid -n ip -j link show dev p1 | ConvertFrom-Json).ifindex)
            $p1 = Get-NamespaceInterface -Pid $process.Pid -InterfaceName p1
            $p1.NetNs | Should -Be $netns
            $p1.PeerNetNs | Should -Be ([uint64](stat -L -c %i "/run/netns/$a"))
            $p1.PeerNetnsName | Should -Be $a
            $p1.PeerInterface | Should -Be 'p0'
            $p1.PeerIndex | Should -Be (Get-IpIndex $a p0)
        } finally {
            ip -n $a link delete p0 2>$null
            Stop-TestProcess $process
        }
    }

    It 'assigns no NETNSID while looking for peers: every namespace knows the ids it knew before' {
        # The peer of p0 is in a process's namespace: finding it asks a (RTM_GETNSID) about every
        # named namespace and nsfs mount on the machine first, and they must not get ids in a.
        $process = Start-TestProcess -Unshare '--net'
        try {
            ip -n $a link add p0 type veth peer name p1 netns "/proc/$($process.Pid)/ns/net"
            $ids = { @((ip -n $a netns list-id) + '|' + (ip -n $b netns list-id) + '|' + (nsenter -t $process.Pid -n ip netns list-id) + '|' + (ip netns list-id)) -join "`n" }
            # A link dump itself makes the kernel give a veth's peer namespace an id in the namespace
            # dumped (as ip link does): let ip do that first, so what is compared is what we add.
            $null = ip -n $a link; $null = ip -n $b link; $null = nsenter -t $process.Pid -n ip link
            $before = & $ids
            (Get-NamespaceInterface -Name $a -InterfaceName p0).PeerNetNs | Should -Be (Get-NsInode $process.Pid net)
            $null = Get-NamespaceInterface -Name $b
            $null = Get-NamespaceInterface -Pid $process.Pid
            & $ids | Should -Be $before
        } finally {
            ip -n $a link delete p0 2>$null
            Stop-TestProcess $process
        }
    }

    It 'reads every named namespace with -Name *, each by its /run/netns name' {
        $all = @(Get-NamespaceInterface -Name * -InterfaceName lo)
        $names = @(Get-NetnsName | Sort-Object -Unique)
        foreach ($name in $a, $b) { $all.NetnsName | Should -Contain $name }
        @($all | Where-Object { $_.NetnsName -in $a, $b }).Count | Should -Be 2
        $all.Count | Should -BeGreaterOrEqual 2
        @($all.NetnsName | Where-Object { $_ -notin $names }) | Should -BeNullOrEmpty
    }

    It 'takes the namespace by -Path, by a piped Namespace object, and by -Pid (a process in it)' {
        $expected = @((ip -n $a -j link | ConvertFrom-Json).ifname)
        @((Get-NamespaceInterface -Path "/run/netns/$a").Name) | Should -Be $expected
        @((Get-Namespace -Name $a | Get-NamespaceInterface).Name) | Should -Be $expected
        $process = Start-NativeProcess ip -ArgumentList 'netns', 'exec', $a, 'sleep', '60'
        try {
            Wait-Condition -Because "ip netns exec runs sleep in $a" { (Test-Path "/proc/$($process.Id)/ns/net") -and (Get-NsInode $process.Id net) -eq [uint64](stat -L -c %i "/run/netns/$a") }
            $viaPid = @(Get-NamespaceInterface -Pid $process.Id)
            @($viaPid.Name) | Should -Be $expected
            # The name is found for a namespace given without one.
            $viaPid[0].NetnsName | Should -Be $a
        } finally {
            $process.Kill(); $process.WaitForExit()
        }
    }

    It 'filters by -InterfaceName with wildcards, case-sensitively' {
        @((Get-NamespaceInterface -Name $a -InterfaceName 'v*').Name | Sort-Object) | Should -Be @('va', 'vb', 'vx0')
        Get-NamespaceInterface -Name $a -InterfaceName 'X0' | Should -BeNullOrEmpty
    }

    It 'completes -InterfaceName from the namespace on the command line' {
        $line = "Get-NamespaceInterface -Name $a -InterfaceName v"
        $results = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        @($results | Sort-Object) | Should -Be @('va', 'vb', 'vx0')
    }

    It 'leaves every thread of pwsh in its own network namespace' {
        $null = Get-NamespaceInterface -Name $a, $b
        $own = readlink /proc/self/ns/net
        foreach ($task in Get-ChildItem /proc/$PID/task) {
            readlink "$($task.FullName)/ns/net" | Should -Be $own -Because "thread $($task.Name)"
        }
    }
}

Describe 'Get-NamespaceInterface on bad input' -Tag 'Root' {
    It 'says a name that does not exist is not found, and goes on with the next' {
        $good = "$prefix-good"
        ip netns add $good
        try {
            $out = @(Get-NamespaceInterface -Name "$prefix-none", $good -ErrorVariable err -ErrorAction SilentlyContinue)
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be "$prefix-none"
            @($out.Name) | Should -Be @('lo')
            $out[0].NetnsName | Should -Be $good
        } finally {
            ip netns delete $good
        }
        Get-NetnsName | Should -Not -Contain "$prefix-none"
    }

    It 'refuses a namespace that is not a network namespace' {
        Get-NamespaceInterface -Path /proc/self/ns/uts -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamespaceTarget,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'no Net namespace'
        Get-Namespace -Pid $PID -Type Uts | Get-NamespaceInterface -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamespaceTarget,*'
    }

    It 'says a namespace that is gone is not found' {
        $gone = "$prefix-gone"
        ip netns add $gone
        $object = Get-Namespace -Name $gone
        ip netns delete $gone
        Get-NamespaceInterface -Namespace $object -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'is gone'
        Get-NamespaceInterface -Path "/run/netns/$gone" -ErrorVariable err2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        Get-NetnsName | Should -Not -Contain $gone
    }

    It 'says a process that is gone is not found' {
        $process = Start-NativeProcess true
        $process.WaitForExit()
        Get-NamespaceInterface -Pid $process.Id -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        $err[0].TargetObject | Should -Be $process.Id
    }
}
