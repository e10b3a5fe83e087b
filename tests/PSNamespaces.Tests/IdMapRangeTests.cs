using System;
using PSNamespaces.Core.Plans;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>The id map ranges New-Namespace checks before anything is created.</summary>
public class IdMapRangeTests
{
    [Theory]
    [InlineData("0:1000:1", 0u, 1000u, 1u)]
    [InlineData("0 100000 65536", 0u, 100000u, 65536u)]
    [InlineData(" 1\t2:3 ", 1u, 2u, 3u)]
    public void Parses_inside_outside_count(string text, uint inside, uint outside, uint count) =>
        Assert.Equal(new IdMapRange(inside, outside, count), IdMapRange.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0:1000")]
    [InlineData("0:1000:1:2")]
    [InlineData("a:b:c")]
    [InlineData("-1:0:1")]
    [InlineData("0:1000:0")]
    [InlineData("4294967295:0:1")]
    [InlineData("0:4294967290:10")]
    public void Refuses_what_the_kernel_would(string text) =>
        Assert.Throws<ArgumentException>(() => IdMapRange.Parse(text));

    [Fact]
    public void Finds_overlapping_ranges_inside_and_outside()
    {
        Assert.Null(IdMapRange.Problem(new[] { new IdMapRange(0, 1000, 10), new IdMapRange(10, 2000, 10) }));
        Assert.NotNull(IdMapRange.Problem(new[] { new IdMapRange(0, 1000, 10), new IdMapRange(5, 2000, 10) }));
        Assert.NotNull(IdMapRange.Problem(new[] { new IdMapRange(0, 1000, 10), new IdMapRange(100, 1009, 1) }));
        Assert.NotNull(IdMapRange.Problem(new IdMapRange[IdMapRange.MaxLines + 1]));
    }

    [Fact]
    public void Formats_one_line_per_range() =>
        Assert.Equal("0 1000 1\n1 100000 65536\n", IdMapRange.Format(new[] { new IdMapRange(0, 1000, 1), new IdMapRange(1, 100000, 65536) }));
}
