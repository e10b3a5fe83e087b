using System.Collections.Generic;
using PSNamespaces.Core.Plans;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// Which cgroup.procs files Enter-Namespace -JoinCgroup writes, from /proc/PID/cgroup and
/// mountinfo texts shaped as the kernel writes them (proc_cgroup_show, show_mountinfo) on a pure
/// v2, a hybrid and a v1 machine, and in a container's view.
/// </summary>
public class CgroupJoinTests
{
    private static readonly string[] s_hybrid =
    {
        "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
        "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
        "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate",
    };

    private const string HybridCgroup = "9:name=systemd:/a\n4:memory:/m/x\n1:cpu,cpuacct:/\n0::/a\n";

    private static List<string> Files(string cgroup, IEnumerable<string> mountinfo, List<string>? skipped = null) =>
        CgroupJoin.ProcsFiles(42, cgroup, mountinfo, skipped ?? new List<string>());

    [Fact]
    public void PureV2UsesTheOneLineAndTheCgroup2Mount()
    {
        string[] mounts = { "30 22 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot" };
        Assert.Equal(new[] { "/sys/fs/cgroup/system.slice/x.service/cgroup.procs" }, Files("0::/system.slice/x.service\n", mounts));
        Assert.Equal(new[] { "/sys/fs/cgroup/cgroup.procs" }, Files("0::/\n", mounts));
    }

    [Fact]
    public void HybridJoinsV2ThenEveryMountedV1HierarchyAndSkipsTheRest()
    {
        var skipped = new List<string>();
        string cgroup = HybridCgroup + "8:pids:/p\n";
        Assert.Equal(
            new[]
            {
                "/sys/fs/cgroup/unified/a/cgroup.procs",
                "/sys/fs/cgroup/systemd/a/cgroup.procs",
                "/sys/fs/cgroup/memory/m/x/cgroup.procs",
                "/sys/fs/cgroup/cpu/cgroup.procs",
            },
            Files(cgroup, s_hybrid, skipped));
        Assert.Equal(new[] { "cgroup v1 pids" }, skipped);
    }

    [Fact]
    public void AMountOfASubtreeHoldsOnlyThePathsBelowIt()
    {
        string[] mounts = { "50 22 0:37 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw" };
        Assert.Equal(new[] { "/sys/fs/cgroup/inner/cgroup.procs" }, Files("0::/docker/abc/inner\n", mounts));
        Assert.Equal(new[] { "/sys/fs/cgroup/cgroup.procs" }, Files("0::/docker/abc\n", mounts));
        var ex = Assert.Throws<CgroupJoinException>(() => Files("0::/docker/abcdef\n", mounts));
        Assert.Equal("CgroupNotReachable", ex.ErrorId);
    }

    [Fact]
    public void AMountHiddenByALaterOneOnTheSameMountPointIsNotUsed()
    {
        var mounts = new List<string>(s_hybrid) { "60 40 0:37 /other /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw" };
        var ex = Assert.Throws<CgroupJoinException>(() => Files(HybridCgroup, mounts));
        Assert.Equal("CgroupNotReachable", ex.ErrorId);
        // Hidden by something that is no cgroup at all: the hierarchy is as good as not mounted.
        mounts = new List<string>(s_hybrid) { "61 40 0:50 / /sys/fs/cgroup/unified rw - tmpfs tmpfs rw" };
        var skipped = new List<string>();
        Assert.DoesNotContain("/sys/fs/cgroup/unified/a/cgroup.procs", Files(HybridCgroup, mounts, skipped));
        Assert.Contains("cgroup v2", skipped);
    }

    [Fact]
    public void NothingMountedOrARemovedCgroupIsAnError()
    {
        Assert.Equal("CgroupNotMounted", Assert.Throws<CgroupJoinException>(() => Files(HybridCgroup, new[] { s_hybrid[0] })).ErrorId);
        Assert.Equal("CgroupGone", Assert.Throws<CgroupJoinException>(() => Files("0::/a (deleted)\n", s_hybrid)).ErrorId);
    }

    [Fact]
    public void OctalEscapesInMountPointsAndColonsInPathsAreKept()
    {
        string[] mounts = { @"70 22 0:37 / /mnt/cg\040two rw - cgroup2 cgroup2 rw" };
        Assert.Equal(new[] { "/mnt/cg two/a:b/cgroup.procs" }, Files("0::/a:b\n", mounts));
    }
}
