using System;
using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Network;

/// <summary>
/// The network namespaces this host has, opened as they are needed, for telling which one a
/// NETNSID means: the kernel gives a veth's peer namespace only as an id relative to the
/// namespace asked (IFLA_LINK_NETNSID), and has no call from an id to the namespace. What it has
/// is the other way round: RTM_GETNSID on a socket of that namespace answers the id it knows a
/// given namespace descriptor by. So each candidate is opened and asked about, in the order a
/// namespace is cheapest to find: named ones (/run/netns, which also gives names), other nsfs
/// mounts, then the namespaces of processes. One instance lives for one command: what it opened
/// is kept for the next target and closed at the end, so no namespace is held beyond it.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    private readonly List<NamespaceFile> _open = new();
    private readonly HashSet<ulong> _seen = new();
    private readonly Dictionary<ulong, string> _names = new();
    private readonly Dictionary<ulong, RouteSocket> _sockets = new();
    private IEnumerator<NamespaceFile>? _more;
    private bool _namesRead;

    /// <summary>The first name (in ordinal order) under which /run/netns holds the namespace, or null.</summary>
    internal string? NameOf(ulong inode)
    {
        ReadNames();
        return _names.TryGetValue(inode, out string? name) ? name : null;
    }

    /// <summary>
    /// The namespace that the namespace of <paramref name="socket"/> knows by each of
    /// <paramref name="nsids"/>; ids no candidate answers to are left out (a namespace held only by
    /// a descriptor or a socket of another process is not found). Asking assigns no id.
    /// </summary>
    /// <param name="socket">A socket of the namespace whose ids they are.</param>
    /// <param name="self">That namespace's inode (never a candidate: its id for itself is not a peer's).</param>
    /// <param name="nsids">The ids to resolve.</param>
    internal Dictionary<int, NamespaceFile> Resolve(RouteSocket socket, ulong self, IReadOnlyCollection<int> nsids)
    {
        var found = new Dictionary<int, NamespaceFile>();
        for (int i = 0; found.Count < nsids.Count && TryCandidate(i, out NamespaceFile? candidate); i++)
        {
            if (candidate.Inode == self)
            {
                continue;
            }

            int? id;
            try
            {
                id = socket.NsidOf(candidate.Fd.Fd);
            }
            catch (ErrnoException)
            {
                // A namespace the kernel will not compare (gone meanwhile): not the one.
                continue;
            }

            if (id is int nsid && !found.ContainsKey(nsid) && Contains(nsids, nsid))
            {
                found[nsid] = candidate;
            }
        }

        return found;
    }

    /// <summary>
    /// The name of device <paramref name="index"/> in <paramref name="netns"/> (a veth's other
    /// end), asked over a socket made inside that namespace once per command; null when it has no
    /// such device or cannot be read.
    /// </summary>
    internal string? InterfaceName(NamespaceFile netns, int index, string subject)
    {
        try
        {
            if (!_sockets.TryGetValue(netns.Inode, out RouteSocket? socket))
            {
                socket = RouteSocket.OpenIn(netns, subject);
                _sockets[netns.Inode] = socket;
            }

            return socket.GetLink(index)?.Name;
        }
        catch (ErrnoException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (RouteSocket socket in _sockets.Values)
        {
            socket.Dispose();
        }

        _sockets.Clear();
        _more?.Dispose();
        foreach (NamespaceFile file in _open)
        {
            file.Dispose();
        }

        _open.Clear();
    }

    private static bool Contains(IReadOnlyCollection<int> ids, int id)
    {
        foreach (int each in ids)
        {
            if (each == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The i-th candidate, found and opened now if not yet; false when there are no more.</summary>
    private bool TryCandidate(int i, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NamespaceFile? candidate)
    {
        ReadNames();
        _more ??= Unnamed().GetEnumerator();
        while (i >= _open.Count)
        {
            if (!_more.MoveNext())
            {
                candidate = null;
                return false;
            }
        }

        candidate = _open[i];
        return true;
    }

    /// <summary>Opens every /run/netns entry once: the names, and the first candidates.</summary>
    private void ReadNames()
    {
        if (_namesRead)
        {
            return;
        }

        _namesRead = true;
        var entries = new List<string>();
        if (System.IO.Directory.Exists(NamespaceName.RunDirectory))
        {
            foreach (string path in System.IO.Directory.EnumerateFileSystemEntries(NamespaceName.RunDirectory))
            {
                entries.Add(System.IO.Path.GetFileName(path));
            }
        }

        entries.Sort(StringComparer.Ordinal);
        foreach (string name in entries)
        {
            if (TryOpen(NamespaceName.PathOf(name), 0) is NamespaceFile file)
            {
                _names.TryAdd(file.Inode, name);
            }
        }
    }

    /// <summary>The network namespaces of nsfs mounts outside /run/netns, then of processes, each opened once.</summary>
    private IEnumerable<NamespaceFile> Unnamed()
    {
        foreach (NsfsMount mount in NsfsMounts.Read())
        {
            if (mount.Type == NamespaceType.Net && !_seen.Contains(mount.Inode) && TryOpen(mount.MountPoint, mount.Inode) is NamespaceFile file)
            {
                yield return file;
            }
        }

        using var proc = new ProcRoot();
        foreach (int pid in proc.ListPids())
        {
            // A process that exits meanwhile is no candidate, and no error.
            if (proc.TryReadLink(pid, NamespaceLink.Net, out ulong inode) == 0 && !_seen.Contains(inode) &&
                TryOpen("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/ns/net", inode) is NamespaceFile file)
            {
                yield return file;
            }
        }
    }

    /// <summary>Opens a network namespace file and keeps it as a candidate, if it is one not seen yet (and has the inode expected, when one is).</summary>
    private NamespaceFile? TryOpen(string path, ulong expectedInode)
    {
        NamespaceFile file;
        try
        {
            file = NamespaceFile.Open(path);
        }
        catch (Exception ex) when (ex is ErrnoException or NotANamespaceException)
        {
            return null;
        }

        if (file.Type != NamespaceType.Net || (expectedInode != 0 && file.Inode != expectedInode) || !_seen.Add(file.Inode))
        {
            file.Dispose();
            return null;
        }

        _open.Add(file);
        return file;
    }
}
