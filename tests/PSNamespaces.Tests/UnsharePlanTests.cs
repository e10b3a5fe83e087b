using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSNamespaces.Core.Plans;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// New-Namespace -FilePath's options, each set turned into the exact argv of the exec helper (and
/// what pwsh writes at the sync step). The numbers are the kernel's: CLONE_NEWNS 131072,
/// CLONE_NEWCGROUP 33554432, CLONE_NEWUTS 67108864, CLONE_NEWIPC 134217728, CLONE_NEWUSER
/// 268435456, CLONE_NEWPID 536870912, CLONE_NEWNET 1073741824, CLONE_NEWTIME 128 (sched.h);
/// MS_PRIVATE 262144, MS_SLAVE 524288, MS_SHARED 1048576 (mount.h); MOUNT_ATTR_NOSUID|NODEV|NOEXEC
/// 14 (linux/mount.h); SIGKILL 9, SIGTERM 15. The order of the steps is unshare(1)'s.
/// </summary>
public class UnsharePlanTests
{
    private static readonly LaunchCaller s_root = new(4242, 0, 0, "/home/u");
    private static readonly LaunchCaller s_user = new(4242, 1000, 1001, "/home/u");

    internal static LaunchPlan Plan(UnshareOptions options, LaunchCaller? caller = null) =>
        UnsharePlan.Build(UnsharePolicy.Resolve(options, caller ?? s_root));

    private static UnshareOptions Options(params NamespaceType[] types) => new() { Types = types, FilePath = "true" };

    /// <summary>The argv after "nsexec", written as words separated by single spaces.</summary>
    internal static void AssertArgv(string expected, LaunchPlan plan) =>
        Assert.Equal(expected.Split(' '), plan.Arguments.ToArray());

    private static IEnumerable<(string, string)> Writes(LaunchPlan plan) =>
        plan.Steps.Single(s => s.Sync == SyncWork.WriteProcFiles).Writes!.Select(w => (w.Name, w.Text));

    [Theory]
    [InlineData(NamespaceType.Cgroup, "unshare 33554432")]
    [InlineData(NamespaceType.Ipc, "unshare 134217728")]
    [InlineData(NamespaceType.Uts, "unshare 67108864")]
    [InlineData(NamespaceType.Net, "unshare 1073741824")]
    [InlineData(NamespaceType.User, "unshare 268435456")]
    // A new mount namespace is made recursively private, as unshare(1) does by default.
    [InlineData(NamespaceType.Mount, "unshare 131072 propagation / 262144")]
    // PID and time namespaces apply to children only: the program is forked.
    [InlineData(NamespaceType.Pid, "unshare 536870912 fork")]
    [InlineData(NamespaceType.Time, "unshare 128 fork")]
    public void Each_type_alone(NamespaceType type, string steps) =>
        AssertArgv($"chdir /home/u {steps} exec true 1 true", Plan(Options(type)));

    [Fact]
    public void Several_types_are_unshared_in_one_call_and_shown_by_their_proc_names()
    {
        LaunchPlan plan = Plan(Options(NamespaceType.Net, NamespaceType.Pid, NamespaceType.Mount, NamespaceType.Uts));
        // 131072 + 67108864 + 536870912 + 1073741824
        AssertArgv("chdir /home/u unshare 1677852672 fork propagation / 262144 exec true 1 true", plan);
        Assert.Equal("nsexec: chdir /home/u; unshare mnt,net,pid,uts; fork; propagation / private; exec true", plan.ToString());
    }

    [Fact]
    public void The_program_gets_its_arguments_as_given_with_argv0_the_program()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Uts }, FilePath = "sh", ArgumentList = new[] { "-c", "echo a b", "" } });
        Assert.Equal(new[] { "chdir", "/home/u", "unshare", "67108864", "exec", "sh", "4", "sh", "-c", "echo a b", "" }, plan.Arguments);
        Assert.EndsWith("; exec sh -c 'echo a b' ''", plan.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.txt", "'*.txt'")]
    [InlineData("a[1]", "'a[1]'")]
    [InlineData("x>y", "'x>y'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("~/f", "'~/f'")]
    [InlineData("/a-b_c.d:e=f,g@h%i+j", "/a-b_c.d:e=f,g@h%i+j")]
    public void The_verbose_line_quotes_every_word_a_shell_would_read_otherwise(string argument, string shown)
    {
        // Pasted into sh, the quoted word must be the argument that ran, not a glob, redirection or ~.
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Uts }, FilePath = "ls", ArgumentList = new[] { argument } });
        Assert.EndsWith("; exec ls " + shown, plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MapRootUser_maps_the_effective_ids_to_root_with_setgroups_denied_first_and_implies_a_user_namespace()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Net }, FilePath = "true", MapRootUser = true }, s_user);
        AssertArgv("chdir /home/u unshare 1342177280 sync exec true 1 true", plan);
        Assert.Equal(new[] { ("setgroups", "deny"), ("uid_map", "0 1000 1\n"), ("gid_map", "0 1001 1\n") }, Writes(plan));
    }

    [Fact]
    public void MapCurrentUser_maps_the_effective_ids_to_themselves()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = Array.Empty<NamespaceType>(), FilePath = "true", MapCurrentUser = true }, s_user);
        AssertArgv("chdir /home/u unshare 268435456 sync exec true 1 true", plan);
        Assert.Equal(new[] { ("setgroups", "deny"), ("uid_map", "1000 1000 1\n"), ("gid_map", "1001 1001 1\n") }, Writes(plan));
    }

    [Fact]
    public void MapUser_and_MapGroup_map_one_id_each_and_a_gid_map_denies_setgroups_unless_allowed()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.User }, FilePath = "true", MapUser = 0, MapGroup = 5 }, s_user);
        Assert.Equal(new[] { ("setgroups", "deny"), ("uid_map", "0 1000 1\n"), ("gid_map", "5 1001 1\n") }, Writes(plan));

        plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.User }, FilePath = "true", MapGroup = 5, SetGroups = SetGroupsMode.Allow }, s_user);
        Assert.Equal(new[] { ("setgroups", "allow"), ("gid_map", "5 1001 1\n") }, Writes(plan));

        plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.User }, FilePath = "true", MapUser = 7 }, s_user);
        Assert.Equal(new[] { ("uid_map", "7 1000 1\n") }, Writes(plan));
    }

    [Fact]
    public void Map_ranges_are_written_as_given_in_the_order_of_the_map_file()
    {
        LaunchPlan plan = Plan(new UnshareOptions
        {
            Types = Array.Empty<NamespaceType>(),
            FilePath = "true",
            UidMap = new[] { "0:100000:65536", "65536 200000 10" },
            GidMap = new[] { "0:100000:65536" },
        });
        AssertArgv("chdir /home/u unshare 268435456 sync exec true 1 true", plan);
        Assert.Equal(new[] { ("uid_map", "0 100000 65536\n65536 200000 10\n"), ("gid_map", "0 100000 65536\n") }, Writes(plan));
    }

    [Theory]
    [InlineData(true, false, 5u, null, "ConflictingIdMaps")]
    [InlineData(false, true, null, 5u, "ConflictingIdMaps")]
    [InlineData(false, false, null, null, "NoNamespaceType")]
    public void Contradicting_or_missing_options_are_refused_with_their_id(bool mapRoot, bool mapCurrent, uint? mapUser, uint? mapGroup, string id)
    {
        var ex = Assert.Throws<LaunchOptionException>(() => Plan(new UnshareOptions
        {
            Types = Array.Empty<NamespaceType>(),
            FilePath = "true",
            MapRootUser = mapRoot,
            MapCurrentUser = mapCurrent,
            MapUser = mapUser,
            MapGroup = mapGroup,
        }));
        Assert.Equal(id, ex.ErrorId);
        Assert.Equal("true", ex.Target);
    }

    [Theory]
    [InlineData("x y z")]
    [InlineData("0:0:0")]
    public void A_malformed_range_is_refused(string range)
    {
        var ex = Assert.Throws<LaunchOptionException>(() => Plan(new UnshareOptions { Types = new[] { NamespaceType.User }, FilePath = "true", UidMap = new[] { range } }));
        Assert.Equal("InvalidIdMap", ex.ErrorId);
    }

    [Fact]
    public void MapAuto_maps_the_users_first_subordinate_ranges_from_id_0()
    {
        string dir = Directory.CreateTempSubdirectory("psns-subids-").FullName;
        try
        {
            // A uid no user has: the files name it by number, as /etc/subuid may.
            File.WriteAllText(Path.Combine(dir, "subuid"), "4000007:100000:65536\n4000007:500000:10\n");
            File.WriteAllText(Path.Combine(dir, "subgid"), "other:1:2\n4000007:300000:65536\n");
            var caller = new LaunchCaller(4242, 4000007, 4000007, "/home/u");
            UnshareOptions Auto(bool all, string? uid, string? gid) => new()
            {
                Types = new[] { NamespaceType.Net },
                FilePath = "true",
                MapAuto = all,
                UidMap = uid is null ? null : new[] { uid },
                GidMap = gid is null ? null : new[] { gid },
                SubuidPath = Path.Combine(dir, "subuid"),
                SubgidPath = Path.Combine(dir, "subgid"),
            };

            LaunchPlan plan = Plan(Auto(true, null, null), caller);
            AssertArgv("chdir /home/u unshare 1342177280 sync exec true 1 true", plan);
            Assert.Equal(new[] { ("uid_map", "0 100000 65536\n"), ("gid_map", "0 300000 65536\n") }, Writes(plan));

            Assert.Equal(new[] { ("uid_map", "0 100000 65536\n") }, Writes(Plan(Auto(false, "auto", null), caller)));
            Assert.Equal(new[] { ("gid_map", "0 300000 65536\n") }, Writes(Plan(Auto(false, null, "AUTO"), caller)));

            var missing = Assert.Throws<LaunchOptionException>(() => Plan(Auto(true, null, null), caller with { Euid = 4000008 }));
            Assert.Equal("NoSubordinateIds", missing.ErrorId);
            Assert.Equal(LaunchOptionProblem.NotFound, missing.Problem);
            Assert.Equal(Path.Combine(dir, "subuid"), missing.Target);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MountProc_implies_a_mount_namespace_and_mounts_proc_after_the_fork()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Pid }, FilePath = "true", MountProc = true });
        AssertArgv("chdir /home/u unshare 537001984 fork propagation / 262144 mount proc /proc 14 exec true 1 true", plan);
        Assert.True(plan.Steps.Single(s => s.Keyword == "mount").AfterFork);
    }

    [Theory]
    [InlineData(MountPropagation.Private, "propagation / 262144 mount proc /proc 14")]
    // A propagating /proc would carry the fresh proc back into the original namespace: made private first.
    [InlineData(MountPropagation.Shared, "propagation / 1048576 propagation /proc 262144 mount proc /proc 14")]
    [InlineData(MountPropagation.Slave, "propagation / 524288 propagation /proc 262144 mount proc /proc 14")]
    [InlineData(MountPropagation.Unchanged, "propagation /proc 262144 mount proc /proc 14")]
    public void Propagation_is_set_on_the_new_mount_namespace(MountPropagation propagation, string steps)
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Mount, NamespaceType.Pid }, FilePath = "true", MountProc = true, Propagation = propagation });
        AssertArgv($"chdir /home/u unshare 537001984 fork {steps} exec true 1 true", plan);
    }

    [Fact]
    public void Root_and_WorkingDirectory_come_after_propagation_and_before_proc()
    {
        LaunchPlan plan = Plan(new UnshareOptions
        {
            Types = new[] { NamespaceType.Mount, NamespaceType.Pid },
            FilePath = "true",
            Root = "/srv/root",
            WorkingDirectory = "/work",
            MountProc = true,
        });
        // With a new root, its /proc is not the original's: no extra propagation step.
        AssertArgv("chdir /home/u unshare 537001984 fork propagation / 262144 chroot /srv/root chdir /work mount proc /proc 14 exec true 1 true", plan);
    }

    [Theory]
    // With a fork, the helper dies with pwsh (its pdeathsig checks pwsh is still its parent) and the
    // program with the helper; the program's signal is armed last, after any credential change.
    [InlineData(NamespaceType.Pid, true, null, "pdeathsig 9 4242 unshare 536870912 fork pdeathsig 9 0")]
    [InlineData(NamespaceType.Pid, false, "TERM", "pdeathsig 9 4242 unshare 536870912 fork pdeathsig 15 0")]
    // Without one, the program is the helper, whose parent is pwsh.
    [InlineData(NamespaceType.Net, true, null, "unshare 1073741824 pdeathsig 9 4242")]
    [InlineData(NamespaceType.Net, false, "SIGTERM", "unshare 1073741824 pdeathsig 15 4242")]
    [InlineData(NamespaceType.Net, false, "15", "unshare 1073741824 pdeathsig 15 4242")]
    public void KillChild_arms_a_parent_death_signal(NamespaceType type, bool killChild, string? signal, string steps) =>
        AssertArgv($"chdir /home/u {steps} exec true 1 true",
            Plan(new UnshareOptions { Types = new[] { type }, FilePath = "true", KillChild = killChild, KillChildSignal = signal }));

    [Fact]
    public void An_unknown_kill_signal_is_refused()
    {
        var ex = Assert.Throws<LaunchOptionException>(() => Plan(new UnshareOptions { Types = new[] { NamespaceType.Net }, FilePath = "true", KillChildSignal = "NOPE" }));
        Assert.Equal("InvalidSignal", ex.ErrorId);
        Assert.Equal("NOPE", ex.Target);
    }

    [Fact]
    public void Time_offsets_imply_a_time_namespace_and_are_written_before_the_fork()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = Array.Empty<NamespaceType>(), FilePath = "true", MonotonicOffset = 5, BoottimeOffset = -3 });
        AssertArgv("chdir /home/u unshare 128 sync fork exec true 1 true", plan);
        Assert.Equal(new[] { ("timens_offsets", "monotonic 5 0\nboottime -3 0\n") }, Writes(plan));
    }

    [Fact]
    public void UserId_and_GroupId_drop_the_groups_unless_setgroups_is_denied()
    {
        AssertArgv("chdir /home/u unshare 1073741824 setgroups setgid 5 setuid 7 exec true 1 true",
            Plan(new UnshareOptions { Types = new[] { NamespaceType.Net }, FilePath = "true", UserId = 7, GroupId = 5 }));
        // In a user namespace whose setgroups is "deny", setgroups(2) always fails.
        AssertArgv("chdir /home/u unshare 1342177280 sync setgid 0 setuid 0 exec true 1 true",
            Plan(new UnshareOptions { Types = new[] { NamespaceType.Net }, FilePath = "true", MapRootUser = true, UserId = 0, GroupId = 0 }, s_user));
    }

    [Fact]
    public void PassThru_reads_the_namespaces_just_before_the_exec()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Pid }, FilePath = "true", ReadNamespaces = true });
        AssertArgv("chdir /home/u unshare 536870912 fork sync exec true 1 true", plan);
        Assert.Equal(SyncWork.ReadNamespaces, plan.Steps[^2].Sync);
        Assert.True(plan.Steps[^2].AfterFork);
    }

    [Fact]
    public void Persisting_binds_after_the_fork_and_before_anything_else()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Pid, NamespaceType.Net }, FilePath = "true", PersistPaths = new[] { "/tmp/p", "/tmp/n" } });
        AssertArgv("chdir /home/u unshare 1610612736 fork sync exec true 1 true", plan);
        Assert.Equal((SyncWork.Persist, true), (plan.Steps[3].Sync, plan.Steps[3].AfterFork));
        Assert.Equal("wait for pwsh to bind pid,net on /tmp/p, /tmp/n", plan.Steps[3].Text);

        plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Net, NamespaceType.Uts }, FilePath = "true", PersistNames = new[] { "blue" } });
        Assert.Equal("wait for pwsh to bind net on /run/netns/blue", plan.Steps.Single(s => s.Sync == SyncWork.Persist).Text);
    }

    [Theory]
    [InlineData(new[] { NamespaceType.Net, NamespaceType.Uts }, new[] { "/a" }, null, "PathCountMismatch")]
    [InlineData(new[] { NamespaceType.Net, NamespaceType.Net }, new[] { "/a", "/b" }, null, "PathCountMismatch")]
    [InlineData(new[] { NamespaceType.Net }, new[] { "/a" }, new[] { "x" }, "PathAndName")]
    [InlineData(new[] { NamespaceType.Uts }, null, new[] { "x" }, "NameNeedsNetType")]
    [InlineData(new[] { NamespaceType.Net }, null, new[] { "x", "y" }, "NameNeedsNetType")]
    [InlineData(new[] { NamespaceType.Net }, null, new[] { "a/b" }, "InvalidNamespaceName")]
    public void What_to_persist_is_checked_first(NamespaceType[] types, string[]? paths, string[]? names, string id)
    {
        var ex = Assert.Throws<LaunchOptionException>(() => Plan(new UnshareOptions { Types = types, FilePath = "true", PersistPaths = paths, PersistNames = names }));
        Assert.Equal(id, ex.ErrorId);
    }

    [Fact]
    public void A_failed_step_is_named_by_the_call_and_what_it_acted_on()
    {
        LaunchPlan plan = Plan(new UnshareOptions { Types = new[] { NamespaceType.Net, NamespaceType.Pid }, FilePath = "true", Root = "/srv" });
        LaunchStep unshare = plan.Steps.Single(s => s.Keyword == "unshare");
        Assert.Equal(("unshare", "net,pid"), (unshare.Function, unshare.Subject));
        LaunchStep chroot = plan.Steps.Single(s => s.Keyword == "chroot");
        Assert.Equal(("chroot", "/srv", true), (chroot.Function, chroot.Subject, chroot.AfterFork));
    }
}
