using System;
using System.Collections.Generic;
using PSNamespaces.Core.Proc;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// Translates process ids between a PID namespace and the caller's: the question "which process
/// is PID 10 in that namespace?" and its reverse. Asks the kernel (NS_GET_TGID_FROM_PIDNS /
/// NS_GET_TGID_IN_PIDNS, Linux 6.11+) and, where it has no such ioctl, reads the NSpid lines of
/// /proc, whose numbers are one per PID namespace from the caller's down. Process ids by default
/// (NS_GET_TGID_*, NStgid: a thread's id names its process); thread ids with <c>threads</c>
/// (NS_GET_PID_*, NSpid of /proc/PID/task/TID).
/// </summary>
internal static class PidTranslation
{
    /// <summary>
    /// The caller-side PID of the process that has <paramref name="pid"/> inside the PID namespace
    /// of <paramref name="pidNamespace"/>; 0 or the errno (ESRCH: no such process visible to the caller).
    /// </summary>
    internal static int TryFromNamespace(NamespaceFile pidNamespace, int pid, out int callerPid, bool threads = false)
    {
        int request = threads ? PidNamespaceIoctl.NS_GET_PID_FROM_PIDNS : PidNamespaceIoctl.NS_GET_TGID_FROM_PIDNS;
        int err = PidNamespaceIoctl.TryTranslate(pidNamespace.Fd.Fd, request, pid, out callerPid);
        return err == Errno.ENOTTY ? SearchFromNamespace(pidNamespace, pid, threads, out callerPid) : err;
    }

    /// <summary>
    /// The PID the caller's process <paramref name="callerPid"/> has inside the PID namespace of
    /// <paramref name="pidNamespace"/>; 0 or the errno (ESRCH: not visible there, or no such process).
    /// </summary>
    internal static int TryIntoNamespace(NamespaceFile pidNamespace, int callerPid, out int pid, bool threads = false)
    {
        int request = threads ? PidNamespaceIoctl.NS_GET_PID_IN_PIDNS : PidNamespaceIoctl.NS_GET_TGID_IN_PIDNS;
        int err = PidNamespaceIoctl.TryTranslate(pidNamespace.Fd.Fd, request, callerPid, out pid);
        return err == Errno.ENOTTY ? SearchIntoNamespace(pidNamespace, callerPid, threads, out pid) : err;
    }

    /// <summary>
    /// Whether any process is left in the PID namespace: once its init (PID 1) has exited the
    /// kernel has killed the rest, and a file that still holds it holds an empty namespace.
    /// </summary>
    internal static bool HasInit(NamespaceFile pidNamespace) => TryFromNamespace(pidNamespace, 1, out _) == 0;

    /// <summary>
    /// Without the ioctl: a namespace <c>k</c> levels below the caller's has each process's PID
    /// in it as the number at index <c>k</c> of NSpid; a match is confirmed by walking that
    /// process's PID namespace up to level <c>k</c>, since a sibling namespace at the same depth
    /// numbers its processes too.
    /// </summary>
    private static int SearchFromNamespace(NamespaceFile pidNamespace, int pid, bool threads, out int callerPid)
    {
        callerPid = 0;
        int depth = PidNamespaceAncestry.DepthBelowCaller(pidNamespace.Fd.Fd);
        if (depth < 0)
        {
            return Errno.ESRCH;
        }

        using var proc = new ProcRoot();
        foreach (int candidate in proc.ListPids())
        {
            if (!threads)
            {
                if (Matches(proc, candidate, depth, pid, pidNamespace.Inode, "NStgid:"u8))
                {
                    callerPid = candidate;
                    return 0;
                }

                continue;
            }

            ProcRoot tasks;
            try
            {
                tasks = new ProcRoot("/proc/" + candidate.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/task");
            }
            catch (ErrnoException)
            {
                continue; // exited during the scan
            }

            using (tasks)
            {
                foreach (int tid in tasks.ListPids())
                {
                    if (Matches(tasks, tid, depth, pid, pidNamespace.Inode, "NSpid:"u8))
                    {
                        callerPid = tid;
                        return 0;
                    }
                }
            }
        }

        return Errno.ESRCH;
    }

    /// <summary>Whether the entry's number at index <paramref name="depth"/> of the list field is <paramref name="pid"/>, in that very namespace.</summary>
    private static bool Matches(ProcRoot directory, int entry, int depth, int pid, ulong pidNamespaceInode, ReadOnlySpan<byte> field)
    {
        // Called for every process of the search: a raw descriptor, no SafeFd allocated per process.
        if (directory.TryOpenProcess(entry, out int fd) != 0)
        {
            return false;
        }

        try
        {
            int[] ids = ReadIds(fd, field);
            return ids.Length > depth && ids[depth] == pid && LevelInode(fd, ids.Length - 1 - depth) == pidNamespaceInode;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>
    /// Without the ioctl: the process's NStgid (a thread's NSpid) has one number per level from the caller's PID
    /// namespace down to its own; the level whose namespace is the one asked for holds the answer.
    /// </summary>
    private static int SearchIntoNamespace(NamespaceFile pidNamespace, int callerPid, bool threads, out int pid)
    {
        pid = 0;
        using var proc = new ProcRoot();
        int err = proc.TryOpenProcess(callerPid, out int raw);
        if (err != 0)
        {
            return err == Errno.ENOENT ? Errno.ESRCH : err;
        }

        using var process = new SafeFd(raw);
        int[] ids = ReadIds(process.Fd, threads ? "NSpid:"u8 : "NStgid:"u8);
        var levels = new List<PidNamespaceAncestry.Level>();
        err = WalkProcess(process.Fd, ids.Length, levels);
        if (err != 0)
        {
            return err;
        }

        for (int up = 0; up < levels.Count && up < ids.Length; up++)
        {
            if (levels[up].Inode == pidNamespace.Inode)
            {
                pid = ids[ids.Length - 1 - up];
                return 0;
            }
        }

        return Errno.ESRCH;
    }

    /// <summary>The inode of the process's PID namespace <paramref name="up"/> levels above its own, or 0.</summary>
    private static ulong LevelInode(int processFd, int up)
    {
        var levels = new List<PidNamespaceAncestry.Level>(up + 1);
        return WalkProcess(processFd, up + 1, levels) == 0 && levels.Count == up + 1 ? levels[up].Inode : 0;
    }

    /// <summary>Walks up from /proc/PID/ns/pid (see <see cref="PidNamespaceAncestry.Walk"/>); 0 or the errno.</summary>
    internal static int WalkProcess(int processFd, int maxLevels, List<PidNamespaceAncestry.Level> levels)
    {
        // Called per process by Get-ProcNsStatus and the NStgid search: a raw descriptor, no SafeFd per process.
        int err = Sys.TryOpenAt(processFd, "ns/pid\0"u8, LibC.O_RDONLY, out int nsFd);
        if (err != 0)
        {
            return err;
        }

        try
        {
            return PidNamespaceAncestry.Walk(nsFd, maxLevels, levels);
        }
        finally
        {
            LibC.close(nsFd);
        }
    }

    private static int[] ReadIds(int processFd, ReadOnlySpan<byte> field)
    {
        Span<byte> buffer = stackalloc byte[8192];
        return ProcessNamespaceReader.TryReadStatus(processFd, buffer, out int length) == 0 && length > 0 ? new ProcStatusText(buffer[..length]).IntList(field) : Array.Empty<int>();
    }
}
