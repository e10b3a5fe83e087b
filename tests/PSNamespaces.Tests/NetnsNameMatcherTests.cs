using System;
using System.IO;
using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The /run/netns name policy: a literal name, a pattern, a name that reads as a pattern but
/// exists, an invalid pattern, and the messages. The pattern's own syntax is PowerShell's; here a
/// stand-in predicate shows which names the policy asks it about.
/// </summary>
public sealed class NetnsNameMatcherTests : IDisposable
{
    // A stand-in for /run/netns: the real one is shared with ip and the other tests.
    private readonly string _dir = Directory.CreateTempSubdirectory("psns-netns-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, bool> StartsWith(string prefix) => name => name.StartsWith(prefix, StringComparison.Ordinal);

    [Fact]
    public void A_name_without_wildcards_is_itself_whether_or_not_it_exists()
    {
        var matcher = new NetnsNameMatcher("psns-xunit-no-such-name", false, null, _dir);
        Assert.True(matcher.IsLiteral);
        Assert.True(matcher.IsValid);
        Assert.Equal(new[] { "psns-xunit-no-such-name" }, matcher.Names());
        Assert.True(matcher.Matches("psns-xunit-no-such-name"));
        Assert.False(matcher.Matches("psns-xunit-no-such-nam"));
    }

    [Fact]
    public void A_pattern_names_the_matching_entries_of_run_netns_in_ordinal_order()
    {
        foreach (string name in new[] { "blue-b", "blue-B", "blue-a", "red" })
        {
            File.WriteAllText(Path.Combine(_dir, name), string.Empty);
        }

        var matcher = new NetnsNameMatcher("blue-*", true, StartsWith("blue-"), _dir);
        Assert.False(matcher.IsLiteral);
        // Ordinal: upper case before lower case, as strcmp orders them.
        Assert.Equal(new[] { "blue-B", "blue-a", "blue-b" }, matcher.Names());
        Assert.True(matcher.Matches("blue-x"));
        Assert.False(matcher.Matches("red"));
        Assert.Empty(new NetnsNameMatcher("green*", true, StartsWith("green"), _dir).Names());
        Assert.Empty(new NetnsNameMatcher("any*", true, _ => true, Path.Combine(_dir, "missing")).Names());
    }

    [Fact]
    public void A_name_with_wildcard_characters_that_exists_is_taken_literally_even_as_an_invalid_pattern()
    {
        // ip netns add accepts [, ] and * in names.
        File.WriteAllText(Path.Combine(_dir, "web["), string.Empty);
        File.WriteAllText(Path.Combine(_dir, "a*"), string.Empty);
        File.WriteAllText(Path.Combine(_dir, "ab"), string.Empty);

        var invalid = new NetnsNameMatcher("web[", true, null, _dir);
        Assert.True(invalid.IsLiteral);
        Assert.False(invalid.IsValid);
        Assert.Equal(new[] { "web[" }, invalid.Names());
        Assert.True(invalid.Matches("web["));

        // A valid pattern that is also an existing name is that name, not its matches.
        Assert.Equal(new[] { "a*" }, new NetnsNameMatcher("a*", true, StartsWith("a"), _dir).Names());
    }

    [Fact]
    public void An_invalid_pattern_that_names_no_file_selects_nothing_and_says_so()
    {
        var matcher = new NetnsNameMatcher("psns-xunit-no-such-[", true, null, _dir);
        Assert.False(matcher.IsLiteral);
        Assert.False(matcher.IsValid);
        Assert.False(matcher.Matches("psns-xunit-no-such-a"));
        Assert.Throws<InvalidOperationException>(() => matcher.Names());
    }

    [Fact]
    public void The_messages_name_the_directory_and_the_input()
    {
        Assert.Equal("There is no network namespace named 'blue' in /run/netns.", NetnsNameMatcher.NotFoundMessage("blue"));
        Assert.Equal("No network namespace in /run/netns matches 'b*'.", NetnsNameMatcher.NoMatchMessage("b*"));
    }

    [Theory]
    [InlineData("/run/netns/blue", "blue")]
    [InlineData("/run/netns/a[1]", "a[1]")]
    [InlineData("/run/netns/sub/blue", null)]
    [InlineData("/run/netns2/blue", null)]
    [InlineData("/var/run/netns/blue", null)]
    [InlineData(null, null)]
    public void NameOf_is_the_file_name_of_a_direct_entry_of_run_netns_only(string? path, string? name) =>
        Assert.Equal(name, NetnsNameMatcher.NameOf(path));
}
