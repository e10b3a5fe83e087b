using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The constants and structures that persistence, loopback and NETNSID declare themselves
/// (Tmds.LibC lacks them), checked against the system's C headers.
/// </summary>
public class PersistenceHeaderTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => HeaderConstantsTests.CompileAndRun(Program));

    private const string Program = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <net/if.h>
        #include <sys/file.h>
        #include <linux/netlink.h>
        #include <linux/rtnetlink.h>
        #include <linux/net_namespace.h>
        #include <linux/openat2.h>
        #include <sys/syscall.h>
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        int main(void) {
            P("LOCK_EX", LOCK_EX); P("LOCK_UN", LOCK_UN);
            P("SYS_openat2", SYS_openat2); P("RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS);
            P("sizeof_open_how", sizeof(struct open_how)); P("offsetof_resolve", offsetof(struct open_how, resolve));
        #ifdef PIDFD_THREAD
            P("PIDFD_THREAD", PIDFD_THREAD);
        #else
            P("PIDFD_THREAD", O_EXCL); /* linux/pidfd.h (6.9+) defines it as O_EXCL */
        #endif
            P("NETLINK_ROUTE", NETLINK_ROUTE); P("NLMSG_ERROR", NLMSG_ERROR);
            P("NLM_F_REQUEST", NLM_F_REQUEST); P("NLM_F_ACK", NLM_F_ACK);
            P("RTM_NEWNSID", RTM_NEWNSID); P("RTM_GETNSID", RTM_GETNSID);
            P("NETNSA_NSID", NETNSA_NSID); P("NETNSA_FD", NETNSA_FD);
            P("NETNSA_NSID_NOT_ASSIGNED", (long long)NETNSA_NSID_NOT_ASSIGNED);
            P("IFNAMSIZ", IFNAMSIZ); P("IFF_UP", IFF_UP); P("ESTALE", ESTALE);
            P("sizeof_sockaddr_nl", sizeof(struct sockaddr_nl)); P("sizeof_nlmsghdr", sizeof(struct nlmsghdr));
            P("sizeof_nlmsgerr", sizeof(struct nlmsgerr)); P("sizeof_rtattr", sizeof(struct rtattr));
            P("sizeof_ifreq", sizeof(struct ifreq)); P("offsetof_ifr_flags", offsetof(struct ifreq, ifr_flags));
            /* A request: the header, struct rtgenmsg padded to 4, then the attributes. */
            P("offsetof_attributes", NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))));
            return 0;
        }
        """;

    private static ulong C(string name) => s_values.Value[name];

    [Fact]
    public void Lock_and_pidfd_constants_match_the_headers()
    {
        Assert.Equal(C("LOCK_EX"), (ulong)Sys.LOCK_EX);
        Assert.Equal(C("LOCK_UN"), (ulong)Sys.LOCK_UN);
        Assert.Equal(C("PIDFD_THREAD"), (ulong)Sys.PIDFD_THREAD);
        Assert.Equal(C("ESTALE"), (ulong)Errno.ESTALE);
        Assert.Equal("ESTALE", Errno.Name(Errno.ESTALE));
    }

    [Fact]
    public void Netlink_constants_match_the_headers()
    {
        Assert.Equal(C("NETLINK_ROUTE"), (ulong)Sys.NETLINK_ROUTE);
        Assert.Equal(C("NLMSG_ERROR"), (ulong)Sys.NLMSG_ERROR);
        Assert.Equal(C("NLM_F_REQUEST"), (ulong)Sys.NLM_F_REQUEST);
        Assert.Equal(C("NLM_F_ACK"), (ulong)Sys.NLM_F_ACK);
        Assert.Equal(C("RTM_NEWNSID"), (ulong)Sys.RTM_NEWNSID);
        Assert.Equal(C("RTM_GETNSID"), (ulong)Sys.RTM_GETNSID);
        Assert.Equal(C("NETNSA_NSID"), (ulong)Sys.NETNSA_NSID);
        Assert.Equal(C("NETNSA_FD"), (ulong)Sys.NETNSA_FD);
        Assert.Equal(C("NETNSA_NSID_NOT_ASSIGNED"), unchecked((ulong)Sys.NETNSA_NSID_NOT_ASSIGNED));
    }

    [Fact]
    public void Openat2_matches_the_headers()
    {
        Assert.Equal(C("SYS_openat2"), (ulong)Sys.SYS_openat2);
        Assert.Equal(C("RESOLVE_NO_SYMLINKS"), Sys.RESOLVE_NO_SYMLINKS);
        Assert.Equal(C("sizeof_open_how"), (ulong)Marshal.SizeOf<Sys.open_how>());
        Assert.Equal(C("offsetof_resolve"), (ulong)Marshal.OffsetOf<Sys.open_how>(nameof(Sys.open_how.resolve)));
    }

    [Fact]
    public void Interface_constants_match_the_headers()
    {
        Assert.Equal(C("IFNAMSIZ"), (ulong)Sys.IFNAMSIZ);
        Assert.Equal(C("IFF_UP"), (ulong)Sys.IFF_UP);
    }

    [Fact]
    public unsafe void Struct_layouts_match_the_headers()
    {
        Assert.Equal(C("sizeof_sockaddr_nl"), (ulong)sizeof(Sys.sockaddr_nl));
        Assert.Equal(C("sizeof_nlmsghdr"), (ulong)sizeof(Sys.nlmsghdr));
        Assert.Equal(C("sizeof_nlmsgerr"), (ulong)sizeof(Sys.nlmsgerr));
        Assert.Equal(C("sizeof_rtattr"), (ulong)sizeof(Sys.rtattr));
        Assert.Equal(C("sizeof_ifreq"), (ulong)sizeof(Sys.ifreq));
        Assert.Equal(C("offsetof_ifr_flags"), (ulong)Marshal.OffsetOf<Sys.ifreq>(nameof(Sys.ifreq.ifr_flags)));
        Assert.Equal(C("offsetof_attributes"), (ulong)Marshal.OffsetOf<Sys.NsidRequest>(nameof(Sys.NsidRequest.fdAttribute)));
    }
}
