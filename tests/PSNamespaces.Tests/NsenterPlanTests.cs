using System;
using PSNamespaces.Core.Plans;
using Xunit;
using static PSNamespaces.Tests.UnsharePlanTests;

namespace PSNamespaces.Tests;

/// <summary>
/// Enter-Namespace's options (nsenter(1) and ip netns exec), each set turned into the exact argv
/// of the exec helper. The target is given as values — PID, kinds, inodes, the numbers of pwsh's
/// descriptors — as a resolved NamespaceTarget gives them. Kernel numbers as in
/// <see cref="UnsharePlanTests"/>; O_RDONLY|O_DIRECTORY is 65536 and O_WRONLY 1 (x86-64 fcntl.h).
/// </summary>
public class NsenterPlanTests
{
    private const int Pwsh = 4242;
    private static readonly LaunchCaller s_root = new(Pwsh, 0, 0, "/home/u");
    private static readonly LaunchCaller s_user = new(Pwsh, 1000, 1000, "/home/u");

    private static readonly JoinNamespace s_net = new(NamespaceType.Net, 4, 4026532001, 20);
    private static readonly JoinNamespace s_uts = new(NamespaceType.Uts, 4, 4026532002, 21);
    private static readonly JoinNamespace s_user_ns = new(NamespaceType.User, 4, 4026532003, 22);
    private static readonly JoinNamespace s_pid = new(NamespaceType.Pid, 4, 4026532004, 23);

    private static JoinTarget Pinned(params JoinNamespace[] namespaces) => new(77, true, namespaces);

    private static JoinTarget Descriptors(params JoinNamespace[] namespaces) => new(null, false, namespaces);

    private static LaunchPlan Plan(NsenterOptions options, LaunchCaller? caller = null, NsenterFacts? facts = null) =>
        NsenterPlan.Build(options, caller ?? s_root, facts ?? new NsenterFacts());

    private static NsenterOptions Options(JoinTarget target) => new() { Target = target, FilePath = "true" };

    [Fact]
    public void A_pinned_process_is_pinned_again_by_the_helper_checked_and_joined_with_one_setns()
    {
        LaunchPlan plan = Plan(Options(Pinned(s_net, s_uts)));
        // setns(pidfd, CLONE_NEWNET|CLONE_NEWUTS)
        AssertArgv("chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/net 4 4026532001 nsfd 2 /proc/77/ns/uts 4 4026532002 alive 0 nodump setns 0 1140850688 exec true 1 true", plan);
        Assert.Equal("nsexec: chdir /home/u; pidfd 77; open /proc/77/ns/net = net:[4026532001]; open /proc/77/ns/uts = uts:[4026532002]; check 77 alive; nodump; setns 77 net,uts; exec true", plan.ToString());
    }

    [Fact]
    public void Descriptors_are_reopened_through_pwshs_fd_directory_and_joined_in_nsenters_order()
    {
        // nsenter's order: uts before net, whatever order they were given in.
        AssertArgv("chdir /home/u nsfd 0 /proc/4242/fd/20 4 4026532001 nsfd 1 /proc/4242/fd/21 4 4026532002 nodump setns 1 67108864 setns 0 1073741824 exec true 1 true",
            Plan(Options(Descriptors(s_net, s_uts))));
    }

    [Fact]
    public void Root_joins_the_user_namespace_last_and_an_ordinary_user_first()
    {
        string open = "nsfd 0 /proc/4242/fd/22 4 4026532003 nsfd 1 /proc/4242/fd/20 4 4026532001 nodump";
        // Entering a user namespace sets uid and gid 0; without a process its setgroups cannot be read, so groups stay.
        AssertArgv($"chdir /home/u {open} setns 1 1073741824 setns 0 268435456 setgid 0 setuid 0 exec true 1 true",
            Plan(Options(Descriptors(s_user_ns, s_net)), s_root));
        AssertArgv($"chdir /home/u {open} setns 0 268435456 setns 1 1073741824 setgid 0 setuid 0 exec true 1 true",
            Plan(Options(Descriptors(s_user_ns, s_net)), s_user));
    }

    [Theory]
    [InlineData(true, false, "setgroups setgid 0 setuid 0")]
    // A user namespace whose setgroups is "deny" refuses setgroups(2) for good: the groups stay.
    [InlineData(false, false, "setgid 0 setuid 0")]
    // nsenter --preserve-credentials: nothing changes.
    [InlineData(true, true, "")]
    public void Entering_a_user_namespace_sets_root_credentials_unless_preserved(bool setgroupsAllowed, bool preserve, string credentials)
    {
        LaunchPlan plan = Plan(new NsenterOptions { Target = Pinned(s_user_ns), FilePath = "true", PreserveCredentials = preserve },
            s_root, new NsenterFacts { TargetSetgroupsAllowed = setgroupsAllowed });
        string tail = credentials.Length == 0 ? "" : credentials + " ";
        AssertArgv($"chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/user 4 4026532003 alive 0 nodump setns 0 268435456 {tail}exec true 1 true", plan);
    }

    [Fact]
    public void UserId_and_GroupId_are_set_after_dropping_the_groups()
    {
        AssertArgv("chdir /home/u nsfd 0 /proc/4242/fd/20 4 4026532001 nodump setns 0 1073741824 setgroups setgid 100 setuid 1000 exec true 1 true",
            Plan(new NsenterOptions { Target = Descriptors(s_net), FilePath = "true", UserId = 1000, GroupId = 100 }));
        AssertArgv("chdir /home/u nsfd 0 /proc/4242/fd/22 4 4026532003 nodump setns 0 268435456 setgid 0 setuid 1000 exec true 1 true",
            Plan(new NsenterOptions { Target = Descriptors(s_user_ns), FilePath = "true", UserId = 1000 }));
    }

    [Fact]
    public void Follow_takes_the_owner_of_proc_PID_opened_before_the_process_is_checked_alive()
    {
        LaunchPlan plan = Plan(new NsenterOptions { Target = Pinned(s_net), FilePath = "true", FollowUserId = true, FollowGroupId = true });
        AssertArgv("chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/net 4 4026532001 open 2 65536 /proc/77 alive 0 nodump setns 0 1073741824 setgroups setgid-owner 2 setuid-owner 2 exec true 1 true", plan);
    }

    [Fact]
    public void The_target_environment_is_read_from_proc_PID_environ_opened_in_pwshs_namespaces()
    {
        AssertArgv("chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/net 4 4026532001 open 2 0 /proc/77/environ alive 0 nodump setns 0 1073741824 environ 2 exec true 1 true",
            Plan(new NsenterOptions { Target = Pinned(s_net), FilePath = "true", TargetEnvironment = true }));
    }

    [Fact]
    public void Cgroups_are_joined_before_any_namespace()
    {
        AssertArgv("chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/net 4 4026532001 alive 0 open 2 1 /sys/fs/cgroup/a/cgroup.procs write 2 0 nodump setns 0 1073741824 exec true 1 true",
            Plan(new NsenterOptions { Target = Pinned(s_net), FilePath = "true", CgroupProcsFiles = new[] { "/sys/fs/cgroup/a/cgroup.procs" } }));
    }

    [Fact]
    public void A_pid_namespace_makes_the_program_a_child_and_Root_and_WorkingDirectory_follow()
    {
        LaunchPlan plan = Plan(new NsenterOptions { Target = Pinned(s_pid), FilePath = "true", Root = "/r", WorkingDirectory = "/w", ReadNamespaces = true });
        AssertArgv("chdir /home/u pidfd 0 77 nsfd 1 /proc/77/ns/pid 4 4026532004 alive 0 nodump setns 0 536870912 fork chroot /r chdir /w sync exec true 1 true", plan);
        Assert.Equal(SyncWork.ReadNamespaces, plan.Steps[^2].Sync);
    }

    [Fact]
    public void A_target_sharing_every_namespace_joins_nothing()
    {
        AssertArgv("chdir /home/u pidfd 0 77 alive 0 exec true 1 true", Plan(Options(Pinned())));
        AssertArgv("chdir /home/u exec true 1 true", Plan(Options(Descriptors())));
    }

    [Theory]
    // /sys a mount of its own: unmounted, then a fresh sysfs of the joined network namespace.
    [InlineData(true, false, "umount /sys mount sysfs /sys 0")]
    [InlineData(true, true, "umount /sys mount sysfs /sys 0")]
    // No mount point: the sysfs goes over what holds /sys, read-only if that is (MOUNT_ATTR_RDONLY 1).
    [InlineData(false, true, "mount sysfs /sys 1")]
    [InlineData(false, false, "mount sysfs /sys 0")]
    public void Netns_exec_makes_a_slave_mount_namespace_with_a_fresh_sys_and_the_etc_binds(bool sysMounted, bool sysReadOnly, string sys)
    {
        var facts = new NsenterFacts
        {
            EtcBinds = new[] { new EtcBind("/etc/netns/blue/resolv.conf", "/run/resolv.conf"), new EtcBind("/etc/netns/blue/hosts", "/etc/hosts") },
            SysIsMounted = sysMounted,
            SysReadOnly = sysReadOnly,
        };
        LaunchPlan plan = Plan(new NsenterOptions { Target = Descriptors(s_net), FilePath = "ip", ArgumentList = new[] { "link" }, NetnsName = "blue" }, s_root, facts);
        AssertArgv($"chdir /home/u nsfd 0 /proc/4242/fd/20 4 4026532001 nodump setns 0 1073741824 unshare 131072 propagation / 524288 {sys} " +
                   "bind /etc/netns/blue/resolv.conf /run/resolv.conf bind /etc/netns/blue/hosts /etc/hosts exec ip 2 ip link", plan);
    }

    [Fact]
    public void Following_without_a_process_is_a_bug_of_the_caller()
    {
        Assert.Throws<ArgumentException>(() => Plan(new NsenterOptions { Target = Descriptors(s_net), FilePath = "true", FollowUserId = true }));
    }
}
