# Where the kernel lacks an ioctl or a system call (simulated with a seccomp filter: ENOTTY for
# an nsfs ioctl, ENOSYS for a system call), properties become $null and commands keep working.
# Where the kernel has NS_GET_ID and it fails anyway, a namespace object is not accepted.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $NS_GET_NSTYPE = 0xb703
    $NS_GET_ID = 0x8008b70du
    $SYS_pidfd_open = 434
    # Run in a child pwsh: from then on ioctl(fd, REQUEST) fails with ERRNO in every thread of
    # it (a seccomp filter, SECCOMP_FILTER_FLAG_TSYNC), for errnos without-syscalls cannot give.
    $failIoctl = @'
Add-Type -TypeDefinition @"
using System;
using System.Runtime.InteropServices;
public static class PsnsFailIoctl
{
    [DllImport("libc", SetLastError = true)] private static extern long syscall(long nr, long op, long flags, IntPtr prog);
    [DllImport("libc", SetLastError = true)] private static extern int ioctl(int fd, uint request, out ulong value);
    [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags);
    private static ulong Stmt(ushort code, uint k) { return code | ((ulong)k << 32); }
    private static ulong Jeq(uint k, byte jt, byte jf) { return 0x15 | ((ulong)jt << 16) | ((ulong)jf << 24) | ((ulong)k << 32); }
    public static int Install(uint request, int errno)
    {
        bool arm = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
        ulong[] filter = {
            Stmt(0x20, 0),                          // load seccomp_data.nr
            Jeq(arm ? 29u : 16u, 0, 3),             // ioctl?
            Stmt(0x20, 24),                         // load the low half of args[1], the request
            Jeq(request, 0, 1),
            Stmt(0x06, 0x00050000u | (uint)errno),  // SECCOMP_RET_ERRNO
            Stmt(0x06, 0x7fff0000u),                // SECCOMP_RET_ALLOW
        };
        GCHandle pinned = GCHandle.Alloc(filter, GCHandleType.Pinned);
        IntPtr prog = Marshal.AllocHGlobal(16);
        try
        {
            Marshal.WriteInt64(prog, 0, filter.Length);
            Marshal.WriteIntPtr(prog, 8, pinned.AddrOfPinnedObject());
            // seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, prog)
            return syscall(arm ? 277 : 317, 1, 1, prog) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            Marshal.FreeHGlobal(prog);
            pinned.Free();
        }
    }
    public static int Errno(uint request)
    {
        ulong value;
        return ioctl(open("/proc/self/ns/net", 0x80000), request, out value) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
"@
'@
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

Describe 'NS_GET_ID failing on a kernel that has it' -Tag 'Root', 'Slow' {
    # ENOTTY and EINVAL are how a kernel (or a sandbox) says it has no such ioctl: the inode is
    # then all there is, as before Linux 6.18. Any other errno tells nothing of the namespace.
    It 'with NS_GET_ID failing with <Name>, <Outcome> a namespace object' -TestCases @(
        @{ Name = 'EIO'; Errno = 5; Refused = $true; Outcome = 'refuses' }
        @{ Name = 'EPERM'; Errno = 1; Refused = $true; Outcome = 'refuses' }
        @{ Name = 'ENOTTY'; Errno = 25; Refused = $false; Outcome = 'accepts by its inode' }
        @{ Name = 'EINVAL'; Errno = 22; Refused = $false; Outcome = 'accepts by its inode' }
    ) {
        $out = @(Invoke-PwshWithoutKernelFeature -Command @"
$failIoctl
`$ns = Get-Namespace -Pid `$PID -Type Net
"install=`$([PsnsFailIoctl]::Install($NS_GET_ID, $Errno)) ioctl=`$([PsnsFailIoctl]::Errno($NS_GET_ID))"
`$listed = @(`$ns | Get-NamespaceProcess -ErrorVariable err -ErrorAction SilentlyContinue)
"listed=`$(`$listed.Pid -contains `$PID) error=`$(`$err[0].FullyQualifiedErrorId)|`$(`$err[0].TargetObject.Id)"
"@)
        $out | Should -Contain "install=0 ioctl=$Errno"
        $id = readlink /proc/$PID/ns/net
        if ($Refused) {
            $out[-1] | Should -Be "listed=False error=ioctl(NS_GET_ID),$Name,PSNamespaces.Commands.GetNamespaceProcessCommand|$id"
        } else {
            $out[-1] | Should -Be "listed=True error=|"
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
