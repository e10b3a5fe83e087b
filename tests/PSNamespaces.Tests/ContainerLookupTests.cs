using System.Linq;
using PSNamespaces.Core.Attribution;
using Xunit;

namespace PSNamespaces.Tests;

public class ContainerLookupTests
{
    private static readonly string s_docker = "ab12" + new string('0', 60);
    private static readonly string s_podman = "ab13" + new string('1', 60);

    private static ContainerLookup Lookup()
    {
        var lookup = new ContainerLookup();
        lookup.Add(CgroupAttribution.Parse($"/system.slice/docker-{s_docker}.scope"), 900);
        lookup.Add(CgroupAttribution.Parse($"/system.slice/docker-{s_docker}.scope"), 700);
        lookup.Add(CgroupAttribution.Parse($"/machine.slice/libpod-{s_podman}.scope"), 800);
        lookup.Add(CgroupAttribution.Parse($"/machine.slice/libpod-conmon-{s_podman}.scope"), 10);
        lookup.Add(CgroupAttribution.Parse("/lxc.payload.web"), 30);
        lookup.Add(CgroupAttribution.Parse("/lxc.payload.web1"), 20);
        lookup.Add(CgroupAttribution.Parse("/system.slice/ssh.service"), 5);
        return lookup;
    }

    [Fact]
    public void A_unique_prefix_names_the_container_by_its_lowest_PID() =>
        Assert.Equal(new[] { ("docker", s_docker, 700) }, Lookup().Find("AB12"));

    [Fact]
    public void A_shared_prefix_gives_every_match_and_never_a_monitor() =>
        Assert.Equal(new[] { "docker:" + s_docker, "podman:" + s_podman }, Lookup().Find("ab1").Select(c => c.Runtime + ":" + c.Id));

    [Fact]
    public void An_exact_name_wins_over_longer_names_it_begins() =>
        Assert.Equal(new[] { ("lxc", "web", 30) }, Lookup().Find("web"));

    [Fact]
    public void Runtime_and_id_together_select_too() =>
        Assert.Equal(800, Assert.Single(Lookup().Find("podman:ab")).Pid);

    [Fact]
    public void Unknown_text_finds_nothing() => Assert.Empty(Lookup().Find("f00d"));
}
