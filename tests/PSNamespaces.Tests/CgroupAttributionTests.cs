using PSNamespaces.Core.Attribution;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The cgroup path shapes each runtime makes (from moby, containerd's CRI plugin, CRI-O, podman,
/// LXC, systemd-nspawn and kubelet source and documentation), and what ps -o unit,slice,uunit
/// prints for them by libsystemd's rules.
/// </summary>
public class CgroupAttributionTests
{
    private const string Id = "3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a3f2a";
    private const string Uid = "0f5c9a44-7d3e-4b8e-9a1d-2c6b1e8f4a7b";
    private const string SliceUid = "0f5c9a44_7d3e_4b8e_9a1d_2c6b1e8f4a7b";

    public static TheoryData<string, string?, string, string?, string?, string?, string?> Shapes => new()
    {
        // path, Unit, Slice, UserUnit, ContainerRuntime, ContainerId, PodUid
        { "/", null, "-.slice", null, null, null, null },
        { "/init.scope", "init.scope", "-.slice", null, null, null, null },
        { "/system.slice/ssh.service", "ssh.service", "system.slice", null, null, null, null },
        { "/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service", "system-getty.slice", null, null, null, null },
        // docker, systemd cgroup driver (the default on cgroup v2) and cgroupfs driver.
        { $"/system.slice/docker-{Id}.scope", $"docker-{Id}.scope", "system.slice", null, "docker", Id, null },
        { $"/docker/{Id}", null, "-.slice", null, "docker", Id, null },
        // A container's own systemd nests cgroups below the scope: still that container and unit.
        { $"/system.slice/docker-{Id}.scope/system.slice/nginx.service", $"docker-{Id}.scope", "system.slice", null, "docker", Id, null },
        // containerd CRI (SystemdCgroup = true): pod slices under kubepods, UID dashes as underscores.
        {
            $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{SliceUid}.slice/cri-containerd-{Id}.scope",
            $"cri-containerd-{Id}.scope", $"kubepods-burstable-pod{SliceUid}.slice", null, "containerd", Id, Uid
        },
        { $"/kubepods.slice/kubepods-pod{SliceUid}.slice/cri-containerd-{Id}.scope", $"cri-containerd-{Id}.scope", $"kubepods-pod{SliceUid}.slice", null, "containerd", Id, Uid },
        // kubelet's cgroupfs driver: the runtime is not in the path.
        { $"/kubepods/burstable/pod{Uid}/{Id}", null, "-.slice", null, "kubepods", Id, Uid },
        { $"/kubepods/pod{Uid}/{Id}", null, "-.slice", null, "kubepods", Id, Uid },
        // CRI-O: the container and its conmon.
        {
            $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{SliceUid}.slice/crio-{Id}.scope",
            $"crio-{Id}.scope", $"kubepods-besteffort-pod{SliceUid}.slice", null, "cri-o", Id, Uid
        },
        {
            $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{SliceUid}.slice/crio-conmon-{Id}.scope",
            $"crio-conmon-{Id}.scope", $"kubepods-besteffort-pod{SliceUid}.slice", null, "cri-o-conmon", Id, Uid
        },
        { $"/kubepods/besteffort/pod{Uid}/crio-{Id}", null, "-.slice", null, "cri-o", Id, Uid },
        // podman: rootful, conmon, split, rootless, cgroupfs.
        { $"/machine.slice/libpod-{Id}.scope", $"libpod-{Id}.scope", "machine.slice", null, "podman", Id, null },
        { $"/machine.slice/libpod-conmon-{Id}.scope", $"libpod-conmon-{Id}.scope", "machine.slice", null, "podman-conmon", Id, null },
        { $"/machine.slice/libpod-{Id}.scope/container", $"libpod-{Id}.scope", "machine.slice", null, "podman", Id, null },
        {
            $"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{Id}.scope",
            "user@1000.service", "user-1000.slice", $"libpod-{Id}.scope", "podman", Id, null
        },
        {
            $"/user.slice/user-1000.slice/user@1000.service/user.slice/user-libpod_pod_{Id}.slice/libpod-{Id}.scope",
            "user@1000.service", "user-1000.slice", $"libpod-{Id}.scope", "podman", Id, null
        },
        { $"/libpod_parent/libpod-{Id}", null, "-.slice", null, "podman", Id, null },
        // LXC 4.0+ payload and monitor, and the pre-4.0 layout.
        { "/lxc.payload.web1", null, "-.slice", null, "lxc", "web1", null },
        { "/lxc.payload.web1/system.slice/cron.service", null, "-.slice", null, "lxc", "web1", null },
        { "/lxc.monitor.web1", null, "-.slice", null, "lxc-monitor", "web1", null },
        { "/lxc/web1", null, "-.slice", null, "lxc", "web1", null },
        // systemd-nspawn as systemd-nspawn@.service (payload below the supervisor) and by hand (a machine scope).
        { "/machine.slice/systemd-nspawn@deb\\x2dbox.service/payload", "systemd-nspawn@deb\\x2dbox.service", "machine.slice", null, "systemd-nspawn", "deb-box", null },
        { "/machine.slice/machine-deb\\x2dbox.scope", "machine-deb\\x2dbox.scope", "machine.slice", null, "machine", "deb-box", null },
        // User sessions: the user manager and its services, a login session's scope.
        { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-dbus.service", "user@1000.service", "user-1000.slice", "app-dbus.service", null, null, null },
        { "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "user-1000.slice", null, null, null, null },
        // Not units: a template, a bare name, a slice alone, an escaped name.
        { "/system.slice/foo@.service", null, "system.slice", null, null, null, null },
        { "/system.slice/cgroup-name", null, "system.slice", null, null, null, null },
        { "/system.slice", null, "system.slice", null, null, null, null },
        { "/system.slice/_cpu.service", "cpu.service", "system.slice", null, null, null, null },
        // A docker-looking name whose id is not 64 hex digits is not a container.
        { "/system.slice/docker-abc.scope", "docker-abc.scope", "system.slice", null, null, null, null },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Path_is_attributed_as_the_runtime_and_libsystemd_name_it(
        string path, string? unit, string slice, string? userUnit, string? runtime, string? id, string? podUid)
    {
        CgroupAttribution a = CgroupAttribution.Parse(path);
        Assert.Equal(path, a.Cgroup);
        Assert.Equal(unit, a.Unit);
        Assert.Equal(slice, a.Slice);
        Assert.Equal(userUnit, a.UserUnit);
        Assert.Equal(runtime, a.ContainerRuntime);
        Assert.Equal(id, a.ContainerId);
        Assert.Equal(podUid, a.PodUid);
    }

    [Theory]
    [InlineData("/", true, "-.slice")]
    [InlineData("/init.scope", true, "-.slice")]
    [InlineData("/", false, null)]
    [InlineData("/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false, null)]
    [InlineData("/system.slice/docker.service", false, "system.slice")]
    public void Root_slice_is_named_only_where_systemd_runs(string path, bool systemdBooted, string? slice)
    {
        // "-.slice" is systemd's root slice unit; a machine without systemd has no slice at all.
        Assert.Equal(slice, CgroupAttribution.Parse(path, "/", systemdBooted).Slice);
    }

    [Theory]
    [InlineData("/init.scope", "/")]
    [InlineData("/", "/")]
    [InlineData("/lxc.payload.c1/init.scope", "/lxc.payload.c1")]
    [InlineData("/system.slice", "/")]
    [InlineData("/payload", "/payload")]
    public void Root_is_PID_1s_cgroup_without_init_scope(string init, string root) =>
        Assert.Equal(root, CgroupRoot.FromInitCgroup(init));

    [Fact]
    public void Units_are_read_below_the_root_systemd_manages()
    {
        // systemd in an LXC container (same cgroup namespace as the host): its services sit below the payload cgroup.
        CgroupAttribution a = CgroupAttribution.Parse("/lxc.payload.c1/system.slice/cron.service", "/lxc.payload.c1");
        Assert.Equal("cron.service", a.Unit);
        Assert.Equal("system.slice", a.Slice);
        Assert.Equal("lxc", a.ContainerRuntime);
    }

    [Theory]
    [InlineData("12:pids:/x\n0::/system.slice/ssh.service\n", "/system.slice/ssh.service")]
    [InlineData("9:name=systemd:/system.slice/cron.service\n4:memory:/a\n0::/\n", "/")]
    [InlineData("9:name=systemd:/system.slice/cron.service\n4:memory:/a\n", "/system.slice/cron.service")]
    [InlineData("4:memory:/a\n", null)]
    public void Cgroup_file_gives_the_v2_line_else_the_named_systemd_hierarchy(string text, string? path) =>
        Assert.Equal(path, CgroupFile.PathIn(System.Text.Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("foo.service", true)]
    [InlineData("getty@tty1.service", true)]
    [InlineData("getty@.service", false)]
    [InlineData("@x.service", false)]
    [InlineData("foo.bar", false)]
    [InlineData(".service", false)]
    [InlineData("a b.service", false)]
    public void Unit_names_follow_systemds_rules(string name, bool valid) =>
        Assert.Equal(valid, UnitName.IsValid(name, allowInstance: true));

    // runc's state directory as `runc run` leaves it: ROOT/ID/state.json while the container exists.
    [Theory]
    [InlineData("/box1", "runc", "box1")]
    [InlineData("/parent/box1", "runc", "box1")]
    [InlineData("/box1/init.scope", "runc", "box1")]
    [InlineData("/box2", null, null)]
    [InlineData("/system.slice/docker-" + Id + ".scope", "docker", Id)]
    [InlineData("/libpod_parent/libpod-" + Id, "podman", Id)]
    [InlineData("/", null, null)]
    public void A_cgroup_named_after_a_container_runc_keeps_is_runcs(string path, string? runtime, string? id)
    {
        string root = System.IO.Directory.CreateTempSubdirectory("psns-runc-").FullName;
        try
        {
            // box1 a container; box2 a directory runc left without state; the podman id one runc podman drove.
            foreach (string name in new[] { "box1", "box2", Id })
            {
                System.IO.Directory.CreateDirectory(System.IO.Path.Join(root, name));
            }

            System.IO.File.WriteAllText(System.IO.Path.Join(root, "box1", "state.json"), "{\"id\":\"box1\"}");
            System.IO.File.WriteAllText(System.IO.Path.Join(root, Id, "state.json"), "{}");
            CgroupAttribution a = CgroupAttribution.Parse(path, "/", runc: new RuncStateDirectory(root));
            Assert.Equal(runtime, a.ContainerRuntime);
            Assert.Equal(id, a.ContainerId);
            // Without the state directory, only the path's shape counts.
            Assert.Equal(runtime == "runc" ? null : runtime, CgroupAttribution.Parse(path, "/", runc: new RuncStateDirectory(System.IO.Path.Join(root, "none"))).ContainerRuntime);
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }
}
