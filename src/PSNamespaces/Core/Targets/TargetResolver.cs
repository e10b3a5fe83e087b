using System;
using System.Collections.Generic;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// The one way from what a user named (<see cref="TargetDescription"/>) and the kinds asked for
/// to open namespace descriptors: every cmdlet that acts in, lists or translates through a
/// named namespace comes here. Failures are exceptions the error factory maps to records:
/// <see cref="ErrnoException"/>, <see cref="NotANamespaceException"/>,
/// <see cref="TargetRefusedException"/>, and <see cref="ArgumentException"/> for kinds that do not fit.
/// </summary>
/// <remarks>
/// A namespace object is accepted only when what the kernel holds now has its 64-bit id
/// (NS_GET_ID, which the kernel never hands out twice): nsfs gives a freed inode number to the
/// next namespace made, so an object kept from before Remove-Namespace would otherwise name
/// whatever namespace was made after it. An object without NsId is refused where the kernel has
/// NS_GET_ID; only a kernel without it (before 6.18) leaves the inode as all there is.
/// </remarks>
internal static class TargetResolver
{
    /// <summary>Opens the target, keeping the kinds asked for.</summary>
    /// <param name="target">What the user named.</param>
    /// <param name="types">-Type: the kinds to keep; each must be there. Null: all the target has.</param>
    /// <param name="processKinds">Without -Type, for a process: the kinds to consider; of those, only the ones where
    /// the process is in another namespace than the calling thread are kept (nsenter --all).</param>
    internal static NamespaceTarget Open(TargetDescription target, NamespaceType[]? types, IReadOnlyCollection<NamespaceType> processKinds) =>
        target switch
        {
            TargetDescription.Process process => OpenProcess(process.Pid, types, processKinds),
            TargetDescription.Namespaces objects => WithTypes(OpenNamespaces(objects.Identities), types),
            TargetDescription.Paths paths => WithTypes(OpenPaths(paths.Files), types),
            TargetDescription.NetnsName name => WithTypes(NamespaceTarget.FromFile(OpenNetnsNameTarget(name.Name)), types),
            _ => throw new ArgumentOutOfRangeException(nameof(target)),
        };

    /// <summary>
    /// A process's namespaces: the kinds of -Type, or else each kind of <paramref name="processKinds"/> in
    /// which it is not where the calling thread is (joining one's own namespace changes nothing,
    /// except that a mount namespace would reset the root and working directory). A user
    /// namespace the caller is already in cannot be entered again: setns refuses, so that no one
    /// regains capabilities they dropped.
    /// </summary>
    internal static NamespaceTarget OpenProcess(int pid, NamespaceType[]? types, IReadOnlyCollection<NamespaceType> processKinds)
    {
        NamespaceTarget all = NamespaceTarget.FromPid(pid, types ?? (IEnumerable<NamespaceType>)processKinds);
        try
        {
            // The caller's namespaces are read only when needed: a repeated Invoke-InNamespace -Type Net pays for no more.
            if (types is not null && !all.Files.ContainsKey(NamespaceType.User))
            {
                return all;
            }

            Span<ulong> caller = stackalloc ulong[NamespaceLinks.Count];
            ThreadNamespaces.ReadCaller(caller);
            if (types is not null)
            {
                if (all.Files[NamespaceType.User].Inode == caller[(int)NamespaceLink.User])
                {
                    throw new ArgumentException($"pwsh is already in the user namespace of process {pid}; setns refuses to enter it again. Leave User out of -Type.");
                }

                return all;
            }

            var differing = new List<NamespaceType>();
            foreach (KeyValuePair<NamespaceType, NamespaceFile> entry in all.Files)
            {
                if (entry.Value.Inode != caller[(int)NamespaceLinks.Of(entry.Key)])
                {
                    differing.Add(entry.Key);
                }
            }

            return all.Select(differing);
        }
        catch
        {
            all.Dispose();
            throw;
        }
    }

    /// <summary>Namespace objects, each reopened and checked (<see cref="OpenNamespace"/>), as one target: one per kind.</summary>
    internal static NamespaceTarget OpenNamespaces(IReadOnlyList<NamespaceIdentity> identities)
    {
        var files = new List<NamespaceFile>();
        try
        {
            foreach (NamespaceIdentity identity in identities)
            {
                NamespaceFile file = OpenNamespace(identity);
                files.Add(file);
                if (files.FindIndex(f => f.Type == file.Type) != files.Count - 1)
                {
                    throw new ArgumentException($"More than one {file.Type} namespace was given ({identity.Id}).");
                }
            }

            return NamespaceTarget.FromFiles(files);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    /// <summary>
    /// A namespace object's namespace, opened through what it says holds it (its nsfs paths, its
    /// named netns, its process), then any nsfs mount or process with its inode, and checked to be
    /// that namespace (<see cref="Check"/>).
    /// </summary>
    internal static NamespaceFile OpenNamespace(NamespaceIdentity identity)
    {
        NamespaceFile? file = OtherDevice(identity) ? null : NamespaceLocator.TryOpen(identity.Type, identity.Inode, identity.Paths, identity.Pids);
        return Checked(file ?? throw Gone(identity), identity);
    }

    /// <summary>
    /// A namespace object's namespace opened through what it says holds it or a bind mount of it,
    /// without walking /proc, and checked; null when none of those holds its inode (a process
    /// with it may still: a caller walking /proc checks the first it finds with <see cref="Check"/>).
    /// </summary>
    internal static NamespaceFile? TryOpenNamespaceWithoutScan(NamespaceIdentity identity) =>
        OtherDevice(identity) ? null :
        NamespaceLocator.TryOpenWithoutScan(identity.Type, identity.Inode, identity.Paths, identity.Pids) is NamespaceFile file ? Checked(file, identity) : null;

    /// <summary>
    /// Throws unless the namespace open in <paramref name="file"/> (found by the object's kind and
    /// inode) is the object's: the same NS_GET_ID, where the kernel has it.
    /// </summary>
    /// <exception cref="TargetRefusedException">NotFound: another namespace has its inode now. IdUnknown: the object has no NsId.</exception>
    /// <exception cref="ErrnoException">NS_GET_ID failed on a kernel that has it: the namespace cannot be told, so it is not accepted.</exception>
    internal static void Check(NamespaceFile file, NamespaceIdentity identity)
    {
        if (NamespaceIoctl.GetIdIfSupported(file.Fd.Fd, identity.Id) is not ulong id)
        {
            // A kernel without NS_GET_ID: the inode is all there is.
            return;
        }

        if (identity.NsId is null)
        {
            throw new TargetRefusedException(
                TargetRefusal.IdUnknown,
                $"{identity.Id} carries no namespace id (NsId), so it cannot be told from a newer namespace that reused its inode number. " +
                "Get a current object with Get-Namespace, or name the namespace with -Pid, -Path or -Name.");
        }

        if (id != identity.NsId)
        {
            throw new TargetRefusedException(
                TargetRefusal.NotFound,
                $"The namespace {identity.Id} (NsId {identity.NsId}) is gone: the namespace that has inode {identity.Inode} now is another one (NsId {id}).");
        }
    }

    /// <summary>
    /// A namespace named by a bare kind and inode, as a user writes it ("pid:[4026532180]"): the
    /// one that has that inode now. There is no id to compare; an object is opened with
    /// <see cref="OpenNamespace"/> instead.
    /// </summary>
    internal static NamespaceFile OpenInode(NamespaceType type, ulong inode) =>
        NamespaceLocator.TryOpen(type, inode, Array.Empty<string>(), Array.Empty<int>()) ??
        throw new TargetRefusedException(TargetRefusal.NotFound, $"No process or nsfs mount holds {Nsfs.FormatId(type, inode)}.");

    /// <summary>The message for a namespace object whose inode nothing holds.</summary>
    internal static TargetRefusedException Gone(NamespaceIdentity identity) =>
        new(TargetRefusal.NotFound, $"The namespace {identity.Id} is gone: no process or nsfs mount holds it any more.");

    /// <summary>nsfs files (full paths) as one target, one per kind; a file that does not exist is NotFound.</summary>
    internal static NamespaceTarget OpenPaths(IReadOnlyList<string> paths)
    {
        try
        {
            return NamespaceTarget.FromPaths(paths);
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            throw new TargetRefusedException(TargetRefusal.NotFound, $"There is no namespace file '{ex.Subject}'.");
        }
    }

    /// <summary>One nsfs file (a full path); <paramref name="expected"/> as for <see cref="NamespaceFile.Open"/>.</summary>
    internal static NamespaceFile OpenPath(string path, NamespaceType? expected = null)
    {
        try
        {
            return NamespaceFile.Open(path, expected);
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            throw new TargetRefusedException(TargetRefusal.NotFound, $"There is no namespace file '{path}'.");
        }
    }

    /// <summary>The named network namespace /run/netns/NAME.</summary>
    internal static NamespaceFile OpenNetnsName(string name)
    {
        if (NamespaceName.Problem(name) is string problem)
        {
            throw new TargetRefusedException(TargetRefusal.InvalidName, problem);
        }

        NamespaceFile file;
        try
        {
            file = NamespaceFile.Open(NamespaceName.PathOf(name), NamespaceType.Net);
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            throw new TargetRefusedException(TargetRefusal.NotFound, NetnsNameMatcher.NotFoundMessage(name));
        }

        if (file.Type != NamespaceType.Net)
        {
            file.Dispose();
            throw new TargetRefusedException(TargetRefusal.WrongType, $"'{NamespaceName.PathOf(name)}' is a {file.Type} namespace, not a network namespace.");
        }

        return file;
    }

    // As a target to act in, a malformed name or a file of another kind under it is a malformed
    // target (InvalidNamespaceTarget, the id Enter-Namespace and Invoke-InNamespace have always
    // given both), as a path of the wrong kind is.
    private static NamespaceFile OpenNetnsNameTarget(string name)
    {
        try
        {
            return OpenNetnsName(name);
        }
        catch (TargetRefusedException ex) when (ex.Reason is TargetRefusal.InvalidName or TargetRefusal.WrongType)
        {
            throw new ArgumentException(ex.Message, ex);
        }
    }

    /// <summary>Keeps only the kinds of -Type, when given; a kind the target does not hold is an error.</summary>
    internal static NamespaceTarget WithTypes(NamespaceTarget target, NamespaceType[]? types)
    {
        if (types is null)
        {
            return target;
        }

        try
        {
            return target.Select(types);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    // An object from a host whose nsfs is another device names no namespace here (0: the object does not say).
    private static bool OtherDevice(NamespaceIdentity identity) => identity.Device != 0 && identity.Device != Nsfs.Device;

    private static NamespaceFile Checked(NamespaceFile file, NamespaceIdentity identity)
    {
        try
        {
            Check(file, identity);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
