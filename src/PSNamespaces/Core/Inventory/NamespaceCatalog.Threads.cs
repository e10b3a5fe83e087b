using System;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

// The namespaces a thread is in that its process's main thread is not: /proc/PID/ns shows the
// main thread's, and setns/unshare change only the calling thread (an Invoke-InNamespace worker
// is one). Read only for processes with more than one thread, which the task directory's link
// count tells in one statx.
internal sealed partial class NamespaceCatalog
{
    /// <summary>
    /// Adds the namespaces the other threads of a process are in where they differ from the main
    /// thread's <paramref name="processInodes"/> (0 where the main thread's link could not be read:
    /// a main thread that has exited leaves its links empty while its other threads live on).
    /// </summary>
    private void ScanThreads(int pid, int processFd, ReadOnlySpan<ulong> processInodes)
    {
        // proc_task_getattr adds the thread count to the directory's 2 links: more than 3 is more than one thread.
        if (Sys.TryStatxAt(processFd, "task\0"u8, AT_SYMLINK_NOFOLLOW, Sys.STATX_NLINK, out Tmds.Linux.statx stx) != 0 ||
            stx.stx_nlink <= 3)
        {
            return;
        }

        // Per process in the scan's loop: raw descriptors closed with LibC.close, as there.
        if (Sys.TryOpenAt(processFd, "task\0"u8, O_RDONLY | O_DIRECTORY, out int taskFd) != 0)
        {
            return;
        }

        try
        {
            Span<byte> entries = stackalloc byte[4096];
            Span<byte> path = stackalloc byte[48];
            Span<ulong> own = stackalloc ulong[NamespaceLinks.Count];
            var reader = new DirectoryReader(taskFd, entries);
            while (reader.Next(out ReadOnlySpan<byte> entry, out _, out _))
            {
                int tid = DirectoryReader.ParseNumber(entry);
                if (tid > 0 && tid != pid)
                {
                    ScanThread(tid, taskFd, entry, path, processInodes, own);
                }
            }
        }
        finally
        {
            close(taskFd);
        }
    }

    /// <summary>
    /// Reads one thread's links as "TID/ns/LINK" under the task directory, without opening the
    /// thread's own directory: that is opened only when a link differs (rare), to ask about a
    /// namespace new to the scan or read a mount namespace's table through it.
    /// </summary>
    private void ScanThread(int tid, int taskFd, ReadOnlySpan<byte> name, Span<byte> path, ReadOnlySpan<ulong> processInodes, Span<ulong> own)
    {
        name.CopyTo(path);
        path[name.Length] = (byte)'/';
        Span<byte> linkPath = path[(name.Length + 1)..];
        Span<byte> text = stackalloc byte[64];
        bool differs = false;
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            var link = (NamespaceLink)i;
            own[i] = processInodes[i];
            if (processInodes[i] != 0 && !ThreadCanDiffer(link))
            {
                continue;
            }

            ReadOnlySpan<byte> relative = NamespaceLinks.RelativePath(link); // "ns/net\0"
            relative.CopyTo(linkPath);
            if (Sys.TryReadLinkAt(taskFd, path[..(name.Length + 1 + relative.Length)], text, out int n) == 0)
            {
                own[i] = Nsfs.ParseInode(text[..n]);
                differs |= own[i] != processInodes[i];
            }
        }

        if (!differs)
        {
            return;
        }

        path[name.Length] = 0;
        if (Sys.TryOpenAt(taskFd, path[..(name.Length + 1)], O_RDONLY | O_DIRECTORY, out int threadFd) != 0)
        {
            return; // the thread ended meanwhile
        }

        try
        {
            AddThread(tid, threadFd, processInodes, own);
        }
        finally
        {
            close(threadFd);
        }
    }

    /// <summary>Adds the namespaces a thread is in (own) where they differ from its main thread's.</summary>
    private void AddThread(int tid, int threadFd, ReadOnlySpan<ulong> processInodes, ReadOnlySpan<ulong> own)
    {
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            ulong inode = own[i];
            if (inode == 0 || inode == processInodes[i])
            {
                continue;
            }

            var link = (NamespaceLink)i;
            Entry entry = GetOrAdd(link, inode, threadFd);
            if (link is NamespaceLink.PidForChildren or NamespaceLink.TimeForChildren)
            {
                // The thread's next children, as for a process; usually the same as its own.
                if (inode != own[(int)(link == NamespaceLink.PidForChildren ? NamespaceLink.Pid : NamespaceLink.Time)])
                {
                    entry.HeldBy |= NamespaceHolder.ForChildren;
                }

                continue;
            }

            entry.AddThread(tid);
        }
    }

    /// <summary>
    /// Whether one thread can be in another namespace of this kind than its main thread. Not for
    /// user and time namespaces: the kernel refuses setns and unshare into them in a multithreaded
    /// process (unshare of a time namespace changes time_for_children only). Not for the PID
    /// namespace: a thread's own never changes (unshare and setns change pid_for_children).
    /// </summary>
    private static bool ThreadCanDiffer(NamespaceLink link) =>
        link is not (NamespaceLink.User or NamespaceLink.Time or NamespaceLink.Pid);
}
