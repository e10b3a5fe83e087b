using System;
using System.Collections.Generic;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The process connector's and rtnetlink's constants and layouts that Watch-Namespace declares
/// itself (Tmds.LibC has none), checked against linux/connector.h, linux/cn_proc.h and
/// linux/rtnetlink.h by compiling a C program.
/// </summary>
public class ProcConnectorHeaderTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => HeaderConstantsTests.CompileAndRun(Program));

    private const string Program = """
        #include <errno.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <sys/socket.h>
        #include <linux/connector.h>
        #include <linux/cn_proc.h>
        #include <linux/netlink.h>
        #include <linux/rtnetlink.h>
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        int main(void) {
            P("NETLINK_CONNECTOR", NETLINK_CONNECTOR); P("CN_IDX_PROC", CN_IDX_PROC); P("CN_VAL_PROC", CN_VAL_PROC);
            P("PROC_CN_MCAST_LISTEN", PROC_CN_MCAST_LISTEN); P("PROC_CN_MCAST_IGNORE", PROC_CN_MCAST_IGNORE);
            P("PROC_EVENT_NONE", PROC_EVENT_NONE); P("PROC_EVENT_FORK", PROC_EVENT_FORK);
            P("PROC_EVENT_EXEC", PROC_EVENT_EXEC); P("PROC_EVENT_EXIT", PROC_EVENT_EXIT);
            P("NLMSG_DONE", NLMSG_DONE); P("SO_RCVBUFFORCE", SO_RCVBUFFORCE);
            P("RTNLGRP_NSID", RTNLGRP_NSID); P("RTM_NEWNSID", RTM_NEWNSID); P("RTM_DELNSID", RTM_DELNSID);
            P("ENOBUFS", ENOBUFS); P("ECONNREFUSED", ECONNREFUSED);
            P("sizeof_cn_msg", sizeof(struct cn_msg)); P("offsetof_cn_msg_data", offsetof(struct cn_msg, data));
            P("offsetof_cn_msg_seq", offsetof(struct cn_msg, seq)); P("offsetof_cn_msg_ack", offsetof(struct cn_msg, ack));
            P("offsetof_cn_msg_len", offsetof(struct cn_msg, len));
            P("sizeof_mcast_op", sizeof(enum proc_cn_mcast_op));
            P("offsetof_what", offsetof(struct proc_event, what)); P("offsetof_timestamp", offsetof(struct proc_event, timestamp_ns));
            P("offsetof_event_data", offsetof(struct proc_event, event_data));
            P("fork_parent_tgid", offsetof(struct proc_event, event_data.fork.parent_tgid) - offsetof(struct proc_event, event_data));
            P("fork_child_pid", offsetof(struct proc_event, event_data.fork.child_pid) - offsetof(struct proc_event, event_data));
            P("fork_child_tgid", offsetof(struct proc_event, event_data.fork.child_tgid) - offsetof(struct proc_event, event_data));
            P("exec_process_pid", offsetof(struct proc_event, event_data.exec.process_pid) - offsetof(struct proc_event, event_data));
            P("exec_process_tgid", offsetof(struct proc_event, event_data.exec.process_tgid) - offsetof(struct proc_event, event_data));
            P("exit_process_pid", offsetof(struct proc_event, event_data.exit.process_pid) - offsetof(struct proc_event, event_data));
            P("exit_process_tgid", offsetof(struct proc_event, event_data.exit.process_tgid) - offsetof(struct proc_event, event_data));
            P("ack_err", offsetof(struct proc_event, event_data.ack.err) - offsetof(struct proc_event, event_data));
            return 0;
        }
        """;

    private static ulong C(string name) => s_values.Value[name];

    [Fact]
    public void Connector_constants_match_the_headers()
    {
        Assert.Equal(C("NETLINK_CONNECTOR"), (ulong)Sys.NETLINK_CONNECTOR);
        Assert.Equal(C("CN_IDX_PROC"), Sys.CN_IDX_PROC);
        Assert.Equal(C("CN_VAL_PROC"), Sys.CN_VAL_PROC);
        Assert.Equal(C("PROC_CN_MCAST_LISTEN"), (ulong)Sys.PROC_CN_MCAST_LISTEN);
        Assert.Equal(C("PROC_CN_MCAST_IGNORE"), (ulong)Sys.PROC_CN_MCAST_IGNORE);
        Assert.Equal(C("PROC_EVENT_NONE"), Sys.PROC_EVENT_NONE);
        Assert.Equal(C("PROC_EVENT_FORK"), Sys.PROC_EVENT_FORK);
        Assert.Equal(C("PROC_EVENT_EXEC"), Sys.PROC_EVENT_EXEC);
        Assert.Equal(C("PROC_EVENT_EXIT"), Sys.PROC_EVENT_EXIT);
        Assert.Equal(C("NLMSG_DONE"), Sys.NLMSG_DONE);
        Assert.Equal(C("SO_RCVBUFFORCE"), (ulong)Sys.SO_RCVBUFFORCE);
        Assert.Equal(C("ENOBUFS"), (ulong)Sys.ENOBUFS);
        Assert.Equal(C("ECONNREFUSED"), (ulong)Sys.ECONNREFUSED);
    }

    [Fact]
    public void Rtnetlink_nsid_constants_match_the_headers()
    {
        Assert.Equal(C("RTNLGRP_NSID"), (ulong)Sys.RTNLGRP_NSID);
        Assert.Equal(C("RTM_NEWNSID"), Sys.RTM_NEWNSID);
        Assert.Equal(C("RTM_DELNSID"), Sys.RTM_DELNSID);
    }

    [Fact]
    public unsafe void Connector_layouts_match_the_headers()
    {
        Assert.Equal(C("sizeof_cn_msg"), (ulong)sizeof(Sys.cn_msg));
        Assert.Equal(C("offsetof_cn_msg_data"), (ulong)sizeof(Sys.cn_msg));
        Assert.Equal(C("offsetof_cn_msg_seq"), (ulong)8);
        Assert.Equal(C("offsetof_cn_msg_ack"), (ulong)12);
        Assert.Equal(C("offsetof_cn_msg_len"), (ulong)16);
        Assert.Equal(C("sizeof_mcast_op"), (ulong)sizeof(int));
        Assert.Equal((ulong)(sizeof(Sys.nlmsghdr) + sizeof(Sys.cn_msg) + sizeof(int)), (ulong)sizeof(Sys.ProcConnectorRequest));
        Assert.Equal(C("offsetof_what"), 0UL);
        Assert.Equal(C("offsetof_timestamp"), (ulong)8);
        Assert.Equal(C("offsetof_event_data"), (ulong)Sys.ProcEventDataOffset);
        Assert.Equal((ulong)Sys.ProcEventDataOffset, (ulong)sizeof(Sys.proc_event_header));
        Assert.Equal(C("fork_parent_tgid"), (ulong)Sys.ForkParentTgidOffset);
        Assert.Equal(C("fork_child_pid"), (ulong)Sys.ForkChildPidOffset);
        Assert.Equal(C("fork_child_tgid"), (ulong)Sys.ForkChildTgidOffset);
        Assert.Equal(C("exec_process_pid"), (ulong)Sys.ExecProcessPidOffset);
        Assert.Equal(C("exec_process_tgid"), (ulong)Sys.ExecProcessTgidOffset);
        Assert.Equal(C("exit_process_pid"), (ulong)Sys.ExitProcessPidOffset);
        Assert.Equal(C("exit_process_tgid"), (ulong)Sys.ExitProcessTgidOffset);
        Assert.Equal(C("ack_err"), (ulong)Sys.AckErrOffset);
    }
}
