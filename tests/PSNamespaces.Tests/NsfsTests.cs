using System.Text;
using PSNamespaces.Core;
using Xunit;

namespace PSNamespaces.Tests;

public class NsfsTests
{
    [Theory]
    [InlineData("net:[4026531840]", 4026531840UL)]
    [InlineData("pid_for_children:[4026532179]", 4026532179UL)]
    [InlineData("mnt:[1]", 1UL)]
    public void ParseInode_reads_the_number_in_brackets(string text, ulong expected) =>
        Assert.Equal(expected, Nsfs.ParseInode(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("")]
    [InlineData("net:[]")]
    [InlineData("net:[12")]
    [InlineData("net:[12x]")]
    [InlineData("socket:[abc]")]
    [InlineData("/dev/null")]
    public void ParseInode_is_zero_for_anything_else(string text) =>
        Assert.Equal(0UL, Nsfs.ParseInode(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void FormatId_prints_as_the_kernel_does()
    {
        Assert.Equal("mnt:[4026531832]", Nsfs.FormatId(NamespaceType.Mount, 4026531832));
        Assert.Equal("net:[4026531833]", Nsfs.FormatId(NamespaceType.Net, 4026531833));
    }

    [Fact]
    public void MakeDev_matches_glibc_for_small_and_large_numbers()
    {
        Assert.Equal(4UL, Nsfs.MakeDev(0, 4));
        Assert.Equal((8UL << 8) | 1, Nsfs.MakeDev(8, 1));
    }
}
