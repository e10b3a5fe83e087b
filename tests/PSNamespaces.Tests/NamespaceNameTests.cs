using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

public class NamespaceNameTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("/")]
    [InlineData("a\0b")]
    public void Refuses_names_that_cannot_be_one_file_name(string name) =>
        Assert.NotNull(NamespaceName.Problem(name));

    [Fact]
    public void Refuses_more_than_NAME_MAX_bytes_counting_utf8()
    {
        Assert.Null(NamespaceName.Problem(new string('a', 255)));
        Assert.NotNull(NamespaceName.Problem(new string('a', 256)));
        // 128 two-byte characters are 256 bytes.
        Assert.NotNull(NamespaceName.Problem(new string('é', 128)));
    }

    [Theory]
    [InlineData("blue")]
    [InlineData("...")]
    [InlineData("a.b-c_d")]
    public void Accepts_ordinary_names(string name) => Assert.Null(NamespaceName.Problem(name));

    [Theory]
    [InlineData("*")]
    [InlineData("blue?")]
    [InlineData("[ab]")]
    [InlineData("a]")]
    public void Refuses_new_names_that_a_Name_pattern_would_read_as_wildcards(string name)
    {
        Assert.Null(NamespaceName.Problem(name));
        Assert.Contains("wildcard", NamespaceName.ProblemForNew(name), System.StringComparison.Ordinal);
    }
}
