BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $prefix = "psns-i4-id-$PID"
    # NETNSIDs nobody else on this machine is likely to ask for.
    $base = 100000 + ($PID % 100000) * 10
}

AfterAll {
    Clear-TestNamespace -NamePrefix $prefix
}

Describe 'Set-NamespaceNetNsId (ip netns set)' -Tag 'Root' {
    BeforeEach {
        $name = "$prefix-a"
        ip netns add $name
    }

    AfterEach {
        ip netns delete $name
    }

    It 'assigns the NETNSID asked for, as ip netns list shows it' {
        $ns = Set-NamespaceNetNsId -Name $name -NetNsId $base -PassThru
        Get-NetnsId $name | Should -Be $base
        # -PassThru writes the namespace, as -PassThru does everywhere: the one the name holds.
        $ns | Should -BeOfType PSNamespaces.Namespace
        $ns.Type | Should -Be 'Net'
        $ns.Inode | Should -Be ([uint64](stat -L -c %i "/run/netns/$name"))
        $ns.NetNsId | Should -Be $base
    }

    It 'lets the kernel pick without -NetNsId (ip netns set NAME auto)' {
        $id = (Set-NamespaceNetNsId -Name $name -PassThru).NetNsId
        $id | Should -BeOfType [int]
        Get-NetnsId $name | Should -Be $id
    }

    It 'does nothing when the namespace already has the NETNSID asked for (set by ip netns set)' {
        ip netns set $name ($base + 1)
        (Set-NamespaceNetNsId -Name $name -NetNsId ($base + 1) -PassThru -ErrorVariable err).NetNsId | Should -Be ($base + 1)
        $err | Should -BeNullOrEmpty
        (Set-NamespaceNetNsId -Name $name -PassThru).NetNsId | Should -Be ($base + 1)
    }

    It 'gives ResourceExists when the namespace already has another NETNSID, and leaves it' {
        ip netns set $name ($base + 2)
        Set-NamespaceNetNsId -Name $name -NetNsId ($base + 3) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NetNsIdAssigned,*'
        $err[0].TargetObject | Should -Be $name
        Get-NetnsId $name | Should -Be ($base + 2)
    }

    It 'gives ResourceExists when another namespace has the NETNSID' {
        $other = "$prefix-b"
        ip netns add $other
        try {
            ip netns set $other ($base + 4)
            Set-NamespaceNetNsId -Name $name -NetNsId ($base + 4) -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NetNsIdInUse,*'
            Get-NetnsId $name | Should -BeNullOrEmpty
        } finally {
            ip netns delete $other
        }
    }

    It 'takes a namespace file by -Path, and Name/Path from the pipeline' {
        [pscustomobject]@{ Name = $name; Path = "/run/netns/$name" } | Set-NamespaceNetNsId -NetNsId ($base + 5) -ErrorVariable err
        $err | Should -BeNullOrEmpty
        Get-NetnsId $name | Should -Be ($base + 5)
        (Set-NamespaceNetNsId -Path "/run/netns/$name" -PassThru).NetNsId | Should -Be ($base + 5)
    }

    It 'refuses a namespace file that is not a network namespace' {
        Set-NamespaceNetNsId -Path /proc/self/ns/uts -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WrongNamespaceType,*'
    }

    It 'gives ObjectNotFound for a name that does not exist' {
        Set-NamespaceNetNsId -Name "$prefix-missing" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be "$prefix-missing"
    }

    It 'assigns nothing with -WhatIf' {
        Set-NamespaceNetNsId -Name $name -NetNsId ($base + 6) -WhatIf
        Get-NetnsId $name | Should -BeNullOrEmpty
    }
}
