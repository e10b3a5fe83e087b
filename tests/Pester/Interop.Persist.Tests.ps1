# The constants and structures the persistence code declares itself (Tmds.LibC lacks them),
# checked against the system's C headers by compiling a program that prints them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PSNamespaces
    $assembly = (Get-Module PSNamespaces).ImplementingAssembly
    $sys = $assembly.GetType('PSNamespaces.Interop.Sys', $true)
    $errno = $assembly.GetType('PSNamespaces.Interop.Errno', $true)
    $source = @'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/net_namespace.h>
#define P(name, value) printf("%s %ld\n", name, (long)(value))
int main(void) {
    P("LOCK_EX", LOCK_EX); P("LOCK_UN", LOCK_UN);
    P("SYS_pidfd_open", SYS_pidfd_open);
#ifdef PIDFD_THREAD
    P("PIDFD_THREAD", PIDFD_THREAD);
#else
    P("PIDFD_THREAD", O_EXCL); /* linux/pidfd.h: #define PIDFD_THREAD O_EXCL (headers older than 6.9 lack it) */
#endif
    P("NETLINK_ROUTE", NETLINK_ROUTE); P("NLMSG_ERROR", NLMSG_ERROR);
    P("NLM_F_REQUEST", NLM_F_REQUEST); P("NLM_F_ACK", NLM_F_ACK);
    P("RTM_NEWNSID", RTM_NEWNSID); P("RTM_GETNSID", RTM_GETNSID);
    P("NETNSA_NSID", NETNSA_NSID); P("NETNSA_FD", NETNSA_FD);
    P("NETNSA_NSID_NOT_ASSIGNED", NETNSA_NSID_NOT_ASSIGNED);
    P("IFNAMSIZ", IFNAMSIZ); P("IFF_UP", IFF_UP);
    P("ESTALE", ESTALE);
    P("sizeof sockaddr_nl", sizeof(struct sockaddr_nl));
    P("sizeof nlmsghdr", sizeof(struct nlmsghdr));
    P("sizeof nlmsgerr", sizeof(struct nlmsgerr));
    P("sizeof rtattr", sizeof(struct rtattr));
    P("sizeof ifreq", sizeof(struct ifreq));
    P("offsetof ifreq.ifr_flags", offsetof(struct ifreq, ifr_flags));
    /* A request: header, rtgenmsg padded to 4, then attributes. */
    P("offsetof request.attributes", NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))));
    return 0;
}
'@
    $work = Join-Path ([IO.Path]::GetTempPath()) "psns-i4-interop-$PID"
    $null = New-Item -ItemType Directory $work -Force
    Set-Content "$work/constants.c" $source
    cc -o "$work/constants" "$work/constants.c"
    if ($LASTEXITCODE -ne 0) { throw 'cc failed on the constants program' }
    $expected = @{}
    foreach ($line in & "$work/constants") {
        $name, $value = $line -split ' (?=-?\d+$)'
        $expected[$name] = [long]$value
    }
    function Get-Constant([type] $Type, [string] $Name) {
        [long]$Type.GetField($Name, [Reflection.BindingFlags]'NonPublic,Static').GetValue($null)
    }
    function Get-Struct([string] $Name) { $sys.GetNestedType($Name, [Reflection.BindingFlags]'NonPublic') }
}

AfterAll {
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Interop declarations match the C headers' {
    It '<Name> is the headers'' value' -TestCases @(
        'LOCK_EX', 'LOCK_UN', 'SYS_pidfd_open', 'PIDFD_THREAD', 'NETLINK_ROUTE', 'NLMSG_ERROR', 'NLM_F_REQUEST', 'NLM_F_ACK',
        'RTM_NEWNSID', 'RTM_GETNSID', 'NETNSA_NSID', 'NETNSA_FD', 'NETNSA_NSID_NOT_ASSIGNED', 'IFNAMSIZ', 'IFF_UP' |
            ForEach-Object { @{ Name = $_ } }
    ) {
        Get-Constant $sys $Name | Should -Be $expected[$Name]
    }

    It 'ESTALE is the headers'' value' {
        Get-Constant $errno 'ESTALE' | Should -Be $expected['ESTALE']
    }

    It 'struct <Name> has the headers'' size' -TestCases @(
        'sockaddr_nl', 'nlmsghdr', 'nlmsgerr', 'rtattr', 'ifreq' | ForEach-Object { @{ Name = $_ } }
    ) {
        # SizeOf(object): a boxed default instance, since PowerShell will not pick the SizeOf(Type) overload.
        [Runtime.InteropServices.Marshal]::SizeOf([Activator]::CreateInstance((Get-Struct $Name))) | Should -Be $expected["sizeof $Name"]
    }

    It 'ifr_flags is where the headers put it' {
        [long][Runtime.InteropServices.Marshal]::OffsetOf((Get-Struct 'ifreq'), 'ifr_flags') | Should -Be $expected['offsetof ifreq.ifr_flags']
    }

    It 'an NSID request has its attributes where iproute2 puts them' {
        [long][Runtime.InteropServices.Marshal]::OffsetOf((Get-Struct 'NsidRequest'), 'fdAttribute') | Should -Be $expected['offsetof request.attributes']
    }
}
