using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSNamespaces.Core.Attribution;
using Xunit;

namespace PSNamespaces.Tests;

public class ContainerMatcherTests
{
    private static readonly string s_docker = "ab12" + new string('0', 60);
    private static readonly string s_podman = "ab13" + new string('1', 60);

    /// <summary>The containers of a few cgroups; names as docker and podman keep them, in a temporary docker root and storage root.</summary>
    private static List<RunningContainer> Running()
    {
        var lookup = new ContainerLookup();
        lookup.Add(CgroupAttribution.Parse($"/system.slice/docker-{s_docker}.scope"), 900);
        lookup.Add(CgroupAttribution.Parse($"/system.slice/docker-{s_docker}.scope"), 700);
        lookup.Add(CgroupAttribution.Parse($"/machine.slice/libpod-{s_podman}.scope"), 800);
        lookup.Add(CgroupAttribution.Parse($"/machine.slice/libpod-conmon-{s_podman}.scope"), 10);
        lookup.Add(CgroupAttribution.Parse("/lxc.payload.web"), 30);
        lookup.Add(CgroupAttribution.Parse("/lxc.payload.web1"), 20);
        lookup.Add(CgroupAttribution.Parse("/system.slice/ssh.service"), 5);
        using var roots = new TemporaryRoots();
        roots.Docker(s_docker, "/shop");
        roots.Storage(s_podman, "db", "db-alias");
        return lookup.Containers(roots.Names());
    }

    private static List<RunningContainer> Select(string text, Func<string, bool>? pattern = null) => new ContainerMatcher(text, pattern).Select(Running());

    [Fact]
    public void Monitors_are_left_out_and_each_container_keeps_its_lowest_PID() =>
        Assert.Equal(new[] { ("docker:" + s_docker, 700), ("lxc:web", 30), ("lxc:web1", 20), ("podman:" + s_podman, 800) }, Running().Select(c => (c.Key, c.Pid)));

    [Fact]
    public void A_unique_prefix_names_the_container_as_the_short_id_does() =>
        Assert.Equal(new[] { ("docker", s_docker, 700) }, Select("AB12").Select(c => (c.Runtime, c.Id, c.Pid)));

    [Fact]
    public void A_shared_prefix_gives_every_match_and_never_a_monitor() =>
        Assert.Equal(new[] { "docker:" + s_docker, "podman:" + s_podman }, Select("ab1").Select(c => c.Key));

    [Fact]
    public void An_exact_name_wins_over_longer_names_it_begins() =>
        Assert.Equal(new[] { "lxc:web" }, Select("web").Select(c => c.Key));

    [Fact]
    public void Runtime_and_id_or_its_prefix_select_too()
    {
        Assert.Equal(800, Assert.Single(Select("podman:ab")).Pid);
        Assert.Equal(700, Assert.Single(Select("docker:" + s_docker)).Pid);
    }

    [Fact]
    public void The_runtime_alone_is_no_prefix() => Assert.Empty(Select("dock"));

    [Theory]
    [InlineData("shop", "docker")]
    [InlineData("docker:shop", "docker")]
    [InlineData("db", "podman")]
    [InlineData("db-alias", "podman")]
    [InlineData("podman:db", "podman")]
    public void Names_the_runtimes_keep_on_disk_select_their_container(string text, string runtime) =>
        Assert.Equal(runtime, Assert.Single(Select(text)).Runtime);

    [Fact]
    public void A_pattern_selects_every_match_by_id_name_or_runtime()
    {
        Assert.Equal(new[] { "lxc:web", "lxc:web1" }, Select("web*", t => t.StartsWith("web", StringComparison.Ordinal)).Select(c => c.Key));
        Assert.Equal(new[] { "lxc:web", "lxc:web1" }, Select("lxc:*", t => t.StartsWith("lxc:", StringComparison.Ordinal)).Select(c => c.Key));
        Assert.Equal(new[] { "docker:" + s_docker }, Select("sh*", t => t.StartsWith("sh", StringComparison.Ordinal)).Select(c => c.Key));
    }

    [Fact]
    public void A_pattern_that_matches_nothing_selects_nothing_and_no_prefix() =>
        Assert.Empty(Select("ab1", _ => false));

    [Fact]
    public void Unknown_text_finds_nothing() => Assert.Empty(Select("f00d"));

    [Fact]
    public void Names_of_unreadable_or_missing_files_are_none()
    {
        using var roots = new TemporaryRoots();
        File.WriteAllText(Path.Join(roots.StorageRoot, "overlay-containers", "containers.json"), "[{\"id\": ");
        Directory.CreateDirectory(Path.Join(roots.DockerRoot, "containers", s_docker));
        File.WriteAllText(Path.Join(roots.DockerRoot, "containers", s_docker, "config.v2.json"), "{}");
        ContainerNames names = roots.Names();
        Assert.Empty(names.Of("podman", s_podman));
        Assert.Empty(names.Of("docker", s_docker));
        Assert.Empty(names.Of("docker", "f00d"));
        Assert.Empty(names.Of("lxc", "web"));
    }

    /// <summary>A docker data-root and a containers/storage root with the files the runtimes write, as they write them.</summary>
    private sealed class TemporaryRoots : IDisposable
    {
        private readonly string _top = Directory.CreateTempSubdirectory("psns-names-").FullName;

        internal TemporaryRoots() => Directory.CreateDirectory(Path.Join(StorageRoot, "overlay-containers"));

        internal string DockerRoot => Path.Join(_top, "docker");

        internal string StorageRoot => Path.Join(_top, "storage");

        internal void Docker(string id, string name)
        {
            string directory = Path.Join(DockerRoot, "containers", id);
            Directory.CreateDirectory(directory);
            // The shape of moby's container/container.go: Name with its leading '/', among many others.
            File.WriteAllText(Path.Join(directory, "config.v2.json"), $"{{\"StreamConfig\":{{}},\"State\":{{\"Running\":true}},\"ID\":\"{id}\",\"Name\":\"{name}\",\"Driver\":\"overlay2\"}}");
        }

        internal void Storage(string id, params string[] names) =>
            // The shape of containers/storage's containers.go: one object per container.
            File.WriteAllText(Path.Join(StorageRoot, "overlay-containers", "containers.json"),
                $"[{{\"id\":\"{id}\",\"names\":[{string.Join(",", names.Select(n => $"\"{n}\""))}],\"image\":\"\",\"layer\":\"{new string('9', 64)}\",\"metadata\":\"{{}}\"}}]");

        internal ContainerNames Names() => new(DockerRoot, StorageRoot);

        public void Dispose() => Directory.Delete(_top, recursive: true);
    }
}
