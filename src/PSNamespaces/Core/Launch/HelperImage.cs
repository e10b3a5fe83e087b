using System;
using System.Globalization;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// The exec helper as it is run: a sealed in-memory copy of the file shipped in the module folder
/// (runtimes/RID/nsexec), made once per session. A package unpacks the file without its execute
/// bit (zip entries carry no mode) into a folder that may be read-only, so the file is only ever
/// read: its bytes are checked to be a whole ELF program for this machine that carries this module's
/// build id (<see cref="HelperBuildId"/>), copied into a memfd and
/// sealed against every change (F_SEAL_WRITE, SHRINK, GROW, then SEAL), and posix_spawn runs
/// /proc/self/fd/N. Nobody can swap or patch the program between the check and the exec — the
/// reason container runtimes run themselves from a sealed memfd since CVE-2019-5736. The memfd is
/// close-on-exec: the helper is started from it (the kernel opens the path before it closes
/// such descriptors) but never holds it.
/// </summary>
internal static unsafe class HelperImage
{
    /// <summary>The helper's file name in runtimes/RID/.</summary>
    internal const string FileName = "nsexec";

    /// <summary>MFD_EXEC (Linux 6.3+): asks for an executable memfd where vm.memfd_noexec would
    /// otherwise seal it non-executable; older kernels refuse the flag with EINVAL.</summary>
    private const uint MFD_EXEC = 0x10;

    /// <summary>The helper is tens of kilobytes; anything this large is not it.</summary>
    private const int MaxSize = 16 << 20;

    private static readonly object s_lock = new();
    private static SafeFd? s_copy;
    private static string? s_execPath;

    /// <summary>The helper file for this process's architecture, in the module folder.</summary>
    internal static string ShippedPath => RuntimeAssets.PathOf(FileName);

    /// <summary>
    /// What to hand posix_spawn: /proc/self/fd/N of the sealed copy (resolved in the spawned
    /// child, which has a copy of our descriptor table), or the shipped file itself where this
    /// kernel has no executable memfd.
    /// </summary>
    /// <exception cref="ExecHelperException">The file is missing, unreadable or not this machine's program.</exception>
    internal static string ExecPath
    {
        get
        {
            lock (s_lock)
            {
                return s_execPath ??= Load(ShippedPath);
            }
        }
    }

    /// <summary>Whether the helper runs from the sealed copy (false: from its file).</summary>
    internal static bool FromMemory => s_copy is not null;

    /// <summary>
    /// The error for a helper the kernel would not start (posix_spawn's ENOENT, EACCES, ENOEXEC):
    /// about the shipped file, whichever form of it was run.
    /// </summary>
    internal static ExecHelperException SpawnFailed(int errno, ErrnoException spawn) =>
        new(ShippedPath, errno, FromMemory
            ? "could not be started from its sealed in-memory copy: " + spawn.Message
            : errno == Errno.EACCES
                ? "is not executable, and this kernel gives no executable memfd (vm.memfd_noexec = 2) to run a copy of it: make the file executable (chmod +x)"
                : "could not be started: " + spawn.Message,
            spawn);

    private static string Load(string path)
    {
        byte[] program = Read(path);
        string? problem = HelperElf.Problem(program, RuntimeAssets.ElfMachine) ?? HelperBuildId.Problem(program, HelperBuildId.Expected);
        if (problem is not null)
        {
            throw new ExecHelperException(path, Errno.ENOEXEC, problem);
        }

        SafeFd? copy = SealedCopy(program);
        if (copy is null)
        {
            return path;
        }

        s_copy = copy;
        return "/proc/self/fd/" + copy.Fd.ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Read(string path)
    {
        SafeFd file;
        try
        {
            file = Sys.Open(path, O_RDONLY | O_CLOEXEC);
        }
        catch (ErrnoException ex)
        {
            throw new ExecHelperException(path, ex.Errno, ex.Errno switch
            {
                Errno.ENOENT => "is missing",
                Errno.EACCES => "cannot be read: its file or folder denies this user read access",
                _ => "cannot be opened",
            }, ex);
        }

        using (file)
        {
            var buffer = new byte[64 << 10];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxSize)
                    {
                        throw new ExecHelperException(path, Errno.ENOEXEC, "is far larger than the helper");
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                nint n;
                fixed (byte* b = &buffer[length])
                {
                    n = (nint)read(file.Fd, b, buffer.Length - length);
                }

                if (n < 0 && errno == EINTR)
                {
                    continue;
                }

                if (n < 0)
                {
                    var ex = ErrnoException.FromLast("read", path);
                    throw new ExecHelperException(path, ex.Errno, "cannot be read", ex);
                }

                if (n == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += (int)n;
            }
        }
    }

    /// <summary>The program in a sealed, close-on-exec memfd; null where this kernel has no
    /// executable memfd (no memfd_create, or vm.memfd_noexec = 2 refusing MFD_EXEC).</summary>
    private static SafeFd? SealedCopy(byte[] program)
    {
        byte[] name = Sys.NullTerminated(FileName);
        int fd;
        fixed (byte* p = name)
        {
            fd = memfd_create(p, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
            if (fd < 0 && errno == EINVAL)
            {
                fd = memfd_create(p, MFD_CLOEXEC | MFD_ALLOW_SEALING);
            }
        }

        if (fd < 0)
        {
            return null;
        }

        var copy = new SafeFd(fd);
        try
        {
            int written = 0;
            while (written < program.Length)
            {
                nint n;
                fixed (byte* b = &program[written])
                {
                    n = (nint)write(fd, b, program.Length - written);
                }

                if (n < 0 && errno == EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    throw ErrnoException.FromLast("write", "memfd:" + FileName);
                }

                written += (int)n;
            }

            if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
            {
                throw ErrnoException.FromLast("fcntl(F_ADD_SEALS)", "memfd:" + FileName);
            }

            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
