using System;
using System.Collections.Generic;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;

namespace PSNamespaces.Core.Inventory;

// What the scan collects about one namespace (its processes, threads, paths, descriptors, sockets, units) and how a
// later partition's collection is merged into it: a type of its own, nested for its privacy.
internal sealed partial class NamespaceCatalog
{
    /// <summary>A namespace while the scan collects what holds it; <see cref="Complete"/> turns it into its output form.</summary>
    private sealed class Entry
    {
        private List<int>? _pids;
        private List<int>? _threads;
        private List<string>? _paths;
        private List<string>? _bindMounts;
        private List<string>? _descriptors;
        private List<string>? _sockets;
        private SortedSet<string>? _units;
        private SortedSet<string>? _containers;

        internal Entry(Namespace ns) => Namespace = ns;

        internal Namespace Namespace { get; }

        /// <summary>The cgroup of the lowest PID, what the object's Cgroup, Unit and Container properties show.</summary>
        internal CgroupAttribution? Cgroup { get; set; }

        /// <summary>Notes the unit and container of one of its processes (scans that read every process's cgroup).</summary>
        internal void AddCgroup(CgroupAttribution cgroup)
        {
            if (cgroup.Unit is string unit)
            {
                (_units ??= new SortedSet<string>(StringComparer.Ordinal)).Add(unit);
            }

            if (cgroup.Container is string container)
            {
                (_containers ??= new SortedSet<string>(StringComparer.Ordinal)).Add(container);
            }
        }

        /// <summary>True once the kernel has been asked about it through a descriptor.</summary>
        internal bool Described { get; set; }

        internal NamespaceHolder HeldBy
        {
            get => Namespace.HeldBy;
            set => Namespace.HeldBy = value;
        }

        /// <summary>Counts a process in it; true when that process is now its lowest PID.</summary>
        internal bool AddProcess(int pid)
        {
            (_pids ??= new List<int>()).Add(pid);
            Namespace.ProcessCount++;
            HeldBy |= NamespaceHolder.Process;
            return Namespace.Pid is not int lowest || pid < lowest;
        }

        /// <summary>
        /// Adds a bind mount of a mount namespace (lsns's NSFS lists each path once). Those of
        /// the caller's own mount namespace are its NsfsPaths, and one on /run/netns names a network
        /// namespace; a path in another mount namespace means nothing to the caller's ip netns.
        /// </summary>
        internal void AddBindMount(string path, ulong mountNamespace, bool callers)
        {
            HeldBy |= NamespaceHolder.BindMount;
            // Made unique once, when complete: a namespace's copies in hundreds of mount namespaces would make a search per add quadratic.
            (_bindMounts ??= new List<string>()).Add(Nsfs.FormatId(NamespaceType.Mount, mountNamespace) + ":" + path);

            if (!callers)
            {
                return;
            }

            _paths ??= new List<string>();
            if (!_paths.Contains(path))
            {
                _paths.Add(path);
            }

            // ip netns keeps NAME as a bind mount on /run/netns/NAME; with several names, the first in order.
            if (Namespace.Type == NamespaceType.Net &&
                path.StartsWith(NamespaceName.RunDirectory + "/", StringComparison.Ordinal) &&
                path.IndexOf('/', NamespaceName.RunDirectory.Length + 1) < 0)
            {
                string name = path[(NamespaceName.RunDirectory.Length + 1)..];
                if (Namespace.Name is null || string.CompareOrdinal(name, Namespace.Name) < 0)
                {
                    Namespace.Name = name;
                }
            }
        }

        /// <summary>Counts a thread in it that its process's main thread is not in.</summary>
        internal void AddThread(int tid)
        {
            HeldBy |= NamespaceHolder.Thread;
            (_threads ??= new List<int>()).Add(tid);
        }

        /// <summary>Notes a socket made in this network namespace, as the descriptor path that holds it.</summary>
        internal void AddSocket(string path)
        {
            HeldBy |= NamespaceHolder.Socket;
            (_sockets ??= new List<string>()).Add(path);
        }

        internal void AddDescriptor(string path)
        {
            HeldBy |= NamespaceHolder.Descriptor;
            (_descriptors ??= new List<string>()).Add(path);
        }

        /// <summary>
        /// Takes in what a partition of later PIDs found of the same namespace: its processes come
        /// after ours, its lowest PID counts only when we saw none, and its answers from the
        /// kernel only when we have none (both asked of the same namespace, they are the same).
        /// Bind mounts are added after the merge, so a partition has none.
        /// </summary>
        internal void Absorb(Entry later)
        {
            Namespace ns = Namespace;
            Namespace other = later.Namespace;
            HeldBy |= later.HeldBy;
            ns.ProcessCount += other.ProcessCount;
            if (later._pids is not null)
            {
                (_pids ??= new List<int>()).AddRange(later._pids);
            }

            if (ns.Pid is null && other.Pid is not null)
            {
                ns.Pid = other.Pid;
                ns.PPid = other.PPid;
                ns.Command = other.Command;
                ns.Uid = other.Uid;
                Cgroup = later.Cgroup;
            }

            if (later._units is not null)
            {
                (_units ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(later._units);
            }

            if (later._containers is not null)
            {
                (_containers ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(later._containers);
            }

            if (!Described && later.Described)
            {
                Described = true;
                ns.NsId = other.NsId;
                ns.Owner = other.Owner;
                ns.OwnerUid = other.OwnerUid;
                ns.Parent = other.Parent;
                ns.NetNsId = other.NetNsId;
            }

            if (later._descriptors is not null)
            {
                (_descriptors ??= new List<string>()).AddRange(later._descriptors);
            }

            if (later._bindMounts is not null)
            {
                (_bindMounts ??= new List<string>()).AddRange(later._bindMounts);
            }

            if (later._threads is not null)
            {
                (_threads ??= new List<int>()).AddRange(later._threads);
            }

            if (later._sockets is not null)
            {
                (_sockets ??= new List<string>()).AddRange(later._sockets);
            }
        }

        /// <summary>
        /// Each bind mount once, ordinal: by mount namespace, then path, the same whichever partition
        /// read a table first (a mount stacked twice on one path, or a table read by two partitions,
        /// is one hold to the user, as lsns's NSFS shows each path once).
        /// </summary>
        private static string[] UniqueSorted(List<string>? list)
        {
            if (list is null)
            {
                return Array.Empty<string>();
            }

            list.Sort(StringComparer.Ordinal);
            var unique = new List<string>(list.Count);
            foreach (string item in list)
            {
                if (unique.Count == 0 || !string.Equals(unique[^1], item, StringComparison.Ordinal))
                {
                    unique.Add(item);
                }
            }

            return unique.ToArray();
        }

        /// <summary>The output form: lists as arrays, and with no process in it, the owner uid stands for the uid (as in lsns).</summary>
        internal Namespace Complete(UserNameCache users)
        {
            Namespace ns = Namespace;
            ns.Pids = _pids?.ToArray() ?? Array.Empty<int>();
            ns.NsfsPaths = _paths?.ToArray() ?? Array.Empty<string>();
            ns.BindMounts = UniqueSorted(_bindMounts);
            // Ascending, as Pids: a process's threads may have higher numbers than a later process.
            ns.Threads = _threads?.ToArray() ?? Array.Empty<int>();
            Array.Sort(ns.Threads);
            ns.Descriptors = _descriptors?.ToArray() ?? Array.Empty<string>();
            ns.Sockets = _sockets?.ToArray() ?? Array.Empty<string>();
            // Without every process's cgroup read, the lowest PID's unit and container stand for all.
            CgroupProperties.Apply(ns, Cgroup);
            if (_units is not null)
            {
                ns.Units = new List<string>(_units).ToArray();
            }

            if (_containers is not null)
            {
                ns.Containers = new List<string>(_containers).ToArray();
            }
            if (ns.Pid is null)
            {
                ns.Uid = ns.OwnerUid;
            }

            ns.User = ns.Uid is uint uid ? users.DisplayName(uid) : null;
            return ns;
        }
    }
}
