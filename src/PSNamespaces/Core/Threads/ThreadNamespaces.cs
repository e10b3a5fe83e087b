using System;
using System.Collections.Generic;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Threads;

/// <summary>
/// The namespaces of this process's threads, read from /proc/self/task/TID/ns/*. Namespaces
/// belong to threads, so "the session's namespaces" are those of the main thread (TID = PID),
/// which this module never moves; every other thread is compared against it.
/// </summary>
internal static class ThreadNamespaces
{
    // A thread's namespaces are its own: only the thread itself can change them, and this module
    // only does so on namespace workers. So once a thread is seen in the session's namespaces, it stays there.
    [ThreadStatic]
    private static bool t_seenInSession;

    /// <summary>The session's namespaces: the main thread's /proc/PID/ns entries, indexed by <see cref="NamespaceLink"/>.</summary>
    internal static void ReadSession(Span<ulong> inodes) =>
        Read("/proc/self/task/" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), inodes);

    /// <summary>
    /// The calling thread's namespaces (/proc/thread-self/ns/*), indexed by <see cref="NamespaceLink"/>:
    /// on a pipeline thread, the session's, or inside Invoke-InNamespace the target's.
    /// </summary>
    internal static void ReadCaller(Span<ulong> inodes) => Read("/proc/thread-self", inodes);

    /// <summary>The command name (comm) of a thread of this process, or "?" once it has ended.</summary>
    internal static string CommandOf(int tid)
    {
        try
        {
            return System.IO.File.ReadAllText("/proc/self/task/" + tid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/comm").TrimEnd('\n');
        }
        catch (System.IO.IOException)
        {
            return "?";
        }
    }

    /// <summary>
    /// The /proc/PID/ns entries where the calling thread differs from the main thread, empty when
    /// it is in the session's namespaces. A thread created by a thread that joined a target
    /// inherits that target: such a thread must not become a namespace worker for another target.
    /// </summary>
    internal static List<NamespaceLink> WhereCallerDiffers()
    {
        var differences = new List<NamespaceLink>();
        if (t_seenInSession)
        {
            return differences;
        }

        Span<ulong> main = stackalloc ulong[NamespaceLinks.Count];
        Span<ulong> self = stackalloc ulong[NamespaceLinks.Count];
        ReadSession(main);
        Read("/proc/thread-self", self);
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            if (main[i] != self[i])
            {
                differences.Add((NamespaceLink)i);
            }
        }

        t_seenInSession = differences.Count == 0;
        return differences;
    }

    /// <summary>Forgets that the calling thread was seen in the session's namespaces: it is about to leave them.</summary>
    internal static void LeavingSession() => t_seenInSession = false;

    /// <summary>
    /// Whether the calling thread may create threads. After setns into a PID namespace a thread's
    /// pid_for_children is not its own PID namespace, and the kernel refuses it CLONE_THREAD
    /// (EINVAL, which Thread.Start reports as OutOfMemoryException); the same after
    /// unshare(CLONE_NEWPID), where pid_for_children cannot even be read until the namespace has
    /// its PID 1.
    /// </summary>
    internal static bool CallerCanCreateThreads()
    {
        Span<byte> own = stackalloc byte[64];
        Span<byte> forChildren = stackalloc byte[64];
        return Sys.TryReadLinkAt(LibC.AT_FDCWD, "/proc/thread-self/ns/pid\0"u8, own, out int n) == 0 &&
               Sys.TryReadLinkAt(LibC.AT_FDCWD, "/proc/thread-self/ns/pid_for_children\0"u8, forChildren, out int m) == 0 &&
               n > 0 && own[..n].SequenceEqual(forChildren[..m]);
    }

    /// <summary>Whether a thread of this process is still listed in /proc/self/task (not yet gone).</summary>
    internal static bool IsListed(int tid) =>
        Sys.TryStatxAt(LibC.AT_FDCWD, Sys.NullTerminated("/proc/self/task/" + tid.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, Sys.STATX_TYPE, out _) == 0;

    /// <summary>The TIDs now in /proc/self/task.</summary>
    internal static int[] ListThreads()
    {
        using var task = new ProcRoot("/proc/self/task");
        return task.ListPids();
    }

    /// <summary>
    /// The threads among <paramref name="tids"/> that are in another namespace than the main
    /// thread for one of <paramref name="links"/>. A thread that exited meanwhile is skipped.
    /// </summary>
    internal static List<StrayThread> FindStrays(IEnumerable<int> tids, IReadOnlyCollection<NamespaceLink> links)
    {
        var strays = new List<StrayThread>();
        using var task = new ProcRoot("/proc/self/task");
        Span<ulong> main = stackalloc ulong[NamespaceLinks.Count];
        if (ReadAt(task, Environment.ProcessId, main) != 0)
        {
            throw new ErrnoException("readlinkat", Errno.ESRCH, "/proc/self/task");
        }

        Span<ulong> thread = stackalloc ulong[NamespaceLinks.Count];
        foreach (int tid in tids)
        {
            if (ReadAt(task, tid, thread) != 0)
            {
                continue;
            }

            foreach (NamespaceLink link in links)
            {
                if (thread[(int)link] != main[(int)link])
                {
                    strays.Add(new StrayThread(tid, link, thread[(int)link]));
                    break;
                }
            }
        }

        return strays;
    }

    private static int ReadAt(ProcRoot task, int tid, Span<ulong> inodes)
    {
        int err = task.TryOpenProcess(tid, out int fd);
        if (err != 0)
        {
            return err;
        }

        try
        {
            return ProcessNamespaceReader.TryReadLinks(fd, inodes, out _);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static void Read(string directory, Span<ulong> inodes)
    {
        using SafeFd fd = Sys.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY);
        int err = ProcessNamespaceReader.TryReadLinks(fd.Fd, inodes, out string function);
        if (err != 0)
        {
            throw new ErrnoException(function, err, directory);
        }
    }
}

/// <summary>A thread of this process found in a namespace other than the main thread's.</summary>
internal readonly record struct StrayThread(int Tid, NamespaceLink Link, ulong Inode);
