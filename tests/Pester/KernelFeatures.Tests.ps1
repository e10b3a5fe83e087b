# Where the kernel lacks an ioctl or a system call (simulated with a seccomp filter: ENOTTY for
# an nsfs ioctl, ENOSYS for a system call), properties become $null and commands keep working.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $NS_GET_NSTYPE = 0xb703
    $NS_GET_ID = 0x8008b70du
    $SYS_pidfd_open = 434
}

AfterAll {
    Remove-TestBinaries
}

Describe 'Without NS_GET_NSTYPE (Linux before 4.11)' -Tag 'Root' {
    It 'still resolves a named network namespace, to the processes ip netns pids lists' {
        $name = "psns-nonstype-$PID"
        ip netns add $name
        try {
            $p = Start-NativeProcess ip 'netns', 'exec', $name, 'sleep', '1000'
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ((Get-Content "/proc/$($p.Id)/comm") -ne 'sleep' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
                $out = @(Invoke-PwshWithoutKernelFeature -Enotty $NS_GET_NSTYPE -Command @"
(Get-NamespaceProcess -Name '$name').Pid -join ','
"@)
                $out[-1] | Should -Be ((ip netns pids $name) -join ',')
            } finally {
                $p.Kill(); $p.WaitForExit()
            }
        } finally {
            ip netns delete $name
        }
    }
}

Describe 'Without NS_GET_ID (Linux before 6.18)' {
    It 'lists namespaces with NsId $null and everything else as usual' {
        $out = @(Invoke-PwshWithoutKernelFeature -Enotty $NS_GET_ID -Command @'
$ns = Get-Namespace -Pid $PID -Type Net
"nsid=[$($ns.NsId)] owner=$($ns.Owner) counted=$($ns.ProcessCount -gt 0) id=$($ns.Id)"
'@)
        $out[-1] | Should -Be "nsid=[] owner=$(Get-NsInode $PID user) counted=True id=$(readlink /proc/$PID/ns/net)"
        # And with the ioctl there, the id is there.
        (Get-Namespace -Pid $PID -Type Net).NsId | Should -BeGreaterThan 0
    }
}

Describe 'The fault injection itself' {
    It 'really makes the ioctl fail with ENOTTY and the system call with ENOSYS' {
        $out = Invoke-PwshWithoutKernelFeature -Enosys $SYS_pidfd_open -Enotty $NS_GET_NSTYPE -Command @'
Add-Type -Namespace PsnsProbe -Name Libc -MemberDefinition @"
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern long syscall(long n, long a, long b);
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int ioctl(int fd, ulong request);
[System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int open(string path, int flags);
"@
[void][PsnsProbe.Libc]::syscall(434, $PID, 0); "pidfd_open=$([System.Runtime.InteropServices.Marshal]::GetLastPInvokeError())"
$fd = [PsnsProbe.Libc]::open('/proc/self/ns/net', 0x80000)
[void][PsnsProbe.Libc]::ioctl($fd, 0xb703); "ioctl=$([System.Runtime.InteropServices.Marshal]::GetLastPInvokeError())"
'@
        $out | Should -Contain 'pidfd_open=38'
        $out | Should -Contain 'ioctl=25'
    }
}
