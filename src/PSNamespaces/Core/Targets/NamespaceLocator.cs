using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// Opens the namespace that has a kind and inode now. A namespace has no path of its own: it is
/// reached through a process in it (/proc/PID/ns/TYPE) or an nsfs bind mount holding it. Each
/// candidate is opened and kept only if the descriptor has that kind and inode: the open
/// descriptor cannot change under us, a PID or a path can.
/// </summary>
/// <remarks>
/// At most one live namespace has an inode, so the first candidate found is the only one; but it
/// need not be the namespace an object was made from: nsfs hands a freed inode number straight
/// to the next namespace made. <see cref="TargetResolver"/> compares the 64-bit NS_GET_ID.
/// </remarks>
internal static class NamespaceLocator
{
    /// <summary>
    /// The namespace opened through the first candidate that holds it: the paths and PIDs given
    /// (what a namespace object knows), then any nsfs mount of it, then any process in it.
    /// Null when nothing holds it any more.
    /// </summary>
    internal static NamespaceFile? TryOpen(NamespaceType type, ulong inode, IEnumerable<string> paths, IEnumerable<int> pids) =>
        TryOpenWithoutScan(type, inode, paths, pids) ?? TryOpenByScan(type, inode);

    /// <summary>
    /// The namespace opened through the paths and PIDs given or an nsfs mount of it, without
    /// walking /proc: for a caller that walks /proc anyway and can check the first process it
    /// finds in the namespace.
    /// </summary>
    internal static NamespaceFile? TryOpenWithoutScan(NamespaceType type, ulong inode, IEnumerable<string> paths, IEnumerable<int> pids)
    {
        foreach (string path in paths)
        {
            if (TryOpenIfSame(path, type, inode) is NamespaceFile file)
            {
                return file;
            }
        }

        foreach (int pid in pids)
        {
            if (TryOpenIfSame(ProcPath(pid, type), type, inode) is NamespaceFile file)
            {
                return file;
            }
        }

        foreach (NsfsMount mount in NsfsMounts.Read(inode))
        {
            if (mount.Type == type && TryOpenIfSame(mount.MountPoint, type, inode) is NamespaceFile file)
            {
                return file;
            }
        }

        return null;
    }

    /// <summary>The namespace opened through the first process in it, found by walking /proc.</summary>
    private static NamespaceFile? TryOpenByScan(NamespaceType type, ulong inode)
    {
        using var proc = new ProcRoot();
        NamespaceLink link = NamespaceLinks.Of(type);
        foreach (int pid in proc.ListPids())
        {
            if (proc.TryOpenProcess(pid, out int fd) != 0)
            {
                continue;
            }

            int err;
            ulong found;
            using (var process = new SafeFd(fd))
            {
                err = ProcessNamespaceReader.TryReadLink(process.Fd, link, out found);
            }

            if (err == 0 && found == inode && TryOpenIfSame(ProcPath(pid, type), type, inode) is NamespaceFile file)
            {
                return file;
            }
        }

        return null;
    }

    internal static string ProcPath(int pid, NamespaceType type) =>
        "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/ns/" + type.ProcName();

    /// <summary>The namespace at a path, when it has this kind and inode; else null.</summary>
    internal static NamespaceFile? TryOpenIfSame(string path, NamespaceType type, ulong inode)
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

        if (file.Type == type && file.Inode == inode)
        {
            return file;
        }

        file.Dispose();
        return null;
    }
}
