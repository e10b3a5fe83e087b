using System;
using System.Buffers.Text;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core;

/// <summary>
/// An open descriptor on /proc. Everything under it is reached with *at calls relative to
/// directory descriptors, so a scan never builds a path string and a process's directory,
/// once open, keeps referring to that process even if its PID is reused.
/// </summary>
internal sealed unsafe class ProcRoot : IDisposable
{
    private readonly SafeFd _fd;

    internal ProcRoot(string path = "/proc")
    {
        _fd = Sys.Open(path, LibC.O_RDONLY | LibC.O_DIRECTORY);
    }

    internal int Fd => _fd.Fd;

    /// <summary>Every PID (thread-group id) listed in /proc, in the order the kernel lists them (ascending).</summary>
    internal int[] ListPids()
    {
        // /proc lists entries from the start on every open; rewind by reopening "." relative to us.
        using SafeFd dir = Sys.OpenAt(_fd.Fd, ".", LibC.O_RDONLY | LibC.O_DIRECTORY);
        int[] pids = new int[512];
        int count = 0;
        byte[] buffer = new byte[32 * 1024];
        fixed (byte* buf = buffer)
        {
            while (true)
            {
                nint n = Sys.getdents64(dir.Fd, buf, (nuint)buffer.Length);
                if (n < 0)
                {
                    throw ErrnoException.FromLast("getdents64", "/proc");
                }

                if (n == 0)
                {
                    break;
                }

                for (int offset = 0; offset < n;)
                {
                    byte* entry = buf + offset;
                    offset += *(ushort*)(entry + Sys.DirentRecLenOffset);
                    if (entry[Sys.DirentTypeOffset] != Sys.DT_DIR)
                    {
                        continue;
                    }

                    int pid = ParsePid(entry + Sys.DirentNameOffset);
                    if (pid <= 0)
                    {
                        continue;
                    }

                    if (count == pids.Length)
                    {
                        Array.Resize(ref pids, pids.Length * 2);
                    }

                    pids[count++] = pid;
                }
            }
        }

        Array.Resize(ref pids, count);
        return pids;
    }

    /// <summary>Opens /proc/PID as a directory descriptor; returns 0 or the errno.</summary>
    internal int TryOpenProcess(int pid, out int fd)
    {
        Span<byte> name = stackalloc byte[12];
        Utf8Formatter.TryFormat(pid, name, out int written);
        name[written] = 0;
        return Sys.TryOpenAt(_fd.Fd, name[..(written + 1)], LibC.O_RDONLY | LibC.O_DIRECTORY, out fd);
    }

    /// <summary>
    /// Reads /proc/PID/ns/ENTRY with one readlinkat relative to this directory, without opening
    /// /proc/PID: the cheapest test of which namespace a process is in. Returns 0 or the errno.
    /// </summary>
    internal int TryReadLink(int pid, NamespaceLink link, out ulong inode)
    {
        Span<byte> path = stackalloc byte[40];
        Utf8Formatter.TryFormat(pid, path, out int written);
        path[written++] = (byte)'/';
        ReadOnlySpan<byte> entry = NamespaceLinks.RelativePath(link);
        entry.CopyTo(path[written..]);
        Span<byte> text = stackalloc byte[64];
        int n = Sys.ReadLinkAt(_fd.Fd, path[..(written + entry.Length)], text);
        inode = n >= 0 ? Nsfs.ParseInode(text[..n]) : 0;
        return n >= 0 ? 0 : -n;
    }

    /// <summary>The PID a directory entry names, or 0 for anything that is not all digits.</summary>
    private static int ParsePid(byte* name)
    {
        int value = 0;
        int i = 0;
        for (; name[i] != 0; i++)
        {
            uint digit = (uint)(name[i] - '0');
            if (digit > 9 || i >= 10)
            {
                return 0;
            }

            value = (value * 10) + (int)digit;
        }

        return i == 0 ? 0 : value;
    }

    public void Dispose() => _fd.Dispose();
}
