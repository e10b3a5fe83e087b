using System;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core;

/// <summary>
/// Reads one process's namespace links, status and owner through its /proc/PID directory
/// descriptor. The hot path of every scan: no path strings, no per-link allocation.
/// </summary>
internal static class ProcessNamespaceReader
{
    /// <summary>Reads all ten /proc/PID/ns links; 0 where an entry is absent (an older kernel) or unreadable.</summary>
    /// <returns>0, or the errno that makes the whole process unreadable (EACCES, ESRCH...).</returns>
    internal static int ReadLinks(int processFd, Span<ulong> inodes, out string failedFunction)
    {
        Span<byte> text = stackalloc byte[64];
        failedFunction = "readlinkat";
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            int n = Sys.ReadLinkAt(processFd, NamespaceLinks.RelativePath((NamespaceLink)i), text);
            if (n >= 0)
            {
                inodes[i] = Nsfs.ParseInode(text[..n]);
                continue;
            }

            inodes[i] = 0;
            int err = -n;
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
    internal static int ReadLink(int processFd, NamespaceLink link, out ulong inode)
    {
        Span<byte> text = stackalloc byte[64];
        int n = Sys.ReadLinkAt(processFd, NamespaceLinks.RelativePath(link), text);
        inode = n >= 0 ? Nsfs.ParseInode(text[..n]) : 0;
        return n >= 0 ? 0 : -n;
    }

    /// <summary>Reads /proc/PID/status into buffer; returns the length or -errno.</summary>
    internal static int ReadStatus(int processFd, Span<byte> buffer) =>
        Sys.ReadSmallFileAt(processFd, "status\0"u8, buffer);

    /// <summary>The owner of /proc/PID (the process's effective uid, as lsns and ps report it).</summary>
    internal static int ReadOwner(int processFd, out uint uid)
    {
        int err = Sys.TryFstatx(processFd, Sys.STATX_UID, out statx stx);
        uid = err == 0 ? stx.stx_uid : uint.MaxValue;
        return err;
    }
}
