using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Commands;

// Enter-Namespace's targets opened: a process's namespaces (those that differ from pwsh's, as
// nsenter --all), namespace objects reopened and checked, nsfs paths, a named netns.
public sealed partial class EnterNamespaceCommand
{
    /// <summary>Opens the namespaces the user named, or writes why not and returns null.</summary>
    private NamespaceTarget? Resolve(object target)
    {
        try
        {
            return ParameterSetName switch
            {
                PidSet or ContainerSet => FromPid((int)target),
                NamespaceSet => FromNamespaces((Namespace[])target),
                PathSet => Selected(NamespaceTarget.FromPaths(Path.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)))),
                _ => NamespaceTarget.FromNetnsName((string)target),
            };
        }
        catch (ErrnoException ex) when (ParameterSetName is PidSet or ContainerSet)
        {
            WriteError(ErrorRecords.ProcessUnreadable((int)target, ex.Errno, ex.Function));
        }
        catch (ErrnoException ex) when (ParameterSetName == NameSet && ex.Errno == Errno.ENOENT)
        {
            WriteError(ErrorRecords.NamespaceNotFound($"There is no network namespace named '{target}' in {NamespaceName.RunDirectory}.", target));
        }
        catch (ErrnoException ex)
        {
            WriteError(ErrorRecords.FromErrno(ex, target));
        }
        catch (NotANamespaceException ex)
        {
            WriteError(new ErrorRecord(ex, "NotANamespace", ErrorCategory.InvalidArgument, ex.Path));
        }
        catch (ArgumentException ex)
        {
            WriteError(ErrorRecords.InvalidArgument("InvalidNamespaceTarget", ex.Message, target));
        }

        return null;
    }

    /// <summary>
    /// The process's namespaces: the kinds asked for, or (nsenter --all) every kind in which it
    /// differs from pwsh. A user namespace pwsh is already in cannot be entered again (setns
    /// refuses, so that no one regains capabilities they dropped).
    /// </summary>
    private NamespaceTarget FromPid(int pid)
    {
        NamespaceTarget all = NamespaceTarget.FromPid(pid, Type ?? NamespaceTypes.All);
        try
        {
            IEnumerable<NamespaceType> kinds = all.Files.Keys.Where(t => Type is not null || all.Files[t].Inode != OwnInode(t));
            if (Type is not null && Type.Contains(NamespaceType.User) && all.Files[NamespaceType.User].Inode == OwnInode(NamespaceType.User))
            {
                throw new ArgumentException($"pwsh is already in the user namespace of process {pid}; setns refuses to enter it again. Leave User out of -Type.");
            }

            return all.Select(kinds.ToArray());
        }
        catch
        {
            all.Dispose();
            throw;
        }
    }

    /// <summary>The namespace of a kind pwsh's pipeline thread is in (all of pwsh's threads share it).</summary>
    private static ulong OwnInode(NamespaceType type)
    {
        if (Sys.TryOpenAt(LibC.AT_FDCWD, "/proc/thread-self\0"u8, LibC.O_RDONLY | LibC.O_DIRECTORY, out int fd) != 0)
        {
            return 0;
        }

        try
        {
            return ProcessNamespaceReader.ReadLink(fd, NamespaceLinks.Of(type), out ulong inode) == 0 ? inode : 0;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>
    /// Opens each namespace object through a path that holds it (its bind mounts, a process in it)
    /// and checks the identity: only the values of the object are trusted, so one from another
    /// session or from Import-Clixml works as long as that namespace still exists.
    /// </summary>
    private NamespaceTarget FromNamespaces(Namespace[] namespaces)
    {
        var paths = new List<string>();
        using var scanner = new ProcessScanner();
        foreach (Namespace ns in namespaces)
        {
            paths.Add(PathHolding(ns, scanner) ??
                throw new ErrnoException("open", Errno.ENOENT, ns.Id + ": no process or bind mount holds it any more"));
        }

        NamespaceTarget target = Selected(NamespaceTarget.FromPaths(paths));
        foreach (Namespace ns in namespaces)
        {
            if (!target.Files.TryGetValue(ns.Type, out NamespaceFile? file) || file.Inode != ns.Inode || ns.Device != Nsfs.Device)
            {
                target.Dispose();
                throw new ErrnoException("open", Errno.ESTALE, ns.Id + " was replaced while it was opened");
            }
        }

        return target;
    }

    private static string? PathHolding(Namespace ns, ProcessScanner scanner)
    {
        // Get-Namespace's objects may carry where they are held; plain ones are looked up in /proc.
        var properties = PSObject.AsPSObject(ns).Properties;
        if (properties["NsfsPaths"]?.Value is IEnumerable<string> nsfsPaths && nsfsPaths.FirstOrDefault() is string nsfs)
        {
            return nsfs;
        }

        if (properties["Pid"]?.Value is int holder && holder > 0)
        {
            return $"/proc/{holder}/ns/{ns.Type.ProcName()}";
        }

        NamespaceLink link = NamespaceLinks.Of(ns.Type);
        foreach (int pid in scanner.ListPids())
        {
            if (scanner.TryReadNamespaces(pid, out _, out _, link, ns.Inode) is not null)
            {
                return $"/proc/{pid}/ns/{ns.Type.ProcName()}";
            }
        }

        return null;
    }

    private NamespaceTarget Selected(NamespaceTarget target)
    {
        if (Type is null)
        {
            return target;
        }

        try
        {
            return target.Select(Type);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }
}
