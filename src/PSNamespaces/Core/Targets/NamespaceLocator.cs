using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// Opens a namespace known only by its identity (kind and inode, as a namespace object carries
/// it). A namespace has no path of its own: it is reached through a process in it
/// (/proc/PID/ns/TYPE) or an nsfs bind mount holding it. Each candidate is opened and kept only if
/// the descriptor is that very namespace: the open descriptor cannot change under us, a PID or a
/// path can.
/// </summary>
/// <remarks>
/// The inode alone does not prove it: nsfs hands a freed namespace's inode number to the next
/// namespace made, so a PID reused by a process in a new namespace can show the old inode. Where
/// the object carries the 64-bit NS_GET_ID, which the kernel never reuses, it must match too.
/// </remarks>
internal static class NamespaceLocator
{
    /// <summary>
    /// The namespace opened through the first candidate that holds it: the paths and PIDs given
    /// (what a namespace object knows), then any nsfs mount of it, then any process in it.
    /// Null when nothing holds it any more.
    /// </summary>
    internal static NamespaceFile? TryOpen(NamespaceType type, ulong inode, ulong? nsId, IEnumerable<string> paths, IEnumerable<int> pids) =>
        TryOpenWithoutScan(type, inode, nsId, paths, pids) ?? TryOpenByScan(type, inode, nsId);

    /// <summary>
    /// The namespace opened through the paths and PIDs given or an nsfs mount of it, without
    /// walking /proc: for a caller that walks /proc anyway and can check the first process it
    /// finds in the namespace (<see cref="TryOpenIfSame"/>).
    /// </summary>
    internal static NamespaceFile? TryOpenWithoutScan(NamespaceType type, ulong inode, ulong? nsId, IEnumerable<string> paths, IEnumerable<int> pids)
    {
        foreach (string path in paths)
        {
            if (TryOpenIfSame(path, type, inode, nsId) is NamespaceFile file)
            {
                return file;
            }
        }

        foreach (int pid in pids)
        {
            if (TryOpenIfSame(ProcPath(pid, type), type, inode, nsId) is NamespaceFile file)
            {
                return file;
            }
        }

        foreach (NsfsMount mount in NsfsMounts.Read(inode))
        {
            if (mount.Type == type && TryOpenIfSame(mount.MountPoint, type, inode, nsId) is NamespaceFile file)
            {
                return file;
            }
        }

        return null;
    }

    /// <summary>The namespace opened through the first process in it, found by walking /proc.</summary>
    private static NamespaceFile? TryOpenByScan(NamespaceType type, ulong inode, ulong? nsId)
    {
        using var proc = new ProcRoot();
        NamespaceLink link = NamespaceLinks.Of(type);
        foreach (int pid in proc.ListPids())
        {
            if (proc.TryOpenProcess(pid, out int fd) != 0)
            {
                continue;
            }

            int err = ProcessNamespaceReader.ReadLink(fd, link, out ulong found);
            Tmds.Linux.LibC.close(fd);
            if (err == 0 && found == inode && TryOpenIfSame(ProcPath(pid, type), type, inode, nsId) is NamespaceFile file)
            {
                return file;
            }
        }

        return null;
    }

    internal static string ProcPath(int pid, NamespaceType type) =>
        "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/ns/" + type.ProcName();

    /// <summary>The namespace at a path, when it is the one of this kind, inode and (where known) id; else null.</summary>
    internal static NamespaceFile? TryOpenIfSame(string path, NamespaceType type, ulong inode, ulong? nsId)
    {
        NamespaceFile file;
        try
        {
            file = NamespaceFile.Open(path);
        }
        catch (System.Exception ex) when (ex is ErrnoException or NotANamespaceException)
        {
            // Gone, unreadable, or not a namespace: not a way to this one.
            return null;
        }

        // Where the kernel has no NS_GET_ID, TryGetId answers null: the inode is all there is.
        if (file.Type == type && file.Inode == inode &&
            (nsId is null || NamespaceIoctl.TryGetId(file.Fd.Fd) is not ulong id || id == nsId))
        {
            return file;
        }

        file.Dispose();
        return null;
    }
}
