using System;
using System.Collections.Generic;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Model;

/// <summary>
/// A PID namespace and its ancestors up to the caller's own PID namespace, found by asking
/// NS_GET_PARENT from the innermost one: the namespaces an NSpid line's numbers belong to.
/// The kernel refuses (EPERM) to go above the caller's PID namespace, which is where the walk ends.
/// </summary>
internal static class PidNamespaceAncestry
{
    /// <summary>One level: the namespace's inode and, where the kernel has NS_GET_ID, its 64-bit id.</summary>
    internal readonly record struct Level(ulong Inode, ulong? NsId);

    /// <summary>
    /// The namespace behind <paramref name="pidNamespaceFd"/> and its parents, innermost first,
    /// at most <paramref name="maxLevels"/> of them; the descriptor stays the caller's. Returns
    /// 0, or the errno of a failed statx (a parent that cannot be asked ends the list, not the call).
    /// </summary>
    internal static int Walk(int pidNamespaceFd, int maxLevels, List<Level> levels)
    {
        // Walked for every process Get-ProcNsStatus lists: raw parent descriptors closed as the
        // walk goes up, no SafeFd allocated per level.
        int fd = pidNamespaceFd;
        try
        {
            while (levels.Count < maxLevels)
            {
                int err = Sys.TryFstatx(fd, Sys.STATX_INO, out statx stx);
                if (err != 0)
                {
                    return err;
                }

                levels.Add(new Level(stx.stx_ino, NamespaceIoctl.TryGetId(fd)));
                if (levels.Count == maxLevels || NamespaceIoctl.TryOpenRelated(fd, NamespaceIoctl.NS_GET_PARENT, out int parent) != 0)
                {
                    return 0;
                }

                Close(fd, pidNamespaceFd);
                fd = parent;
            }

            return 0;
        }
        finally
        {
            Close(fd, pidNamespaceFd);
        }
    }

    /// <summary>
    /// How many levels below the caller's PID namespace the namespace is (0: the caller's own),
    /// or -1 when it is not the caller's or below it: then no PID of it is visible to the caller
    /// that the caller could not see already.
    /// </summary>
    internal static int DepthBelowCaller(int pidNamespaceFd)
    {
        var levels = new List<Level>();
        if (Walk(pidNamespaceFd, int.MaxValue, levels) != 0 || levels.Count == 0)
        {
            return -1;
        }

        return levels[^1].Inode == CallerInode() ? levels.Count - 1 : -1;
    }

    /// <summary>The inode of the calling thread's PID namespace (the one PIDs in /proc are in).</summary>
    internal static ulong CallerInode()
    {
        int err = Sys.TryStatxAt(LibC.AT_FDCWD, "/proc/thread-self/ns/pid\0"u8, 0, Sys.STATX_INO, out statx stx);
        return err == 0 ? stx.stx_ino : throw new ErrnoException("statx", err, "/proc/thread-self/ns/pid");
    }

    private static void Close(int fd, int callers)
    {
        if (fd != callers)
        {
            LibC.close(fd);
        }
    }
}
