// Core/Proc — reading /proc fast: /proc (or /proc/self/task) held open as a directory
// descriptor, PIDs listed with getdents64, each process opened once and its ns links read with
// readlinkat into stack buffers (ProcessNamespaceReader), status parsed without strings
// (ProcStatusText), the procfs control files written safely (ProcControlFile), and whether /proc
// is pwsh's own PID namespace's at all (ProcMount).
// Uses: Model.

using System;
using System.Buffers.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Proc;

/// <summary>
/// An open descriptor on /proc. Everything under it is reached with *at calls relative to
/// directory descriptors, so a scan never builds a path string and a process's directory,
/// once open, keeps referring to that process even if its PID is reused.
/// </summary>
internal sealed class ProcRoot : IDisposable
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
        var reader = new DirectoryReader(dir.Fd, new byte[32 * 1024]);
        int err;
        while (reader.Next(out ReadOnlySpan<byte> name, out byte type, out err))
        {
            int pid = type == Sys.DT_DIR ? DirectoryReader.ParseNumber(name) : -1;
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

        if (err != 0)
        {
            throw new ErrnoException("getdents64", err, "/proc");
        }

        Array.Resize(ref pids, count);
        return pids;
    }

    /// <summary>Opens /proc/PID as a directory descriptor; returns 0 or the errno.</summary>
    /// <remarks>
    /// A raw descriptor the caller closes with LibC.close, not a SafeFd: the /proc scan opens one
    /// per process, and a SafeFd would be one finalizable object per process.
    /// </remarks>
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
        int err = Sys.TryReadLinkAt(_fd.Fd, path[..(written + entry.Length)], text, out int n);
        inode = err == 0 ? Nsfs.ParseInode(text[..n]) : 0;
        return err;
    }

    public void Dispose() => _fd.Dispose();
}
