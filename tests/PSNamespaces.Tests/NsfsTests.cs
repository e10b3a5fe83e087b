using System.Text;
using PSNamespaces.Core.Model;
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

    [Theory]
    [InlineData("net:[4026531840]", NamespaceType.Net, 4026531840UL)]
    [InlineData("mnt:[4026531832]", NamespaceType.Mount, 4026531832UL)]
    [InlineData("cgroup:[7]", NamespaceType.Cgroup, 7UL)]
    [InlineData("time:[8]", NamespaceType.Time, 8UL)]
    public void TryParseLink_reads_kind_and_inode(string text, NamespaceType type, ulong inode)
    {
        Assert.True(Nsfs.TryParseLink(Encoding.ASCII.GetBytes(text), out NamespaceType parsedType, out ulong parsedInode));
        Assert.Equal(type, parsedType);
        Assert.Equal(inode, parsedInode);
    }

    [Theory]
    [InlineData("socket:[12345]")]
    [InlineData("pipe:[12345]")]
    [InlineData("anon_inode:[pidfd]")]
    [InlineData("pid_for_children:[4026532179]")]
    [InlineData("/tmp/net:[1]")]
    [InlineData("Net:[1]")]
    [InlineData("net:[]")]
    [InlineData("/")]
    public void TryParseLink_refuses_other_links(string text) =>
        Assert.False(Nsfs.TryParseLink(Encoding.ASCII.GetBytes(text), out _, out _));

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
