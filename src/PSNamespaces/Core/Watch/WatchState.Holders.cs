using System;
using System.Collections.Generic;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Watch;

// The holders no process event announces, a concern of their own beside the process links of
// WatchState.cs: nsfs bind mounts, read again when mountinfo polls POLLPRI, and the unseen holders
// (a descriptor, a socket, a child namespace) that keep a namespace lingering, which only the
// kernel can answer for, through the namespace's file handle.
internal sealed partial class WatchState
{
    // How long after its last visible holder went a namespace's end is still put down to it.
    private const long RecentReleaseMs = 1000;

    /// <summary>
    /// Re-reads the nsfs mounts of the watcher's mount table: a new mount of a known namespace
    /// persists it, a mount of an unknown one adds it, and a mount that went unpersists or
    /// removes its namespace.
    /// </summary>
    internal void RefreshMounts()
    {
        List<NsfsMount> mounts = NsfsMounts.Read();
        var now = new HashSet<(ulong, string)>();
        foreach (NsfsMount mount in mounts)
        {
            now.Add((mount.Inode, mount.MountPoint));
        }

        // Gone first: nsfs gives a freed namespace's inode to the next one at once, so a mount
        // that went and one that came may share an inode, and the one that went is the old one's.
        var gone = new List<(ulong Inode, string Path)>();
        foreach ((ulong, string) mount in _mounts)
        {
            if (!now.Contains(mount))
            {
                gone.Add(mount);
            }
        }

        foreach ((ulong inode, string path) in gone)
        {
            _mounts.Remove((inode, path));
            if (_namespaces.TryGetValue(inode, out TrackedNamespace? ns) && ns.HasPath(path))
            {
                Unmounted(ns, path);
            }
        }

        foreach (NsfsMount mount in mounts)
        {
            if (_mounts.Add((mount.Inode, mount.MountPoint)))
            {
                Mounted(mount);
            }
        }
    }

    private void Mounted(NsfsMount mount)
    {
        using SafeFd? fd = TrackedNamespace.TryOpen(mount.MountPoint, mount.Inode);
        if (_namespaces.TryGetValue(mount.Inode, out TrackedNamespace? ns) && fd is not null &&
            ns.Namespace.NsId is ulong known && NamespaceIoctl.TryGetId(fd.Fd) is ulong id && id != known)
        {
            // nsfs gave a freed namespace's inode to this one before its last holder's event was read.
            Relive(ns); // no longer lingering: it is gone
            Remove(ns, NamespaceEventCause.Release, null, null);
            ns = null;
        }

        if (ns is null)
        {
            ns = fd is null ? TrackedNamespace.Undescribed(mount.Type, mount.Inode) : TrackedNamespace.Describe(mount.Type, mount.Inode, fd);
            _namespaces.Add(mount.Inode, ns);
            ns.AddPath(mount.MountPoint);
            Emit(NamespaceChangeType.Added, ns, NamespaceEventCause.Mount, null, mount.MountPoint);
            return;
        }

        if (fd is not null && !ns.Described)
        {
            // Its process was gone before it could be opened; the mount lets it be asked now.
            ns.Redescribe(fd);
        }

        ns.AddPath(mount.MountPoint);
        Relive(ns);
        if (ns.PendingAdded is { } pending)
        {
            // Found by a process and bound in the same step (ip netns add, unshare --net=FILE,
            // whose process exits at once): one Added, by the mount that keeps it.
            ns.PendingAdded = pending with { Due = Environment.TickCount64, Cause = NamespaceEventCause.Mount, Pid = null, MountPoint = mount.MountPoint };
            return;
        }

        Emit(NamespaceChangeType.Persisted, ns, NamespaceEventCause.Mount, null, mount.MountPoint);
    }

    private void Unmounted(TrackedNamespace ns, string path)
    {
        ns.RemovePath(path, _proc, _users, _cgroups);
        if (ns.HasVisibleHolder)
        {
            Emit(NamespaceChangeType.Unpersisted, ns, NamespaceEventCause.Unmount, null, path);
        }
        else
        {
            // umount2(MNT_DETACH), as ip netns delete does, frees the mount a moment later:
            // until then the kernel still has the namespace, so this is a Removed to come,
            // not an Unpersisted.
            Release(ns, NamespaceEventCause.Unmount, null, path);
        }
    }

    /// <summary>
    /// Asks the kernel again about each namespace that lives on with nothing visible holding it:
    /// one that is gone now is removed. The watcher calls this after exits, after NETNSID
    /// changes and on a short timer, since the last holder of such a namespace (a descriptor, a
    /// socket, a child namespace freed by a kernel worker) goes without a process event.
    /// </summary>
    internal void CheckLingering()
    {
        if (LingeringCount == 0)
        {
            return;
        }

        var gone = new List<TrackedNamespace>();
        foreach (TrackedNamespace ns in _namespaces.Values)
        {
            if (ns.Lingering && ns.Handle?.IsAlive() != true)
            {
                gone.Add(ns);
            }
        }

        foreach (TrackedNamespace ns in gone)
        {
            ForgetLingering(ns);
        }
    }

    /// <summary>Removes a lingering namespace the kernel no longer has.</summary>
    private void ForgetLingering(TrackedNamespace ns)
    {
        ns.Lingering = false;
        LingeringCount--;
        // Freed soon after its last visible holder went: that was the cause. Later, what went
        // was something unseen (a descriptor closed, a child namespace freed).
        (NamespaceEventCause cause, int? pid, string? mountPoint, long at) = ns.LastRelease;
        if (Environment.TickCount64 - at <= RecentReleaseMs)
        {
            Remove(ns, cause, pid, mountPoint);
        }
        else
        {
            Remove(ns, NamespaceEventCause.Release, null, null);
        }
    }

    /// <summary>
    /// The last visible holder of a namespace went: removed when the kernel says it is gone (or
    /// cannot say: no file handles before Linux 6.18, or no CAP_DAC_READ_SEARCH), else kept as
    /// lingering. Returns true when it was removed.
    /// </summary>
    private bool Release(TrackedNamespace ns, NamespaceEventCause cause, int? pid, string? mountPoint)
    {
        if (ns.Handle?.IsAlive() == true)
        {
            ns.LastRelease = (cause, pid, mountPoint, Environment.TickCount64);
            if (!ns.Lingering)
            {
                ns.Lingering = true;
                LingeringCount++;
            }

            return false;
        }

        Remove(ns, cause, pid, mountPoint);
        return true;
    }

    private void Remove(TrackedNamespace ns, NamespaceEventCause cause, int? pid, string? mountPoint)
    {
        _namespaces.Remove(ns.Namespace.Inode);
        Emit(NamespaceChangeType.Removed, ns, cause, pid, mountPoint);
    }

    /// <summary>A lingering namespace that a process or mount holds again is an ordinary one.</summary>
    private void Relive(TrackedNamespace ns)
    {
        if (ns.Lingering)
        {
            ns.Lingering = false;
            LingeringCount--;
        }
    }
}
