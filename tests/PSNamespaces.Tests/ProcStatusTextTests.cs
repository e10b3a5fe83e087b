using System.Text;
using PSNamespaces.Core.Proc;
using Xunit;

namespace PSNamespaces.Tests;

public class ProcStatusTextTests
{
    // A real /proc/PID/status excerpt of a process two PID namespaces deep.
    private static readonly byte[] s_status = Encoding.ASCII.GetBytes(
        "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4086\nNgid:\t0\nPid:\t4086\nPPid:\t4085\n" +
        "TracerPid:\t0\nUid:\t0\t0\t0\t0\nNStgid:\t4086\t2\t1\nNSpid:\t4086\t2\t1\nNSpgid:\t4084\t0\t0\nNSsid:\t3000\t0\t0\n");

    [Fact]
    public void Int_reads_a_numeric_field()
    {
        var status = new ProcStatusText(s_status);
        Assert.Equal(4085, status.Int("PPid:"u8));
        Assert.Equal(0, status.Int("TracerPid:"u8));
    }

    [Fact]
    public void Int_is_minus_one_for_an_absent_field() =>
        Assert.Equal(-1, new ProcStatusText(s_status).Int("NoSuch:"u8));

    [Fact]
    public void Field_does_not_match_a_longer_name_with_the_same_start()
    {
        // "Pid:" must not be found inside "PPid:" or "TracerPid:".
        Assert.Equal(4086, new ProcStatusText(s_status).Int("Pid:"u8));
    }

    [Fact]
    public void IntList_reads_every_level_outermost_first()
    {
        var status = new ProcStatusText(s_status);
        Assert.Equal(new[] { 4086, 2, 1 }, status.IntList("NSpid:"u8));
        Assert.Equal(new[] { 4084, 0, 0 }, status.IntList("NSpgid:"u8));
        Assert.Empty(status.IntList("NoSuch:"u8));
    }

    [Fact]
    public void LastInt_is_the_innermost_pid() =>
        Assert.Equal(1, new ProcStatusText(s_status).LastInt("NSpid:"u8));

    [Theory]
    // SigCgt of sh with trap ... INT (bit 1) and its SIGCHLD handler (bit 16).
    [InlineData("NSpid:\t4086\t1\nSigCgt:\t0000000000010002\n", 2, false)]
    [InlineData("NSpid:\t4086\t1\nSigCgt:\t0000000000010002\n", 15, true)]
    [InlineData("NSpid:\t4086\t1\nSigCgt:\t0000000000000000\n", 2, true)]
    // Signal 64 is the mask's top bit.
    [InlineData("NSpid:\t4086\t1\nSigCgt:\t8000000000000000\n", 64, false)]
    // Not PID 1 of its namespace: signals are delivered with the default action.
    [InlineData("NSpid:\t4086\t5\nSigCgt:\t0000000000000000\n", 2, false)]
    [InlineData("NSpid:\t4086\nSigCgt:\t0000000000000000\n", 2, false)]
    // Unreadable: not taken for an init that drops the signal.
    [InlineData("NSpid:\t4086\t1\n", 2, false)]
    [InlineData("SigCgt:\t0000000000000000\n", 2, false)]
    public void IsInitWithoutHandler_reads_NSpid_and_the_SigCgt_bit(string text, int signal, bool expected) =>
        Assert.Equal(expected, new ProcStatusText(Encoding.ASCII.GetBytes(text)).IsInitWithoutHandler(signal));

    [Fact]
    public void Text_reads_the_name() =>
        Assert.Equal("sleep", new ProcStatusText(s_status).Text("Name:"u8));
}
