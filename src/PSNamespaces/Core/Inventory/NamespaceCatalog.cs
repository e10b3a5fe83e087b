// Core/Inventory — what Get-Namespace and Get-NamespaceProcess list: one pass over /proc
// (NamespaceCatalog, on a few threads with many processes, with the threads that differ from
// their main thread; ProcessScanner for per-process rows), the bind mounts from the mountinfo of
// each mount namespace (NsfsMounts), sockets' network namespaces, NETNSIDs over netlink
// (NetNsId), what holds a namespace (NamespaceHolders) and the trees lsns draws (NamespaceTree).
// Uses: Model, Proc, Attribution, Threads.

using System;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// Every namespace the caller can see, as <see cref="Namespace"/> objects: what lsns reports
/// (processes per namespace, the lowest PID, NETNSID, NSFS, PNS, ONS) and what keeps each alive.
/// One pass over /proc finds the namespaces processes (and threads apart from their main thread)
/// are in or will give their children; the mountinfo of the caller's and of every other mount
/// namespace a process is in adds those held by bind mounts; with descriptors, /proc/PID/fd adds
/// those held open and the network namespaces of sockets; the owner and parent of each found
/// namespace are added too. Each namespace is asked
/// about (ioctls, netlink) once, through a descriptor opened the first time it is seen.
/// </summary>
/// <remarks>
/// Read-only: no namespace is entered or changed, so the scan runs on the calling thread, and on
/// a few threads it creates when there are many processes (see NamespaceCatalog.Partitions.cs).
/// A process that exits during the scan is skipped silently; one that may not be read (EACCES:
/// the machine's PID 1 here) is skipped and listed in <see cref="Skipped"/>.
/// </remarks>
internal sealed partial class NamespaceCatalog : IDisposable
{
    private readonly Dictionary<ulong, Entry> _entries = new();
    private readonly List<SkippedProcess> _skipped = new();
    // Null for a catalog that reads only bind mounts: opening /proc is then a wasted syscall pair.
    private readonly ProcRoot? _proc;

    // When describing one namespace only, the others are counted but not asked about.
    private readonly ulong _onlyInode;

    private NamespaceCatalog(ulong onlyInode = 0, bool scansProcesses = true)
    {
        _onlyInode = onlyInode;
        _ownMountNamespace = CallersMountNamespace();
        _proc = scansProcesses ? new ProcRoot() : null;
    }

    /// <summary>A process the scan could not read (other than one that exited).</summary>
    internal readonly record struct SkippedProcess(int Pid, int Errno, string Function);

    /// <summary>The processes that could not be read, for a Verbose line each.</summary>
    internal IReadOnlyList<SkippedProcess> Skipped => _skipped;

    /// <summary>
    /// Scans the system. With includeDescriptors, every process's open descriptors too (slower);
    /// with allCgroups, every process's cgroup, for each namespace's Units and Containers.
    /// </summary>
    internal static NamespaceCatalog Scan(bool includeDescriptors, CancellationToken cancel, bool allCgroups = false)
    {
        var catalog = new NamespaceCatalog { _allCgroups = allCgroups };
        try
        {
            catalog.ScanProcesses(includeDescriptors, cancel);
            catalog.AddBindMounts();
            return catalog;
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Describes one namespace by kind and inode, as Get-Namespace shows it; null when no process,
    /// bind mount or descriptor of this process's view holds such a namespace.
    /// </summary>
    internal static Namespace? Describe(NamespaceType type, ulong inode, bool includeDescriptors = false)
    {
        using var catalog = new NamespaceCatalog(inode);
        catalog.ScanProcesses(includeDescriptors, CancellationToken.None);
        catalog.AddBindMounts();
        Namespace? found = catalog.Find(inode);
        return found is not null && found.Type == type ? found : null;
    }

    /// <summary>
    /// Describes a namespace no process can be in — one just made on a thread or by the helper
    /// that has ended, held only by its bind mounts — from the mount table alone. Skipping the
    /// /proc scan is what keeps making many named namespaces cheap on a busy system. Given the
    /// unique id of the bind mount just made (0 where unknown), only the mounts made since are
    /// read (<see cref="NsfsMounts.ReadSince"/>), not all of mountinfo, whose cost grows with
    /// every namespace already bound.
    /// </summary>
    internal static Namespace? DescribeBindMounted(NamespaceType type, ulong inode, ulong mountId = 0)
    {
        using var catalog = new NamespaceCatalog(inode, scansProcesses: false);
        catalog.AddBindMounts(mountId);
        Namespace? found = catalog.Find(inode);
        return found is not null && found.Type == type ? found : null;
    }

    /// <summary>
    /// Describes the namespace an open nsfs descriptor refers to, as Get-Namespace shows it: its
    /// processes and bind mounts counted by a scan, the rest asked through fd. It is found even
    /// when nothing but fd holds it. <paramref name="expected"/> is the kind the caller knows it
    /// to be, used only where the kernel lacks NS_GET_NSTYPE (before Linux 4.11).
    /// </summary>
    /// <exception cref="ErrnoException">fd is not a namespace (EINVAL/ENOTTY from NS_GET_NSTYPE) or cannot be stat'ed.</exception>
    internal static Namespace Describe(SafeFd fd, NamespaceType? expected = null)
    {
        int err = NamespaceIoctl.TryGetType(fd.Fd, out NamespaceType type, expected);
        if (err != 0)
        {
            throw new ErrnoException("ioctl(NS_GET_NSTYPE)", err);
        }

        err = Sys.TryFstatx(fd.Fd, Sys.STATX_INO, out Tmds.Linux.statx stx);
        if (err != 0)
        {
            throw new ErrnoException("statx", err);
        }

        using var catalog = new NamespaceCatalog(stx.stx_ino);
        catalog.DescribeNew(catalog.Add(type, stx.stx_ino), fd.Fd);
        catalog.ScanProcesses(includeDescriptors: false, CancellationToken.None);
        catalog.AddBindMounts();
        return catalog.Find(stx.stx_ino)!;
    }

    /// <summary>Every namespace found, ascending by inode (lsns's order).</summary>
    internal List<Namespace> Namespaces()
    {
        var list = new List<Namespace>(_entries.Count);
        var users = new UserNameCache();
        foreach (Entry entry in _entries.Values)
        {
            list.Add(entry.Complete(users));
        }

        list.Sort(static (a, b) => a.Inode.CompareTo(b.Inode));
        return list;
    }

    /// <summary>The namespace with this inode, or null.</summary>
    internal Namespace? Find(ulong inode) =>
        _entries.TryGetValue(inode, out Entry? entry) ? entry.Complete(new UserNameCache()) : null;

    /// <summary>
    /// The hot loop, over ascending PIDs: per process one directory open, ten readlinkat calls
    /// and one statx of its task directory (its other threads are read only when it has some).
    /// Consecutive PIDs nearly always share namespaces, so each link is first compared with the
    /// previous process's before a dictionary lookup.
    /// </summary>
    private void ScanProcesses(ReadOnlySpan<int> pids, bool includeDescriptors, CancellationToken cancel)
    {
        Span<ulong> inodes = stackalloc ulong[NamespaceLinks.Count];
        Span<ulong> previous = stackalloc ulong[NamespaceLinks.Count];
        var previousEntries = new Entry[NamespaceLinks.Count];
        var newlyRepresented = new Entry[NamespaceLinks.Count];
        foreach (int pid in pids)
        {
            cancel.ThrowIfCancellationRequested();
            // Raw descriptors closed with LibC.close in this loop and what it calls per process
            // (GetOrAdd, ScanDescriptors): a SafeFd would be one finalizable object per process.
            int err = _proc!.TryOpenProcess(pid, out int fd);
            if (err != 0)
            {
                NoteSkipped(pid, err, "open");
                continue;
            }

            try
            {
                err = ProcessNamespaceReader.TryReadLinks(fd, inodes, out string function);
                if (err != 0)
                {
                    NoteSkipped(pid, err, function);
                    continue;
                }

                int represented = 0;
                for (int i = 0; i < NamespaceLinks.Count; i++)
                {
                    ulong inode = inodes[i];
                    if (inode == 0)
                    {
                        continue;
                    }

                    var link = (NamespaceLink)i;
                    Entry entry = inode == previous[i] ? previousEntries[i] : GetOrAdd(link, inode, fd);
                    previous[i] = inode;
                    previousEntries[i] = entry;
                    if (link is NamespaceLink.PidForChildren or NamespaceLink.TimeForChildren)
                    {
                        // Usually the same as the process's own; different after unshare(CLONE_NEWPID/NEWTIME).
                        if (inode != inodes[(int)(link == NamespaceLink.PidForChildren ? NamespaceLink.Pid : NamespaceLink.Time)])
                        {
                            entry.HeldBy |= NamespaceHolder.ForChildren;
                        }

                        continue;
                    }

                    // /proc lists PIDs ascending, so the first process seen is the lowest.
                    if (entry.AddProcess(pid))
                    {
                        newlyRepresented[represented++] = entry;
                    }
                }

                CgroupAttribution? cgroup = _allCgroups ? ReadCgroup(fd, inodes, previousEntries) : null;
                if (represented > 0)
                {
                    SetRepresentative(pid, fd, newlyRepresented.AsSpan(0, represented), cgroup);
                }

                ScanThreads(pid, fd, inodes);
                if (includeDescriptors)
                {
                    ScanDescriptors(pid, fd);
                }
            }
            finally
            {
                close(fd);
            }
        }
    }

    /// <summary>Reads what lsns shows of a namespace's lowest PID (PPID, COMMAND, UID, USER) once for all its namespaces.</summary>
    private void SetRepresentative(int pid, int processFd, ReadOnlySpan<Entry> entries, CgroupAttribution? cgroup)
    {
        cgroup ??= _cgroups.Read(processFd);
        bool haveStat = ProcessNamespaceReader.TryReadStat(processFd, out int ppid, out string name) == 0;
        string command = ProcessNamespaceReader.ReadCommandLine(processFd);
        bool haveOwner = ProcessNamespaceReader.TryReadOwner(processFd, out uint uid) == 0;
        foreach (Entry entry in entries)
        {
            Namespace ns = entry.Namespace;
            ns.Pid = pid;
            ns.PPid = haveStat ? ppid : null;
            ns.Command = command.Length > 0 ? command : haveStat ? name : null;
            ns.Uid = haveOwner ? uid : null;
            entry.Cgroup = cgroup;
        }
    }

    /// <summary>
    /// The entry for a namespace seen through a process's (or thread's) link; a new one is asked
    /// about through that link, and a mount namespace new to this scan has its bind mounts read.
    /// </summary>
    private Entry GetOrAdd(NamespaceLink link, ulong inode, int processFd)
    {
        if (!_entries.TryGetValue(inode, out Entry? entry))
        {
            entry = Add(NamespaceLinks.TypeOf(link), inode);
        }

        if (link == NamespaceLink.Mount)
        {
            AddForeignBindMounts(inode, processFd);
        }

        if (Wanted(entry) && Sys.TryOpenAt(processFd, NamespaceLinks.RelativePath(link), O_RDONLY, out int fd) == 0)
        {
            try
            {
                DescribeNew(entry, fd);
            }
            finally
            {
                close(fd);
            }
        }

        return entry;
    }

    /// <summary>
    /// Asks the kernel about a namespace through an open descriptor of it
    /// (<see cref="NamespaceDescription"/>), adding its owner and parent to the catalog when not
    /// yet seen, as lsns does for its trees.
    /// </summary>
    private void DescribeNew(Entry entry, int fd)
    {
        entry.Described = true;
        NamespaceDescription.Ask(entry.Namespace, fd, Relate);
    }

    /// <summary>
    /// Marks a namespace as held by another (an owner or parent), adding it first when no
    /// process has shown it yet: an intermediate user namespace with no process left is still
    /// alive while something it owns is.
    /// </summary>
    private void Relate(ulong? inode, NamespaceType type, int fd)
    {
        if (inode is not ulong known)
        {
            return;
        }

        if (!_entries.TryGetValue(known, out Entry? related))
        {
            related = Add(type, known);
        }

        related.HeldBy |= NamespaceHolder.Namespace;
        if (Wanted(related))
        {
            DescribeNew(related, fd);
        }
    }

    private Entry Add(NamespaceType type, ulong inode)
    {
        var entry = new Entry(new Namespace(type, inode, Nsfs.Device));
        _entries.Add(inode, entry);
        return entry;
    }

    private bool Wanted(Entry entry) => !entry.Described && (_onlyInode == 0 || _onlyInode == entry.Namespace.Inode);

    private void NoteSkipped(int pid, int errno, string function)
    {
        // A process that exits between the /proc listing and its reading is not news.
        if (errno is not (Errno.ENOENT or Errno.ESRCH))
        {
            _skipped.Add(new SkippedProcess(pid, errno, function));
        }
    }

    public void Dispose() => _proc?.Dispose();
}
