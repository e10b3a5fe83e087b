using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// Every constant and struct layout the module declares itself, checked against the system's C
/// headers by compiling and running a tiny C program (as Tmds.LibC checks its own).
/// </summary>
public class HeaderConstantsTests
{
    private static readonly Lazy<Dictionary<string, ulong>> s_values = new(() => CompileAndRun(Program));

    private const string Program = """
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <pwd.h>
        #include <sched.h>
        #include <stddef.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <sys/stat.h>
        #include <sys/statfs.h>
        #include <sys/sysmacros.h>
        #include <sys/syscall.h>
        #include <linux/magic.h>
        #include <linux/nsfs.h>
        #include <linux/sockios.h>
        #include <linux/types.h>
        /* Newer than this machine's linux/nsfs.h: built from the header's own _IOR and NSIO. */
        #ifndef NS_GET_ID
        #define NS_GET_ID _IOR(NSIO, 13, __u64)
        #endif
        #ifndef CLONE_NEWTIME
        #define CLONE_NEWTIME 0x00000080
        #endif
        struct linux_dirent64 { uint64_t d_ino; int64_t d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };
        #define P(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
        int main(void) {
            P("CLONE_NEWCGROUP", CLONE_NEWCGROUP); P("CLONE_NEWIPC", CLONE_NEWIPC); P("CLONE_NEWNS", CLONE_NEWNS);
            P("CLONE_NEWNET", CLONE_NEWNET); P("CLONE_NEWPID", CLONE_NEWPID); P("CLONE_NEWTIME", CLONE_NEWTIME);
            P("CLONE_NEWUSER", CLONE_NEWUSER); P("CLONE_NEWUTS", CLONE_NEWUTS);
            P("NSFS_MAGIC", NSFS_MAGIC); P("PROC_SUPER_MAGIC", PROC_SUPER_MAGIC); P("NS_GET_NSTYPE", NS_GET_NSTYPE);
            P("NS_GET_USERNS", NS_GET_USERNS); P("NS_GET_PARENT", NS_GET_PARENT); P("NS_GET_OWNER_UID", NS_GET_OWNER_UID);
            P("NS_GET_ID", NS_GET_ID);
            P("sizeof_statfs", sizeof(struct statfs)); P("offsetof_f_type", offsetof(struct statfs, f_type));
            P("sizeof_passwd", sizeof(struct passwd)); P("offsetof_pw_name", offsetof(struct passwd, pw_name));
            P("d_reclen", offsetof(struct linux_dirent64, d_reclen)); P("d_type", offsetof(struct linux_dirent64, d_type));
            P("d_name", offsetof(struct linux_dirent64, d_name)); P("DT_DIR", DT_DIR);
            P("SYS_pidfd_open", SYS_pidfd_open); P("SYS_pidfd_send_signal", SYS_pidfd_send_signal);
            P("SYS_pidfd_getfd", SYS_pidfd_getfd); P("SIOCGSKNS", SIOCGSKNS); P("STATX_NLINK", STATX_NLINK);
            P("makedev_small", makedev(8, 1)); P("makedev_large", makedev(0x12345, 0x6789a));
            P("EPERM", EPERM); P("ENOENT", ENOENT); P("ESRCH", ESRCH); P("EACCES", EACCES); P("EEXIST", EEXIST);
            P("EBUSY", EBUSY); P("EINVAL", EINVAL); P("ENOTTY", ENOTTY); P("ENOSYS", ENOSYS); P("ELOOP", ELOOP);
            P("ENAMETOOLONG", ENAMETOOLONG); P("EOPNOTSUPP", EOPNOTSUPP); P("EUSERS", EUSERS);
            return 0;
        }
        """;

    /// <summary>Compiles a C program that prints "NAME value" lines, runs it, and returns the values.</summary>
    internal static Dictionary<string, ulong> CompileAndRun(string program)
    {
        string dir = Directory.CreateTempSubdirectory("psns-headers-").FullName;
        try
        {
            string source = Path.Combine(dir, "constants.c");
            string binary = Path.Combine(dir, "constants");
            File.WriteAllText(source, program);
            Run("cc", "-Wall", "-Werror", "-o", binary, source);
            var values = new Dictionary<string, ulong>();
            foreach (string line in Run(binary).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split(' ');
                values[parts[0]] = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
            }

            return values;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, params string[] arguments)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(psi)!;
        // Both pipes drained at once: a compiler that fills stderr must not block on it.
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error.Result}");
        return output;
    }

    private static ulong C(string name) => s_values.Value[name];

    [Theory]
    [InlineData(NamespaceType.Cgroup, "CLONE_NEWCGROUP")]
    [InlineData(NamespaceType.Ipc, "CLONE_NEWIPC")]
    [InlineData(NamespaceType.Mount, "CLONE_NEWNS")]
    [InlineData(NamespaceType.Net, "CLONE_NEWNET")]
    [InlineData(NamespaceType.Pid, "CLONE_NEWPID")]
    [InlineData(NamespaceType.Time, "CLONE_NEWTIME")]
    [InlineData(NamespaceType.User, "CLONE_NEWUSER")]
    [InlineData(NamespaceType.Uts, "CLONE_NEWUTS")]
    public void Clone_flags_match_sched_h(NamespaceType type, string name) =>
        Assert.Equal(C(name), (ulong)type.CloneFlag());

    [Fact]
    public void Nsfs_constants_match_the_headers()
    {
        Assert.Equal(C("NSFS_MAGIC"), (ulong)Sys.NSFS_MAGIC);
        Assert.Equal(C("PROC_SUPER_MAGIC"), (ulong)Sys.PROC_SUPER_MAGIC);
        Assert.Equal(C("NS_GET_NSTYPE"), (ulong)NamespaceIoctl.NS_GET_NSTYPE);
    }

    [Fact]
    public void Hidden_holder_constants_match_the_headers()
    {
        Assert.Equal(C("SYS_pidfd_getfd"), (ulong)Sys.SYS_pidfd_getfd);
        Assert.Equal(C("SIOCGSKNS"), (ulong)Sys.SIOCGSKNS);
        Assert.Equal(C("STATX_NLINK"), (ulong)Sys.STATX_NLINK);
    }

    [Fact]
    public void Nsfs_ioctls_match_the_headers()
    {
        Assert.Equal(C("NS_GET_USERNS"), (ulong)NamespaceIoctl.NS_GET_USERNS);
        Assert.Equal(C("NS_GET_PARENT"), (ulong)NamespaceIoctl.NS_GET_PARENT);
        Assert.Equal(C("NS_GET_OWNER_UID"), (ulong)NamespaceIoctl.NS_GET_OWNER_UID);
        // Declared as an int, as ioctl takes it; the kernel reads the request as 32 bits.
        Assert.Equal(C("NS_GET_ID"), unchecked((ulong)(uint)NamespaceIoctl.NS_GET_ID));
    }

    [Fact]
    public unsafe void Struct_layouts_match_the_headers()
    {
        Assert.Equal(C("sizeof_statfs"), (ulong)sizeof(Sys.statfs));
        Assert.Equal(0UL, C("offsetof_f_type"));
        Assert.True(C("sizeof_passwd") <= Sys.PasswdSize);
        Assert.Equal(0UL, C("offsetof_pw_name"));
        Assert.Equal(C("d_reclen"), (ulong)Sys.DirentRecLenOffset);
        Assert.Equal(C("d_type"), (ulong)Sys.DirentTypeOffset);
        Assert.Equal(C("d_name"), (ulong)Sys.DirentNameOffset);
        Assert.Equal(C("DT_DIR"), (ulong)Sys.DT_DIR);
    }

    [Fact]
    public void Makedev_matches_glibc()
    {
        Assert.Equal(C("makedev_small"), Nsfs.MakeDev(8, 1));
        Assert.Equal(C("makedev_large"), Nsfs.MakeDev(0x12345, 0x6789a));
    }

    [Theory]
    [InlineData("EPERM", Errno.EPERM)]
    [InlineData("ENOENT", Errno.ENOENT)]
    [InlineData("ESRCH", Errno.ESRCH)]
    [InlineData("EACCES", Errno.EACCES)]
    [InlineData("EEXIST", Errno.EEXIST)]
    [InlineData("EBUSY", Errno.EBUSY)]
    [InlineData("EINVAL", Errno.EINVAL)]
    [InlineData("ENOTTY", Errno.ENOTTY)]
    [InlineData("ENOSYS", Errno.ENOSYS)]
    [InlineData("ELOOP", Errno.ELOOP)]
    [InlineData("ENAMETOOLONG", Errno.ENAMETOOLONG)]
    [InlineData("EOPNOTSUPP", Errno.EOPNOTSUPP)]
    [InlineData("EUSERS", Errno.EUSERS)]
    public void Errno_values_and_names_match_errno_h(string name, int value)
    {
        Assert.Equal(C(name), (ulong)value);
        Assert.Equal(name, Errno.Name(value));
    }
}
