using System;
using System.Collections.Generic;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The constants and sizes that launching programs declares itself (Tmds.LibC lacks them),
/// checked against the system's C headers; and the wait-status decoding against the wait macros.
/// </summary>
public class LaunchHeaderTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => HeaderConstantsTests.CompileAndRun(Program));

    private const string Program = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <spawn.h>
        #include <stdio.h>
        #include <sys/wait.h>
        #include <linux/mount.h>
        #include <linux/stat.h>
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        #define SHELL_CODE(s) (WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s))
        int main(void) {
            P("MOUNT_ATTR_RDONLY", MOUNT_ATTR_RDONLY); P("MOUNT_ATTR_NOSUID", MOUNT_ATTR_NOSUID);
            P("MOUNT_ATTR_NODEV", MOUNT_ATTR_NODEV); P("MOUNT_ATTR_NOEXEC", MOUNT_ATTR_NOEXEC);
            P("STATX_ATTR_MOUNT_ROOT", STATX_ATTR_MOUNT_ROOT); P("WNOHANG", WNOHANG); P("EXDEV", EXDEV);
            P("sizeof_posix_spawn_file_actions_t", sizeof(posix_spawn_file_actions_t));
            P("exit_3", SHELL_CODE(3 << 8)); P("sigkill", SHELL_CODE(9)); P("sigterm_core", SHELL_CODE(15 | 0x80));
            return 0;
        }
        """;

    private static ulong C(string name) => s_values.Value[name];

    [Fact]
    public void Launch_constants_match_the_headers()
    {
        Assert.Equal(C("MOUNT_ATTR_RDONLY"), Sys.MOUNT_ATTR_RDONLY);
        Assert.Equal(C("MOUNT_ATTR_NOSUID"), Sys.MOUNT_ATTR_NOSUID);
        Assert.Equal(C("MOUNT_ATTR_NODEV"), Sys.MOUNT_ATTR_NODEV);
        Assert.Equal(C("MOUNT_ATTR_NOEXEC"), Sys.MOUNT_ATTR_NOEXEC);
        Assert.Equal(C("STATX_ATTR_MOUNT_ROOT"), Sys.STATX_ATTR_MOUNT_ROOT);
        Assert.Equal(C("WNOHANG"), (ulong)Sys.WNOHANG);
        Assert.Equal(C("EXDEV"), (ulong)Errno.EXDEV);
        Assert.Equal("EXDEV", Errno.Name(Errno.EXDEV));
        Assert.Equal(C("sizeof_posix_spawn_file_actions_t"), (ulong)Sys.PosixSpawnFileActionsSize);
    }

    [Theory]
    [InlineData(3 << 8, "exit_3")]
    [InlineData(9, "sigkill")]
    [InlineData(15 | 0x80, "sigterm_core")]
    public void Wait_statuses_decode_as_the_wait_macros_do(int status, string name) =>
        Assert.Equal(C(name), (ulong)Sys.ShellExitCode(status));
}
