using System;
using System.Globalization;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// The exec helper as it is run: a sealed in-memory copy of the file shipped in the module folder
/// (runtimes/RID/nsexec), made once per session. A package unpacks the file without its execute
/// bit (zip entries carry no mode) into a folder that may be read-only, so the file is only ever
/// read: it is copied into a memfd, sealed against every change (F_SEAL_WRITE, SHRINK, GROW, then
/// SEAL), the sealed bytes are checked to be a whole ELF program for this machine that carries
/// this module's build id (<see cref="HelperBuildId"/>), and posix_spawn runs /proc/self/fd/N.
/// Nobody can swap or patch the program between the check and the exec — the
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

    /// <summary>The helper is under a megabyte (it carries a static C library); anything this large is not it.</summary>
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
        using SafeFd file = OpenShipped(path);
        int size = SizeOf(file, path);
        SafeFd? copy = CreateMemfd();
        if (copy is null)
        {
            // No executable memfd: the kernel will run the file itself, so its bytes are checked
            // as read now (a swap after this check is the price of such a kernel).
            Check(Read(file, path, size), path);
            return path;
        }

        try
        {
            CopyInto(copy, file, path, size);
            Seal(copy);
            // The check reads the sealed copy, the very bytes posix_spawn will run.
            CheckSealed(copy, path);
        }
        catch
        {
            copy.Dispose();
            throw;
        }

        s_copy = copy;
        return "/proc/self/fd/" + copy.Fd.ToString(CultureInfo.InvariantCulture);
    }

    private static void Check(ReadOnlySpan<byte> program, string path)
    {
        string? problem = HelperElf.Problem(program, RuntimeAssets.ElfMachine) ?? HelperBuildId.Problem(program, HelperBuildId.Expected);
        if (problem is not null)
        {
            throw new ExecHelperException(path, Errno.ENOEXEC, problem);
        }
    }

    /// <summary>
    /// Opens the file without waiting: a FIFO put in its place would block open(2) until a writer
    /// came, hanging the session. O_NONBLOCK changes nothing for a regular file, and anything else
    /// is refused by <see cref="SizeOf"/> before it is read.
    /// </summary>
    private static SafeFd OpenShipped(string path)
    {
        try
        {
            return Sys.Open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
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
    }

    /// <summary>The file's size; it must be a regular file no larger than <see cref="MaxSize"/>.</summary>
    private static int SizeOf(SafeFd file, string path)
    {
        int err = Sys.TryFstatx(file.Fd, Sys.STATX_TYPE | Sys.STATX_SIZE, out statx stx);
        if (err != 0)
        {
            throw new ExecHelperException(path, err, "cannot be read", new ErrnoException("statx", err, path));
        }

        if ((stx.stx_mode & S_IFMT) != S_IFREG)
        {
            throw new ExecHelperException(path, Errno.ENOEXEC, "is not a regular file");
        }

        if (stx.stx_size > MaxSize)
        {
            throw new ExecHelperException(path, Errno.ENOEXEC, "is far larger than the helper");
        }

        return (int)stx.stx_size;
    }

    /// <summary>The whole file, at most size bytes (it was that large a moment ago): for a kernel
    /// without executable memfds, and for a filesystem sendfile cannot read.</summary>
    private static byte[] Read(SafeFd file, string path, int size)
    {
        var buffer = new byte[size];
        int length = 0;
        while (length < size)
        {
            nint n;
            fixed (byte* b = &buffer[length])
            {
                n = (nint)read(file.Fd, b, size - length);
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
                break;
            }

            length += (int)n;
        }

        return length == size ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>An empty close-on-exec memfd that can be sealed and executed; null where this
    /// kernel has none (no memfd_create, or vm.memfd_noexec = 2 refusing MFD_EXEC).</summary>
    private static SafeFd? CreateMemfd()
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

        return fd < 0 ? null : new SafeFd(fd);
    }

    /// <summary>
    /// The file's bytes into the memfd with sendfile: the kernel copies page to page, where a
    /// read into a managed array and a write out of it would touch the whole program twice
    /// more, on the first launch of every session.
    /// </summary>
    private static void CopyInto(SafeFd copy, SafeFd file, string path, int size)
    {
        long copied = 0;
        while (true)
        {
            // One byte past the limit tells a file that grew too large since it was measured.
            nint n = Sys.sendfile(copy.Fd, file.Fd, null, (nuint)(MaxSize + 1 - copied));
            int err = n < 0 ? Errno.Last : 0;
            if (err == Errno.EINTR)
            {
                continue;
            }

            if (copied == 0 && err is Errno.EINVAL or Errno.ENOSYS)
            {
                // A filesystem that cannot splice its files (sendfile's EINVAL): copy through memory.
                Write(copy, Read(file, path, size));
                return;
            }

            if (err is Errno.ENOMEM or Errno.ENOSPC or Errno.EFBIG or Errno.EDQUOT)
            {
                // The memory the copy would take was refused (a memory cgroup, RLIMIT_FSIZE): not the file's fault.
                throw new ErrnoException("sendfile", err, "memfd:" + FileName);
            }

            if (err != 0)
            {
                throw new ExecHelperException(path, err, "cannot be read", new ErrnoException("sendfile", err, path));
            }

            if (n == 0)
            {
                return;
            }

            copied += n;
            if (copied > MaxSize)
            {
                throw new ExecHelperException(path, Errno.ENOEXEC, "is far larger than the helper");
            }
        }
    }

    private static void Write(SafeFd copy, byte[] program)
    {
        int written = 0;
        while (written < program.Length)
        {
            nint n;
            fixed (byte* b = &program[written])
            {
                n = (nint)write(copy.Fd, b, program.Length - written);
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
    }

    private static void Seal(SafeFd copy)
    {
        if (fcntl(copy.Fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        {
            throw ErrnoException.FromLast("fcntl(F_ADD_SEALS)", "memfd:" + FileName);
        }
    }

    /// <summary>
    /// Checks the sealed copy through a private read-only mapping: before Linux 6.7 a shared
    /// mapping of a write-sealed memfd opened read-write is refused (EPERM) even without
    /// PROT_WRITE. Sealed against shrinking, the copy cannot end under the mapping (which would be
    /// SIGBUS); MAP_POPULATE maps its pages in one call instead of one fault each.
    /// </summary>
    private static void CheckSealed(SafeFd copy, string path)
    {
        int err = Sys.TryFstatx(copy.Fd, Sys.STATX_SIZE, out statx stx);
        if (err != 0)
        {
            throw new ErrnoException("statx", err, "memfd:" + FileName);
        }

        int size = (int)stx.stx_size;
        if (size == 0)
        {
            Check(ReadOnlySpan<byte>.Empty, path);
            return;
        }

        void* map = mmap(null, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, copy.Fd, 0);
        if (map == MAP_FAILED)
        {
            throw ErrnoException.FromLast("mmap", "memfd:" + FileName);
        }

        try
        {
            Check(new ReadOnlySpan<byte>(map, size), path);
        }
        finally
        {
            munmap(map, (size_t)size);
        }
    }
}
