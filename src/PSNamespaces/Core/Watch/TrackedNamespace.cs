using System;
using System.Collections.Generic;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Watch;

/// <summary>
/// A namespace the watcher knows: its description (asked of the kernel once, when first seen),
/// what holds it as /proc and mountinfo show, and its file handle, which names it without holding
/// it, so that once nothing visible holds it the kernel can be asked whether something else does.
/// </summary>
internal sealed class TrackedNamespace
{
    private readonly List<string> _paths = new();

    private TrackedNamespace(Namespace ns, NamespaceHandle? handle)
    {
        Namespace = ns;
        Handle = handle;
    }

    /// <summary>The description written with each event; kept as last seen once its holders go.</summary>
    internal Namespace Namespace { get; }

    /// <summary>Null where the kernel gives no file handles for nsfs (before Linux 6.18), or while it is not described.</summary>
    internal NamespaceHandle? Handle { get; private set; }

    /// <summary>False while the kernel could not be asked about it (it went before it could be opened): kind and inode only.</summary>
    internal bool Described { get; private set; }

    /// <summary>Its Added event while it is held back (found by a process, waiting for a bind mount); null once written (or when there is none).</summary>
    internal PendingAdded? PendingAdded { get; set; }

    /// <summary>The processes in it (their own link, not *_for_children).</summary>
    internal SortedSet<int> Pids { get; } = new();

    /// <summary>Every /proc/PID/ns link that names it, *_for_children ones included.</summary>
    internal int Links { get; set; }

    /// <summary>The *_for_children links that name it where the process itself is in another (after unshare of a PID or time namespace).</summary>
    internal int ForChildren { get; set; }

    /// <summary>Its nsfs bind mounts in the watcher's mount table.</summary>
    internal IReadOnlyList<string> Paths => _paths;

    /// <summary>True once a process of the -Pid tree was in it.</summary>
    internal bool InTree { get; set; }

    /// <summary>True while nothing visible holds it but the kernel says it lives (a descriptor, a socket, a child namespace).</summary>
    internal bool Lingering { get; set; }

    /// <summary>What took its last visible holder, and when: the cause a Removed event gives when the kernel frees it soon after.</summary>
    internal (NamespaceEventCause Cause, int? Pid, string? MountPoint, long At) LastRelease { get; set; }

    internal bool HasVisibleHolder => Links > 0 || _paths.Count > 0;

    /// <summary>
    /// Asks the kernel about the namespace behind an open nsfs descriptor, as Get-Namespace does
    /// (<see cref="NamespaceDescription"/>), and takes its file handle. The descriptor is the
    /// caller's to close: nothing here keeps it.
    /// </summary>
    internal static TrackedNamespace Describe(NamespaceType type, ulong inode, SafeFd fd)
    {
        var ns = new Namespace(type, inode, Nsfs.Device);
        NamespaceDescription.Ask(ns, fd.Fd);
        return new TrackedNamespace(ns, NamespaceHandle.TryGet(fd)) { Described = true };
    }

    /// <summary>Asks the kernel about an undescribed namespace, through a descriptor opened another way (its bind mount).</summary>
    internal void Redescribe(SafeFd fd)
    {
        NamespaceDescription.Ask(Namespace, fd.Fd);
        Handle = NamespaceHandle.TryGet(fd);
        Described = true;
    }

    /// <summary>A namespace that could not be opened (it changed or went between the read of its link and the open): its kind and inode only.</summary>
    internal static TrackedNamespace Undescribed(NamespaceType type, ulong inode) =>
        new(new Namespace(type, inode, Nsfs.Device), null);

    /// <summary>Opens a namespace through /proc/PID/ns/LINK relative to a process directory, checked to be that inode.</summary>
    internal static SafeFd? TryOpen(int processFd, NamespaceLink link, ulong inode) =>
        Checked(Sys.TryOpenAt(processFd, NamespaceLinks.RelativePath(link), Sys.O_RDONLY, out int fd), fd, inode);

    /// <summary>Opens a namespace through a bind mount's path, checked to be that inode (nothing else mounted over it since).</summary>
    internal static SafeFd? TryOpen(string path, ulong inode) =>
        Checked(Sys.TryOpenAt(AT_FDCWD, Sys.NullTerminated(path), Sys.O_RDONLY | O_NOFOLLOW, out int fd), fd, inode);

    private static SafeFd? Checked(int err, int fd, ulong inode)
    {
        if (err != 0)
        {
            return null;
        }

        var safe = new SafeFd(fd);
        if (Sys.TryFstatx(fd, Sys.STATX_INO, out Tmds.Linux.statx stx) == 0 && stx.stx_ino == inode &&
            Nsfs.MakeDev(stx.stx_dev_major, stx.stx_dev_minor) == Nsfs.Device)
        {
            return safe;
        }

        safe.Dispose();
        return null;
    }

    internal bool HasPath(string path) => _paths.Contains(path);

    internal void AddPath(string path)
    {
        if (!_paths.Contains(path))
        {
            _paths.Add(path);
        }
    }

    /// <summary>
    /// Removes a bind mount. The description is first brought up to date with it, so that if it
    /// was the last holder a Removed event shows the namespace as last seen: named and bound.
    /// </summary>
    internal void RemovePath(string path, ProcRoot proc, UserNameCache users, CgroupFile cgroups)
    {
        if (_paths.Count == 1 && _paths[0] == path)
        {
            Sync(proc, users, cgroups);
        }

        _paths.Remove(path);
    }

    /// <summary>
    /// Removes a process. The description is first brought up to date with it, so that if it was
    /// the last holder a Removed event shows the namespace as last seen: with that process.
    /// </summary>
    internal void RemovePid(int pid, ProcRoot proc, UserNameCache users, CgroupFile cgroups)
    {
        if (Pids.Count == 1 && Pids.Contains(pid))
        {
            Sync(proc, users, cgroups);
        }

        Pids.Remove(pid);
    }

    /// <summary>
    /// The description as of now, as a new object: an event's namespace must not change after it
    /// was written. While anything holds the namespace it shows only what holds it now (an
    /// Unpersisted of its last name shows it unnamed); once nothing does, it is as last seen, as
    /// RemovePid or RemovePath left it before the last holder went (a Removed).
    /// </summary>
    internal Namespace Snapshot(ProcRoot proc, UserNameCache users, CgroupFile cgroups)
    {
        if (HasVisibleHolder)
        {
            Sync(proc, users, cgroups);
        }

        Namespace ns = Namespace;
        return new Namespace(ns.Type, ns.Inode, ns.Device)
        {
            NsId = ns.NsId,
            ProcessCount = ns.ProcessCount,
            Pid = ns.Pid,
            PPid = ns.PPid,
            Command = ns.Command,
            Uid = ns.Uid,
            User = ns.User,
            Cgroup = ns.Cgroup,
            Unit = ns.Unit,
            Slice = ns.Slice,
            UserUnit = ns.UserUnit,
            ContainerRuntime = ns.ContainerRuntime,
            ContainerId = ns.ContainerId,
            PodUid = ns.PodUid,
            Units = ns.Units,
            Containers = ns.Containers,
            Pids = ns.Pids,
            NetNsId = ns.NetNsId,
            Name = ns.Name,
            NsfsPaths = ns.NsfsPaths,
            Parent = ns.Parent,
            Owner = ns.Owner,
            OwnerUid = ns.OwnerUid,
            HeldBy = ns.HeldBy,
        };
    }

    /// <summary>
    /// Writes what holds it now (processes, *_for_children links, bind mounts) into the
    /// description. Also done for every namespace when the watch starts: a process there before
    /// the watch is often reaped before its exit event is read, and a Removed can only show what
    /// was read while it lived.
    /// </summary>
    internal void Sync(ProcRoot proc, UserNameCache users, CgroupFile cgroups)
    {
        if (Pids.Count > 0)
        {
            SyncProcesses(proc, users, cgroups, reread: false);
        }
        else
        {
            ClearProcesses(users);
        }

        SyncPaths();
        Namespace.HeldBy =
            (Pids.Count > 0 ? NamespaceHolder.Process : 0) |
            (ForChildren > 0 ? NamespaceHolder.ForChildren : 0) |
            (_paths.Count > 0 ? NamespaceHolder.BindMount : 0);
    }

    /// <summary>
    /// The process the description shows exec'd: its command (and owner, after a set-user-ID
    /// program) are read again now, while it runs. Read only when the lowest PID changed, the
    /// description would keep the command it had before exec (runc init for a container's sleep)
    /// up to its Removed, which is built after the process has gone.
    /// </summary>
    internal void Exec(int pid, ProcRoot proc, UserNameCache users, CgroupFile cgroups)
    {
        if (Namespace.Pid == pid && Pids.Count > 0 && Pids.Min == pid)
        {
            SyncProcesses(proc, users, cgroups, reread: true);
        }
    }

    private void SyncProcesses(ProcRoot proc, UserNameCache users, CgroupFile cgroups, bool reread)
    {
        Namespace ns = Namespace;
        ns.Pids = new int[Pids.Count];
        Pids.CopyTo(ns.Pids);
        ns.ProcessCount = Pids.Count;
        int lowest = Pids.Min;
        if ((ns.Pid == lowest && !reread) || proc.TryOpenProcess(lowest, out int fd) != 0)
        {
            return;
        }

        // What lsns shows of the lowest PID, and its cgroup (unit, container) as Get-Namespace
        // gives it, read again only when the lowest PID changed.
        using var process = new SafeFd(fd);
        bool haveStat = ProcessNamespaceReader.TryReadStat(process.Fd, out int ppid, out string name) == 0;
        string command = ProcessNamespaceReader.ReadCommandLine(process.Fd);
        ns.Pid = lowest;
        ns.PPid = haveStat ? ppid : null;
        ns.Command = command.Length > 0 ? command : haveStat ? name : null;
        ns.Uid = ProcessNamespaceReader.TryReadOwner(process.Fd, out uint uid) == 0 ? uid : null;
        ns.User = ns.Uid is uint known ? users.DisplayName(known) : null;
        CgroupProperties.Apply(ns, cgroups.Read(process.Fd));
    }

    /// <summary>
    /// No process is in it, something else holds it: shown as Get-Namespace shows such a
    /// namespace, with no process and the owner's uid standing for the user (as in lsns).
    /// </summary>
    private void ClearProcesses(UserNameCache users)
    {
        Namespace ns = Namespace;
        ns.Pids = Array.Empty<int>();
        ns.ProcessCount = 0;
        ns.Pid = ns.PPid = null;
        ns.Command = null;
        ns.Uid = ns.OwnerUid;
        ns.User = ns.Uid is uint uid ? users.DisplayName(uid) : null;
        CgroupProperties.Apply(ns, null);
    }

    private void SyncPaths()
    {
        Namespace ns = Namespace;
        ns.NsfsPaths = _paths.ToArray();
        if (ns.Type != NamespaceType.Net)
        {
            return;
        }

        // As Get-Namespace names it: the first /run/netns/NAME in order.
        string? name = null;
        foreach (string path in _paths)
        {
            if (path.StartsWith(NamespaceName.RunDirectory + "/", StringComparison.Ordinal) &&
                path.IndexOf('/', NamespaceName.RunDirectory.Length + 1) < 0)
            {
                string candidate = path[(NamespaceName.RunDirectory.Length + 1)..];
                if (name is null || string.CompareOrdinal(candidate, name) < 0)
                {
                    name = candidate;
                }
            }
        }

        ns.Name = name;
    }
}

/// <summary>An Added event held back: when it was found, what found it, and until when (Environment.TickCount64) it waits.</summary>
internal readonly record struct PendingAdded(DateTime Time, long Due, NamespaceEventCause Cause, int? Pid, string? MountPoint);
