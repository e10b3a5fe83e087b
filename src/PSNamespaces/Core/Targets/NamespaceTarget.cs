// Core/Targets — what the user named, as open namespace descriptors: a process pinned with a
// pidfd, nsfs paths, a netns name (NamespaceTarget); a namespace known only by its identity,
// reopened (NamespaceLocator) and checked to be the object's (TargetResolver, the one way from
// what a user named to descriptors); joining them on the calling thread (NamespaceEntry).
// Uses: Model, Proc, Threads, Inventory.

using System;
using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// The namespaces to join, each held open as an nsfs descriptor, resolved from what the user
/// named: a PID, nsfs paths, or a named network namespace. Holding descriptors (and, for a PID, a
/// pidfd) is what makes joining race-free: a PID reused after the lookup cannot redirect us.
/// </summary>
internal sealed class NamespaceTarget : IDisposable
{
    private readonly Dictionary<NamespaceType, NamespaceFile> _files;

    private NamespaceTarget(Dictionary<NamespaceType, NamespaceFile> files, int? pid, SafeFd? pidfd)
    {
        _files = files;
        Pid = pid;
        Pidfd = pidfd;
    }

    /// <summary>The process the namespaces were taken from, when the target is a PID.</summary>
    internal int? Pid { get; }

    /// <summary>The pidfd pinning <see cref="Pid"/>; setns(pidfd, flags) joins several kinds at once.</summary>
    internal SafeFd? Pidfd { get; }

    /// <summary>The open namespace of each kind to join.</summary>
    internal IReadOnlyDictionary<NamespaceType, NamespaceFile> Files => _files;

    /// <summary>The CLONE_NEW* flags of every kind held.</summary>
    internal int CloneFlags
    {
        get
        {
            int flags = 0;
            foreach (NamespaceType type in _files.Keys)
            {
                flags |= type.CloneFlag();
            }

            return flags;
        }
    }

    /// <summary>
    /// The identity of the namespaces held, kinds in a fixed order ("mnt:[4026531841] net:[4026531840]").
    /// Two targets with the same identity are the same namespaces, whatever named them.
    /// </summary>
    internal string Identity
    {
        get
        {
            var text = new System.Text.StringBuilder();
            foreach (NamespaceType type in NamespaceTypes.All)
            {
                if (_files.TryGetValue(type, out NamespaceFile? file))
                {
                    if (text.Length > 0)
                    {
                        text.Append(' ');
                    }

                    text.Append(Nsfs.FormatId(type, file.Inode));
                }
            }

            return text.ToString();
        }
    }

    /// <summary>
    /// The /proc/PID/ns entries a thread changes by joining: pid_for_children for a PID namespace,
    /// which setns makes the namespace of the thread's future children, not its own.
    /// </summary>
    internal IReadOnlyCollection<NamespaceLink> Links
    {
        get
        {
            var links = new List<NamespaceLink>();
            foreach (NamespaceType type in _files.Keys)
            {
                links.Add(type == NamespaceType.Pid ? NamespaceLink.PidForChildren : NamespaceLinks.Of(type));
            }

            return links;
        }
    }

    /// <summary>One namespace already open.</summary>
    internal static NamespaceTarget FromFile(NamespaceFile file) =>
        new(new Dictionary<NamespaceType, NamespaceFile> { [file.Type] = file }, null, null);

    /// <summary>
    /// Opens /proc/PID/ns/TYPE for each kind through one /proc/PID directory descriptor: such a
    /// descriptor stays bound to the process it was opened for, so a PID reused meanwhile makes
    /// the opens fail instead of reaching another process. A pidfd is taken first (where the
    /// kernel has pidfd_open) and checked alive last, which proves the directory was opened for
    /// the pidfd's process; setns(pidfd, flags) can then join several kinds in one call.
    /// </summary>
    /// <exception cref="ErrnoException">ESRCH when the process is gone; EACCES/EPERM when it may not be read.</exception>
    internal static NamespaceTarget FromPid(int pid, IEnumerable<NamespaceType> types)
    {
        string subject = pid.ToString(CultureInfo.InvariantCulture);
        int err = Sys.TryPidfdOpen(pid, out SafeFd? pidfd);
        if (err != 0 && err != Errno.ENOSYS)
        {
            throw new ErrnoException("pidfd_open", err, subject);
        }

        var files = new Dictionary<NamespaceType, NamespaceFile>();
        try
        {
            using (var proc = new ProcRoot())
            {
                err = proc.TryOpenProcess(pid, out int raw);
                if (err != 0)
                {
                    throw new ErrnoException("open", err == Errno.ENOENT ? Errno.ESRCH : err, "/proc/" + subject);
                }

                using var processDir = new SafeFd(raw);
                foreach (NamespaceType type in types)
                {
                    if (!files.ContainsKey(type))
                    {
                        files[type] = NamespaceFile.OpenAt(processDir.Fd, "ns/" + type.ProcName(), $"/proc/{subject}/ns/{type.ProcName()}", type);
                    }
                }
            }

            if (pidfd is not null && (err = Sys.TryPidfdAlive(pidfd)) != 0)
            {
                throw new ErrnoException("pidfd_send_signal", err, subject);
            }

            return new NamespaceTarget(files, pid, pidfd);
        }
        catch
        {
            DisposeAll(files);
            pidfd?.Dispose();
            throw;
        }
    }

    /// <summary>Namespaces already open, one per kind (new ones from Persistence.NamespaceUnshare); the target owns them.</summary>
    internal static NamespaceTarget FromFiles(IEnumerable<NamespaceFile> files)
    {
        var byType = new Dictionary<NamespaceType, NamespaceFile>();
        foreach (NamespaceFile file in files)
        {
            byType.Add(file.Type, file);
        }

        return new NamespaceTarget(byType, null, null);
    }

    /// <summary>Opens nsfs paths (bind mounts, /proc/PID/ns/*); each must be a namespace, one per kind.</summary>
    /// <exception cref="NotANamespaceException">A path is not on nsfs.</exception>
    /// <exception cref="ArgumentException">Two paths are namespaces of the same kind.</exception>
    internal static NamespaceTarget FromPaths(IEnumerable<string> paths)
    {
        var files = new Dictionary<NamespaceType, NamespaceFile>();
        try
        {
            foreach (string path in paths)
            {
                NamespaceFile file = NamespaceFile.Open(path);
                if (!files.TryAdd(file.Type, file))
                {
                    file.Dispose();
                    throw new ArgumentException($"More than one {file.Type} namespace was given ('{path}').", nameof(paths));
                }
            }

            return new NamespaceTarget(files, null, null);
        }
        catch
        {
            DisposeAll(files);
            throw;
        }
    }

    /// <summary>Only the kinds asked for; the others are closed. Throws when one asked for is not held.</summary>
    internal NamespaceTarget Select(IEnumerable<NamespaceType> types)
    {
        var kept = new Dictionary<NamespaceType, NamespaceFile>();
        foreach (NamespaceType type in types)
        {
            if (!_files.TryGetValue(type, out NamespaceFile? file))
            {
                throw new ArgumentException($"The target has no {type} namespace to join.", nameof(types));
            }

            kept[type] = file;
        }

        foreach (KeyValuePair<NamespaceType, NamespaceFile> entry in _files)
        {
            if (!kept.ContainsKey(entry.Key))
            {
                entry.Value.Dispose();
            }
        }

        _files.Clear();
        return new NamespaceTarget(kept, Pid, Pidfd);
    }

    private static void DisposeAll(Dictionary<NamespaceType, NamespaceFile> files)
    {
        foreach (NamespaceFile file in files.Values)
        {
            file.Dispose();
        }
    }

    public void Dispose()
    {
        DisposeAll(_files);
        Pidfd?.Dispose();
    }
}
