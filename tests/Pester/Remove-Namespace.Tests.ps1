BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFileHelpers.psm1') -Force
    Import-PSNamespaces
    $dir = "/tmp/psns-i4-rm-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    $prefix = "psns-i4-rm-$PID"
}

AfterAll {
    Clear-TestNamespace -Directory $dir -NamePrefix $prefix
}

Describe 'Remove-Namespace' -Tag 'Root' {
    It 'removes a namespace made by ip netns add, so that ip netns list no longer has it' {
        $name = "$prefix-ip"
        ip netns add $name
        Get-NetnsName | Should -Contain $name
        Remove-Namespace -Name $name -WarningVariable warn
        $warn | Should -BeNullOrEmpty
        Get-NetnsName | Should -Not -Contain $name
        Test-Path "/run/netns/$name" | Should -BeFalse
        Get-MountCount "/run/netns/$name" | Should -Be 0
    }

    It 'removes a namespace file by -Path: no mount, no file' {
        $file = "$dir/uts"
        $null = New-Namespace -Type Uts -Path $file
        Get-MountCount $file | Should -Be 1
        Remove-Namespace -Path $file
        Get-MountCount $file | Should -Be 0
        Test-Path $file | Should -BeFalse
    }

    It 'removes a file made by unshare --uts=FILE' {
        $file = "$dir/by-unshare"
        $null = New-Item -ItemType File $file
        unshare "--uts=$file" true
        $LASTEXITCODE | Should -Be 0
        (findmnt -rn -o FSTYPE --mountpoint $file) | Should -Be 'nsfs'
        Remove-Namespace -Path $file
        Test-Path $file | Should -BeFalse
    }

    It 'writes ObjectNotFound for a name that does not exist, and goes on with the next' {
        $name = "$prefix-next"
        ip netns add $name
        Remove-Namespace -Name "$prefix-missing", $name -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err[0].TargetObject | Should -Be "$prefix-missing"
        Get-NetnsName | Should -Not -Contain $name
    }

    It 'writes ObjectNotFound for a -Path that does not exist' {
        Remove-Namespace -Path "$dir/missing" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be "$dir/missing"
    }

    It 'gives InvalidArgument for the name <Value>' -TestCases @(@{ Value = '' }, @{ Value = '..' }, @{ Value = 'a/b' }) {
        Remove-Namespace -Name $Value -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamespaceName,*'
    }

    It 'takes Name and Path by property name from the pipeline (as Get-Namespace will give them)' {
        $names = "$prefix-p1", "$prefix-p2"
        $names | ForEach-Object { ip netns add $_ }
        $null = New-Namespace -Type Ipc -Path "$dir/ipc"
        $objects = @(
            [pscustomobject]@{ Name = $names[0]; Path = $null }
            # A named netns object carries both its name and its file: removed once, no error.
            [pscustomobject]@{ Name = $names[1]; Path = "/run/netns/$($names[1])" }
            [pscustomobject]@{ Name = $null; Path = "$dir/ipc" }
        )
        $objects | Remove-Namespace -ErrorVariable err
        $err | Should -BeNullOrEmpty
        Get-NetnsName | Where-Object { $_ -in $names } | Should -BeNullOrEmpty
        Test-Path "$dir/ipc" | Should -BeFalse
    }

    It 'removes the names Get-ChildItem /run/netns gives it' {
        $names = "$prefix-gci1", "$prefix-gci2"
        $names | ForEach-Object { ip netns add $_ }
        Get-ChildItem /run/netns | Where-Object Name -in $names | Remove-Namespace
        Get-NetnsName | Where-Object { $_ -in $names } | Should -BeNullOrEmpty
    }

    It 'warns, naming the process, when a process still holds the namespace; it lives on' {
        $name = "$prefix-held"
        ip netns add $name
        $holder = Start-NativeProcess ip 'netns', 'exec', $name, 'sleep', '1000'
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-Content "/proc/$($holder.Id)/comm") -ne 'sleep' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
            $inode = Get-FileInode "/run/netns/$name"
            Remove-Namespace -Name $name -WarningVariable warn -WarningAction SilentlyContinue
            Get-NetnsName | Should -Not -Contain $name
            $warn.Count | Should -Be 1
            $warn[0].Message | Should -Match "net:\[$inode\]"
            $warn[0].Message | Should -Match "PID $($holder.Id) \(sleep\)"
            # It lives on: the process is still in it.
            Get-NsInode $holder.Id net | Should -Be $inode
        } finally {
            $holder.Kill(); $holder.WaitForExit()
        }
    }

    It 'warns, naming the mount, when another bind mount still holds the namespace' {
        $first, $second = "$dir/first", "$dir/second"
        $ns = New-Namespace -Type Net -Path $first
        $null = New-Item -ItemType File $second
        mount --bind $first $second
        Remove-Namespace -Path $first -WarningVariable warn -WarningAction SilentlyContinue
        $warn.Count | Should -Be 1
        $warn[0].Message | Should -Match "net:\[$($ns.Inode)\]"
        $warn[0].Message | Should -Match "mount $([regex]::Escape($second))"
        Get-NsenterId net $second net | Should -Be $ns.Id
        Remove-Namespace -Path $second -WarningVariable warn
        $warn | Should -BeNullOrEmpty
        Test-Path $second | Should -BeFalse
    }

    It 'refuses a file that holds no namespace, and leaves it' {
        Set-Content "$dir/plain" 'keep me'
        Remove-Namespace -Path "$dir/plain" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NotANamespace,*'
        Get-Content "$dir/plain" | Should -Be 'keep me'
        Remove-Item "$dir/plain"
    }

    It 'refuses a symbolic link to a namespace file, and leaves both' {
        $file, $link = "$dir/real", "$dir/link"
        $ns = New-Namespace -Type Uts -Path $file
        ln -s $file $link
        try {
            Remove-Namespace -Path $link -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PathIsSymbolicLink,*'
            Get-FileInode $file | Should -Be $ns.Inode
            readlink $link | Should -Be $file
        } finally {
            # rm(1): Remove-Item looks through the link and balks at the read-only nsfs file.
            rm $link
            Remove-Namespace -Path $file
        }
    }

    It 'removes nothing with -WhatIf' {
        $name = "$prefix-whatif"
        ip netns add $name
        try {
            Remove-Namespace -Name $name -WhatIf
            Get-NetnsName | Should -Contain $name
            Get-MountCount "/run/netns/$name" | Should -Be 1
        } finally {
            ip netns delete $name
        }
    }

    It 'refuses a call with neither -Name nor -Path' {
        { Remove-Namespace -ErrorAction Stop } | Should -Throw -ErrorId 'NoNamespaceGiven,PSNamespaces.Commands.RemoveNamespaceCommand'
    }
}

Describe 'Remove-Namespace and the module''s own workers' -Tag 'Root', 'Slow' {
    It 'ends the idle worker Invoke-InNamespace left in the namespace: gone from every /proc scan within 100 ms, no warning' {
        $name = "$prefix-worker"
        ip netns add $name
        $inode = Get-FileInode "/run/netns/$name"
        Invoke-InNamespace -Name $name { 'inside' } | Should -Be 'inside'
        # The idle worker is a thread of this pwsh inside the namespace, kept for the next call.
        @(readlink /proc/$PID/task/*/ns/net) | Should -Contain "net:[$inode]"

        Remove-Namespace -Name $name -WarningVariable warn
        $returned = [Diagnostics.Stopwatch]::StartNew()
        # Every task of every process, as a readlink loop and lsns see them, in scans begun within 100 ms.
        $scanStarted = $returned.ElapsedMilliseconds
        $seen = @(sh -c 'readlink /proc/[0-9]*/task/*/ns/net 2>/dev/null' | Where-Object { $_ -eq "net:[$inode]" })
        $lsnsStarted = $returned.ElapsedMilliseconds
        $listed = @((lsns -J -t net -o NS | ConvertFrom-Json).namespaces | Where-Object { "$($_.ns)" -eq "$inode" })

        $warn | Should -BeNullOrEmpty
        $seen | Should -BeNullOrEmpty
        $listed | Should -BeNullOrEmpty
        $scanStarted, $lsnsStarted | Should -BeLessThan 100
        Get-NetnsName | Should -Not -Contain $name
    }

    It 'names a worker still busy in the namespace in the warning; the namespace lives until its call ends' {
        $name = "$prefix-busy"
        ip netns add $name
        $inode = Get-FileInode "/run/netns/$name"
        $module = (Get-Module PSNamespaces).Path
        $flag = "$dir/busy-started"
        $job = Start-ThreadJob {
            Import-Module $using:module
            $started = $using:flag
            Invoke-InNamespace -Name $using:name { Set-Content $using:started 'started'; Start-Sleep -Seconds 3; 'done' }
        }
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Path $flag) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Test-Path $flag | Should -BeTrue
            Remove-Namespace -Name $name -WarningVariable warn -WarningAction SilentlyContinue
            $warn.Count | Should -Be 1
            $warn[0].Message | Should -Match "net:\[$inode\]"
            $warn[0].Message | Should -Match 'thread \d+ of this PowerShell \(an Invoke-InNamespace call still running in it\)'
            # Busy, so not ended: its thread is still inside.
            @(readlink /proc/$PID/task/*/ns/net) | Should -Contain "net:[$inode]"
            $job | Wait-Job -Timeout 30 | Receive-Job | Should -Be 'done'
        } finally {
            $job | Remove-Job -Force
            Remove-Item $flag -ErrorAction Ignore
        }
    }
}
