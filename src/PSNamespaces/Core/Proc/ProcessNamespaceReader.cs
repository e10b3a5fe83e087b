using System;
using System.Buffers.Text;
using System.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Proc;

/// <summary>
/// Reads one process's namespace links, status and owner through its /proc/PID directory
/// descriptor. The hot path of every scan: no path strings, no per-link allocation. Each Try*
/// returns 0 or the errno, as Interop's do.
/// </summary>
internal static class ProcessNamespaceReader
{
    /// <summary>Reads all ten /proc/PID/ns links; 0 where an entry is absent (an older kernel) or unreadable.</summary>
    /// <returns>0, or the errno that makes the whole process unreadable (EACCES, ESRCH...).</returns>
    internal static int TryReadLinks(int processFd, Span<ulong> inodes, out string failedFunction)
    {
        Span<byte> text = stackalloc byte[64];
        failedFunction = "readlinkat";
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            int err = Sys.TryReadLinkAt(processFd, NamespaceLinks.RelativePath((NamespaceLink)i), text, out int n);
            if (err == 0)
            {
                inodes[i] = Nsfs.ParseInode(text[..n]);
                continue;
            }

            inodes[i] = 0;
            // ENOENT on one entry means the kernel has no such kind; anything else
            // (EACCES from ptrace rules, ESRCH from a process that just exited) concerns the process.
            if (err != Errno.ENOENT)
            {
                return err;
            }
        }

        return 0;
    }

    /// <summary>Reads one /proc/PID/ns link; returns 0 or the errno.</summary>
    internal static int TryReadLink(int processFd, NamespaceLink link, out ulong inode)
    {
        Span<byte> text = stackalloc byte[64];
        int err = Sys.TryReadLinkAt(processFd, NamespaceLinks.RelativePath(link), text, out int n);
        inode = err == 0 ? Nsfs.ParseInode(text[..n]) : 0;
        return err;
    }

    /// <summary>Reads /proc/PID/status into buffer; returns 0 or the errno, the bytes read in length.</summary>
    internal static int TryReadStatus(int processFd, Span<byte> buffer, out int length) =>
        Sys.TryReadSmallFileAt(processFd, "status\0"u8, buffer, out length);

    /// <summary>
    /// The parent PID and command name from /proc/PID/stat ("17 (sleep) S 16 ..."); the name is
    /// everything between the first '(' and the last ')', since a name may itself hold ')'.
    /// </summary>
    /// <returns>0, or the errno (EINVAL when the text is not of that form).</returns>
    internal static int TryReadStat(int processFd, out int ppid, out string command)
    {
        ppid = -1;
        command = "";
        Span<byte> text = stackalloc byte[1024];
        int err = Sys.TryReadSmallFileAt(processFd, "stat\0"u8, text, out int n);
        if (err != 0)
        {
            return err;
        }

        ReadOnlySpan<byte> line = text[..n];
        int open = line.IndexOf((byte)'(');
        int close = line.LastIndexOf((byte)')');
        // After ')': " S PPID ".
        if (open < 0 || close < open || close + 4 >= line.Length ||
            !Utf8Parser.TryParse(line[(close + 4)..], out ppid, out _))
        {
            return Errno.EINVAL;
        }

        command = Encoding.UTF8.GetString(line[(open + 1)..close]);
        return 0;
    }

    /// <summary>
    /// /proc/PID/cmdline with its NUL separators as spaces, as lsns and ps print it; the first
    /// 8 KiB, as lsns reads. Empty for kernel threads and zombies.
    /// </summary>
    internal static string ReadCommandLine(int processFd)
    {
        Span<byte> text = stackalloc byte[8192];
        if (Sys.TryReadSmallFileAt(processFd, "cmdline\0"u8, text, out int n) != 0 || n == 0)
        {
            return "";
        }

        Span<byte> line = text[..n].TrimEnd((byte)0);
        line.Replace((byte)0, (byte)' ');
        return Encoding.UTF8.GetString(line);
    }

    /// <summary>The owner of /proc/PID (the process's effective uid, as lsns and ps report it); returns 0 or the errno.</summary>
    internal static int TryReadOwner(int processFd, out uint uid)
    {
        int err = Sys.TryFstatx(processFd, Sys.STATX_UID, out statx stx);
        uid = err == 0 ? stx.stx_uid : uint.MaxValue;
        return err;
    }
}
