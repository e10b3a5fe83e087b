// Core/Persistence — namespaces kept without a process: new ones made on a discarded thread or
// by the helper (NamespaceUnshare), bind-mounted onto files made O_EXCL (NsfsBindMount,
// NamespacePersistence), named netns in /run/netns set up as iproute2 does (NamedNetns), and
// removed again with nothing left behind.
// Uses: Model, Threads, Targets, Plans, Launch.

using System;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Persistence;

/// <summary>A file to persist a namespace on: a name relative to an open directory, or a path.</summary>
/// <param name="DirectoryFd">The directory <paramref name="Name"/> is relative to, or AT_FDCWD.</param>
/// <param name="Name">The file's name in that directory, or its absolute path.</param>
/// <param name="Path">The absolute path, for messages and to unmount.</param>
internal readonly record struct PersistTarget(int DirectoryFd, string Name, string Path)
{
    /// <summary>A file named by its absolute path.</summary>
    internal static PersistTarget AtPath(string path) => new(Tmds.Linux.LibC.AT_FDCWD, path, path);
}

/// <summary>A namespace now held by a file.</summary>
/// <param name="Type">Its kind.</param>
/// <param name="Inode">Its nsfs inode.</param>
/// <param name="Path">The file it is bound on.</param>
/// <param name="MountId">The bind mount's unique id, or 0 where the kernel gives none (before Linux 6.8).</param>
internal readonly record struct PersistedNamespace(NamespaceType Type, ulong Inode, string Path, ulong MountId);

/// <summary>
/// Persists namespaces on files, all or nothing: the files are created first (so an existing one
/// is refused before any namespace is made), then the namespaces are opened and bound. Any
/// failure unmounts and deletes what this call made; the namespaces themselves die with their
/// descriptors. Nothing half-made is ever left behind.
/// </summary>
internal static class NamespacePersistence
{
    /// <summary>Persists the namespace of each type <paramref name="open"/> returns on the target at the same index.</summary>
    /// <param name="types">The kinds, in the order of <paramref name="targets"/>.</param>
    /// <param name="targets">Where to bind each namespace.</param>
    /// <param name="open">Makes or opens the namespaces once the files exist; called at most once.</param>
    internal static PersistedNamespace[] Persist(NamespaceType[] types, PersistTarget[] targets, Func<NamespaceTarget> open)
    {
        var files = new SafeFd?[targets.Length];
        NamespaceTarget? namespaces = null;
        int bound = 0;
        try
        {
            for (int i = 0; i < targets.Length; i++)
            {
                files[i] = NsfsBindMount.CreateFile(targets[i].DirectoryFd, targets[i].Name, targets[i].Path);
            }

            namespaces = open();
            var result = new PersistedNamespace[targets.Length];
            for (; bound < targets.Length; bound++)
            {
                NamespaceFile ns = namespaces.Files[types[bound]];
                NsfsBindMount.Bind(ns.Fd, files[bound]!, targets[bound].Path);
                ulong mountId = NsfsBindMount.MountIdOf(targets[bound].DirectoryFd, targets[bound].Name, ns.Inode);
                result[bound] = new PersistedNamespace(ns.Type, ns.Inode, targets[bound].Path, mountId);
            }

            return result;
        }
        catch
        {
            for (int i = 0; i < bound; i++)
            {
                NsfsBindMount.Unbind(targets[i].Path);
            }

            for (int i = 0; i < files.Length && files[i] is not null; i++)
            {
                Sys.TryUnlinkAt(targets[i].DirectoryFd, targets[i].Name);
            }

            throw;
        }
        finally
        {
            foreach (SafeFd? file in files)
            {
                file?.Dispose();
            }

            namespaces?.Dispose();
        }
    }
}
