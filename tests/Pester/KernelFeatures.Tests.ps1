# Where the kernel lacks an ioctl or a system call (simulated with a seccomp filter: ENOTTY for
# an nsfs ioctl, ENOSYS for a system call), properties become $null and commands keep working.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $NS_GET_NSTYPE = 0xb703
    $SYS_pidfd_open = 434
}

AfterAll {
    Remove-TestBinaries
}

Describe 'Without NS_GET_NSTYPE (Linux before 4.11)' {
    It 'still resolves a named network namespace, to the processes ip netns pids lists' {
        $name = "psns-nonstype-$PID"
        ip netns add $name
        try {
            $p = Start-NativeProcess ip 'netns', 'exec', $name, 'sleep', '1000'
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(5)
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
