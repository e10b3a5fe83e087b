using System;
using System.Collections.Generic;
using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The PID-translation ioctls (Linux 6.11+), checked against linux/nsfs.h where the header has
/// them, and otherwise against the header's own _IOR and NSIO (as NS_GET_ID is). The Pester
/// suite checks them by behaviour against NSpid lines read inside each namespace.
/// </summary>
public class PidNamespaceIoctlHeaderTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => HeaderConstantsTests.CompileAndRun(Program));

    private const string Program = """
        #include <stdio.h>
        #include <linux/nsfs.h>
        #ifndef NS_GET_PID_FROM_PIDNS
        #define NS_GET_PID_FROM_PIDNS _IOR(NSIO, 0x6, int)
        #define NS_GET_TGID_FROM_PIDNS _IOR(NSIO, 0x7, int)
        #define NS_GET_PID_IN_PIDNS _IOR(NSIO, 0x8, int)
        #define NS_GET_TGID_IN_PIDNS _IOR(NSIO, 0x9, int)
        #define FROM_HEADER 0
        #else
        #define FROM_HEADER 1
        #endif
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        int main(void) {
            P("NS_GET_PID_FROM_PIDNS", NS_GET_PID_FROM_PIDNS); P("NS_GET_TGID_FROM_PIDNS", NS_GET_TGID_FROM_PIDNS);
            P("NS_GET_PID_IN_PIDNS", NS_GET_PID_IN_PIDNS); P("NS_GET_TGID_IN_PIDNS", NS_GET_TGID_IN_PIDNS);
            P("FROM_HEADER", FROM_HEADER);
            return 0;
        }
        """;

    [Theory]
    [InlineData("NS_GET_PID_FROM_PIDNS", PidNamespaceIoctl.NS_GET_PID_FROM_PIDNS)]
    [InlineData("NS_GET_TGID_FROM_PIDNS", PidNamespaceIoctl.NS_GET_TGID_FROM_PIDNS)]
    [InlineData("NS_GET_PID_IN_PIDNS", PidNamespaceIoctl.NS_GET_PID_IN_PIDNS)]
    [InlineData("NS_GET_TGID_IN_PIDNS", PidNamespaceIoctl.NS_GET_TGID_IN_PIDNS)]
    public void Translation_requests_match_the_header(string name, int request) =>
        Assert.Equal(s_values.Value[name], (ulong)(uint)request);
}
