using System.Text;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

public class DirectoryReaderTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("4194304", 4194304)]
    [InlineData("2147483647", int.MaxValue)]
    public void ParseNumber_reads_PIDs_and_descriptor_numbers(string name, int expected) =>
        Assert.Equal(expected, DirectoryReader.ParseNumber(Encoding.ASCII.GetBytes(name)));

    [Theory]
    [InlineData("")]
    [InlineData("self")]
    [InlineData("12a")]
    [InlineData("-1")]
    [InlineData("2147483648")]
    [InlineData("12345678901")]
    public void ParseNumber_is_minus_one_for_anything_else(string name) =>
        Assert.Equal(-1, DirectoryReader.ParseNumber(Encoding.ASCII.GetBytes(name)));
}
