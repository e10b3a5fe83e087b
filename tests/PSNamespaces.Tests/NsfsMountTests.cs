using System.Text;
using PSNamespaces.Core.Inventory;
using Xunit;

namespace PSNamespaces.Tests;

public class NsfsMountTests
{
    private static bool Parse(string line, out NsfsMount mount) => NsfsMounts.TryParse(Encoding.UTF8.GetBytes(line), out mount);

    [Fact]
    public void Reads_the_namespace_and_mount_point_of_an_nsfs_line()
    {
        Assert.True(Parse("612 30 0:4 net:[4026532281] /run/netns/blue rw shared:5 - nsfs nsfs rw", out NsfsMount mount));
        Assert.Equal(new NsfsMount(NamespaceType.Net, 4026532281, "/run/netns/blue"), mount);
    }

    [Fact]
    public void Reads_a_line_without_optional_fields()
    {
        Assert.True(Parse("42 26 0:4 uts:[4026532176] /tmp/x/uts rw - nsfs nsfs rw", out NsfsMount mount));
        Assert.Equal(new NsfsMount(NamespaceType.Uts, 4026532176, "/tmp/x/uts"), mount);
    }

    [Fact]
    public void Decodes_the_octal_escapes_of_space_tab_newline_and_backslash()
    {
        Assert.True(Parse(@"42 26 0:4 ipc:[4026532200] /tmp/a\040b\011c\012d\134e rw - nsfs nsfs rw", out NsfsMount mount));
        Assert.Equal("/tmp/a b\tc\nd\\e", mount.MountPoint);
    }

    [Theory]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue")]
    [InlineData("41 26 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw")]
    [InlineData("50 26 0:4 socket:[1] /x rw - nsfs nsfs rw")]
    [InlineData("50 26 0:4 - nsfs nsfs rw")]
    [InlineData("")]
    public void Refuses_every_other_line(string line) => Assert.False(Parse(line, out _));
}
