# A namespace object names one namespace, for as long as it lives: nsfs hands a freed inode
# number to the next namespace made, so an object kept from before Remove-Namespace must not
# reach whatever namespace got its number. Every cmdlet that takes a namespace object is run
# with one whose inode another namespace has now (forced with ip netns add, unshare --pid) and
# must refuse it with NamespaceNotFound, running nothing. Expected values come from stat,
# readlink and the files the commands would have made.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NamespaceFixture.psm1') -Force
    Import-PSNamespaces
    $dir = Join-Path ([IO.Path]::GetTempPath()) "psns-stale-$PID"
    $null = New-Item -ItemType Directory -Path $dir -Force
    function ConvertThrough-Serializer($InputObject, [switch] $WithoutNsId) {
        $xml = [System.Management.Automation.PSSerializer]::Serialize($InputObject)
        # As a sender without NS_GET_ID (or an older module) sends it: no NsId element.
        if ($WithoutNsId) { $xml = $xml -replace '<U64 N="NsId">\d+</U64>', '' }
        [System.Management.Automation.PSSerializer]::Deserialize($xml)
    }
}

AfterAll {
    Remove-Item $dir -Recurse -Force -ErrorAction Ignore
}

Describe 'A network namespace object whose inode a newer namespace has' -Tag 'Root' {
    BeforeAll {
        $stale = New-StaleNamespace -Type Net
        # The reusing namespace has a process in it, so that listing or entering it would show.
        $holder = Start-NativeProcess ip 'netns', 'exec', $stale.Reuser, 'sleep', '1000'
        # ip netns exec joins the namespace and execs the command in the same process.
        Wait-Condition { (readlink "/proc/$($holder.Id)/ns/net") -eq "net:[$($stale.Inode)]" } -Because 'ip netns exec has joined the namespace'
        $forms = @{
            Live = $stale.Object
            Deserialized = ConvertThrough-Serializer $stale.Object
            Event = [PSNamespaces.NamespaceEvent]::new('Added', $stale.Object, [datetime]::Now, 'Mount', $null, "/run/netns/$($stale.Reuser)")
        }
    }

    AfterAll {
        if ($holder -and -not $holder.HasExited) { $holder.Kill(); $holder.WaitForExit() }
        if ($stale) { Remove-StaleNamespace $stale }
    }

    It 'has the old inode on the newer namespace, as stat shows it' {
        [uint64](stat -L -c '%i' "/run/netns/$($stale.Reuser)") | Should -Be $stale.Object.Inode
        readlink "/proc/$($holder.Id)/ns/net" | Should -Be "net:[$($stale.Object.Inode)]"
    }

    It 'Enter-Namespace refuses it (<Form>) and runs nothing' -TestCases @(@{ Form = 'Live' }, @{ Form = 'Deserialized' }, @{ Form = 'Event' }) {
        $marker = "$dir/entered-$Form"
        $out = $forms[$Form] | Enter-Namespace -FilePath sh -ArgumentList '-c', "touch $marker; readlink /proc/self/ns/net" -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PSNamespaces.Commands.EnterNamespaceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike '*is gone*another*'
        Test-Path $marker | Should -BeFalse
    }

    It 'Enter-Namespace -Namespace refuses it together with a live namespace, and runs nothing' {
        $marker = "$dir/entered-together"
        $uts = Get-Namespace -Pid $holder.Id -Type Uts
        Enter-Namespace -Namespace $stale.Object, $uts -FilePath touch -ArgumentList $marker -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        Test-Path $marker | Should -BeFalse
    }

    It 'Invoke-InNamespace refuses it (<Form>) and does not run the block' -TestCases @(@{ Form = 'Live' }, @{ Form = 'Deserialized' }, @{ Form = 'Event' }) {
        $marker = "$dir/invoked-$Form"
        $out = $forms[$Form] | Invoke-InNamespace { Set-Content $args[0] 1; 'ran' } -ArgumentList $marker -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PSNamespaces.Commands.InvokeInNamespaceCommand'
        Test-Path $marker | Should -BeFalse
    }

    It 'Get-NamespaceProcess -Namespace refuses it (<Form>) and lists none of the newer namespace''s processes' -TestCases @(@{ Form = 'Live' }, @{ Form = 'Deserialized' }, @{ Form = 'Event' }) {
        $out = @($forms[$Form] | Get-NamespaceProcess -ErrorVariable err -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PSNamespaces.Commands.GetNamespaceProcessCommand'
    }
}

Describe 'A PID namespace object whose inode a newer PID namespace has' -Tag 'Root' {
    BeforeAll {
        $stale = New-StaleNamespace -Type Pid
    }

    AfterAll {
        if ($stale) { Remove-StaleNamespace $stale }
    }

    It 'has the old inode on the newer namespace, as readlink shows it' {
        Get-NsInode $stale.Reuser.Pid pid | Should -Be $stale.Object.Inode
    }

    It '<Command> refuses it as -PidNamespace (<Form>)' -TestCases @(
        @{ Command = 'Convert-NamespacePid'; Form = 'Live' }, @{ Command = 'Convert-NamespacePid'; Form = 'Deserialized' }
        @{ Command = 'Get-NamespaceProcess'; Form = 'Live' }, @{ Command = 'Get-NamespaceProcess'; Form = 'Deserialized' }
    ) {
        $pidns = if ($Form -eq 'Live') { $stale.Object } else { ConvertThrough-Serializer $stale.Object }
        $call = if ($Command -eq 'Convert-NamespacePid') { { Convert-NamespacePid -Pid 1 -FromPidNamespace $pidns -ErrorAction Stop } } else { { Get-NamespaceProcess -Pid 1 -PidNamespace $pidns -ErrorAction Stop } }
        $err = $call | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
        $err.Exception.Message | Should -BeLike '*is gone*another*'
    }
}

Describe 'A namespace object without its NsId' -Tag 'Root' {
    BeforeAll {
        $name = "psns-noid-$PID"
        ip netns add $name
        $inode = [uint64](stat -L -c '%i' "/run/netns/$name")
        $live = Get-Namespace -Name $name
        $device = $live.Device
        # A deserialized object (Import-Clixml, remoting) from a sender that had no NsId to give.
        $noId = ConvertThrough-Serializer $live -WithoutNsId
        $forms = @{ Constructed = [PSNamespaces.Namespace]::new('Net', $inode, $device); Deserialized = $noId }
        $pidHolder = Start-TestProcess -Unshare '--pid'
        $pidNoId = ConvertThrough-Serializer (Get-Namespace -Pid $pidHolder.Pid -Type Pid) -WithoutNsId
    }

    AfterAll {
        if ($pidHolder) { Stop-TestProcess $pidHolder }
        if (Test-Path "/run/netns/$name") { ip netns delete $name }
    }

    It 'has no NsId in either form' {
        @($forms.Values) + @($pidNoId) | ForEach-Object { $_.NsId | Should -BeNullOrEmpty }
    }

    It 'is refused with NamespaceIdUnknown by <Command> (<Form>), which says how to name it instead' -TestCases @(
        @{ Command = 'Enter-Namespace'; Form = 'Constructed' }, @{ Command = 'Enter-Namespace'; Form = 'Deserialized' }
        @{ Command = 'Invoke-InNamespace'; Form = 'Constructed' }, @{ Command = 'Invoke-InNamespace'; Form = 'Deserialized' }
        @{ Command = 'Get-NamespaceProcess'; Form = 'Constructed' }, @{ Command = 'Get-NamespaceProcess'; Form = 'Deserialized' }
    ) {
        $marker = "$dir/noid-$Command-$Form"
        $ns = $forms[$Form]
        $out = switch ($Command) {
            'Enter-Namespace' { $ns | Enter-Namespace -FilePath touch -ArgumentList $marker -ErrorVariable err -ErrorAction SilentlyContinue }
            'Invoke-InNamespace' { $ns | Invoke-InNamespace { Set-Content $args[0] 1; 'ran' } -ArgumentList $marker -ErrorVariable err -ErrorAction SilentlyContinue }
            'Get-NamespaceProcess' { $ns | Get-NamespaceProcess -ErrorVariable err -ErrorAction SilentlyContinue }
        }
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceIdUnknown,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike '*no namespace id*Get-Namespace*-Pid*'
        Test-Path $marker | Should -BeFalse
    }

    It 'is refused with NamespaceIdUnknown as -PidNamespace by <Command>' -TestCases @(@{ Command = 'Convert-NamespacePid' }, @{ Command = 'Get-NamespaceProcess' }) {
        $call = if ($Command -eq 'Convert-NamespacePid') { { Convert-NamespacePid -Pid 1 -FromPidNamespace $pidNoId -ErrorAction Stop } } else { { Get-NamespaceProcess -Pid 1 -PidNamespace $pidNoId -ErrorAction Stop } }
        $err = $call | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'NamespaceIdUnknown,*'
    }

    It 'is accepted with its NsId: the same namespace, as readlink shows it' {
        $live | Enter-Namespace -FilePath readlink -ArgumentList /proc/self/ns/net | Should -Be "net:[$inode]"
        $live | Invoke-InNamespace { readlink /proc/self/ns/net } | Should -Be "net:[$inode]"
    }
}

Describe 'Every cmdlet that accepts a namespace object, given one whose inode a newer namespace has' -Tag 'Root', 'Slow' {
    BeforeAll {
        # The parameters that take a namespace object, from the cmdlets' metadata: typed Namespace,
        # or transforming one into what they take (-Inode), or [object] ones named *Namespace (a
        # PID namespace as an object, a PID or a path). ConvertTo-NamespaceGraph and
        # Format-NamespaceTree take any objects to draw (PSObject[]), never reopening a namespace.
        $parameters = foreach ($command in Get-Command -Module PSNamespaces -CommandType Cmdlet) {
            foreach ($parameter in $command.Parameters.Values) {
                $transforms = @($parameter.Attributes | Where-Object { $_.GetType().Name -in 'NamespaceEventTransformationAttribute', 'NamespaceInodeTransformationAttribute' })
                $type = $parameter.ParameterType
                if ($type -in [PSNamespaces.Namespace], [PSNamespaces.Namespace[]] -or $transforms -or ($type -eq [object] -and $parameter.Name -like '*Namespace')) {
                    $byPipeline = [bool]@($parameter.Attributes | Where-Object { $_ -is [Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline })
                    [pscustomobject]@{ Key = "$($command.Name) -$($parameter.Name)"; Pipeline = $byPipeline; Kind = if ($parameter.Name -like '*PidNamespace') { 'Pid' } else { 'Net' } }
                }
            }
        }

        # How each is called: {0} is where the parameter goes ('-Namespace $ns', or nothing when $ns is piped in).
        $calls = @{
            'Enter-Namespace -Namespace'             = 'Enter-Namespace {0} -FilePath touch -ArgumentList $marker'
            'Invoke-InNamespace -Namespace'          = 'Invoke-InNamespace {0} { Set-Content $args[0] 1; "ran" } -ArgumentList $marker'
            'Get-NamespaceProcess -Namespace'        = 'Get-NamespaceProcess {0}'
            'Get-NamespaceProcess -Inode'            = 'Get-NamespaceProcess -Type Net {0}'
            'Get-NamespaceProcess -PidNamespace'     = 'Get-NamespaceProcess -Pid 1 {0}'
            'Convert-NamespacePid -FromPidNamespace' = 'Convert-NamespacePid -Pid 1 {0}'
            'Convert-NamespacePid -ToPidNamespace'   = 'Convert-NamespacePid -Pid $PID {0}'
            'Get-Namespace -Inode'                   = 'Get-Namespace {0}'
            'Get-NamespaceInterface -Namespace'      = 'Get-NamespaceInterface {0}'
        }

        # Namespaces other tests make meanwhile can take the freed inode first: the fixture is tried again then.
        foreach ($kind in 'Net', 'Pid') {
            for ($try = 1; ; $try++) {
                try { Set-Variable "stale$kind" (New-StaleNamespace -Type $kind); break } catch { if ($try -ge 3) { throw } }
            }
        }
        $cases = foreach ($parameter in $parameters) {
            foreach ($form in 'Live', 'Deserialized') {
                foreach ($how in @('Argument') + @(if ($parameter.Pipeline) { 'Pipeline' })) {
                    @{ Parameter = $parameter.Key; Kind = $parameter.Kind; Form = $form; How = $how }
                }
            }
        }
    }

    AfterAll {
        if ($staleNet) { Remove-StaleNamespace $staleNet }
        if ($stalePid) { Remove-StaleNamespace $stalePid }
    }

    It 'finds them from the metadata and knows how to call each' {
        @($parameters.Key) | Should -Contain 'Enter-Namespace -Namespace'
        @($parameters.Key) | Should -Contain 'Convert-NamespacePid -FromPidNamespace'
        foreach ($parameter in $parameters) {
            $calls.ContainsKey($parameter.Key) | Should -BeTrue -Because "$($parameter.Key) takes a namespace object: add how to call it to `$calls"
        }
    }

    It 'refuses it in every form and way it is given, and runs nothing' {
        $failures = foreach ($case in $cases) {
            $stale = if ($case.Kind -eq 'Pid') { $stalePid } else { $staleNet }
            $ns = if ($case.Form -eq 'Live') { $stale.Object } else { ConvertThrough-Serializer $stale.Object }
            $marker = "$dir/stale-matrix-$($case.Parameter -replace '\W', '')-$($case.Form)-$($case.How)"
            $name = ($case.Parameter -split ' ')[1]
            $text = if ($case.How -eq 'Pipeline') { '$ns | ' + $calls[$case.Parameter].Replace('{0}', '') } else { $calls[$case.Parameter].Replace('{0}', "$name `$ns") }
            $callErrors = $null
            $caught = $null
            $out = @(try { . ([scriptblock]::Create($text + ' -ErrorVariable callErrors -ErrorAction SilentlyContinue')) } catch { $caught = $_ })
            # A terminating error reaches -ErrorVariable as the exception that wraps it; the record is the one caught.
            $errors = @(@($caught) + @($callErrors) | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            $label = "$($case.Parameter) ($($case.Form), $($case.How))"
            # Refused: nothing written, one error that says the namespace is gone, nothing run.
            if ($out.Count -ne 0) { "$label wrote $($out.Count) objects: $($out -join ', ')" }
            elseif ($errors.Count -eq 0) { "$label gave no error" }
            elseif ("$($errors[0].Exception.Message) $($errors[0].Exception.InnerException.Message)" -notlike '*is gone*') { "$label gave '$($errors[0].FullyQualifiedErrorId)': $($errors[0].Exception.Message)" }
            elseif (Test-Path $marker) { "$label ran the program" }
        }
        @($failures) | Should -BeNullOrEmpty
        @($cases).Count | Should -BeGreaterThan 10
    }
}
