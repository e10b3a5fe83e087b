using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Launch;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// New-Namespace -Path / -Name: namespaces held by a file rather than by a process, made new
/// (unshare --net=FILE, ip netns add) or taken from a running process (ip netns attach).
/// </summary>
public sealed partial class NewNamespaceCommand
{
    private bool Attach => Bound(nameof(Pid));

    private void CreatePersistent()
    {
        CheckPersistTypes();
        if (ParameterSetName == NameSet)
        {
            CreateNamed();
        }
        else
        {
            CreateOnPaths();
        }
    }

    /// <summary>Refuses, for the whole call, type lists that cannot be persisted as asked.</summary>
    private void CheckPersistTypes()
    {
        var seen = new HashSet<NamespaceType>();
        foreach (NamespaceType type in Type)
        {
            if (!seen.Add(type))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("DuplicateType", $"-Type names {type} more than once.", Type));
            }
        }

        if (seen.Contains(NamespaceType.Pid) && !Attach)
        {
            // The kernel opens pid_for_children only once the namespace has its PID 1, and a PID
            // namespace whose PID 1 has exited takes no new process: there is no usable PID
            // namespace without a process, which is why unshare --pid=FILE needs --fork.
            ThrowTerminatingError(ErrorRecords.InvalidArgument(
                "PidNamespaceNeedsProcess",
                "A new PID namespace cannot be persisted before a process lives in it as its PID 1, and becomes unusable once that process exits. Start a program in it (New-Namespace -Type Pid -FilePath ...), then persist it with -Pid.",
                NamespaceType.Pid));
        }

        if (LoopbackUp && seen.Contains(NamespaceType.User))
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("LoopbackUpWithUser", "-LoopbackUp cannot be combined with -Type User: the namespaces are made by the exec helper. Set lo up afterwards, for example with Enter-Namespace -Path ... -FilePath ip -ArgumentList link, set, lo, up.", LoopbackUp));
        }

        if (LoopbackUp && (Attach || !seen.Contains(NamespaceType.Net)))
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("LoopbackUpNeedsNewNet", "-LoopbackUp sets lo up in a new network namespace: use it with -Type Net and without -Pid.", LoopbackUp));
        }

        if (ParameterSetName == NameSet && !(Type.Length == 1 && Type[0] == NamespaceType.Net))
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("NameNeedsNetType", "-Name makes named network namespaces in /run/netns: use -Type Net, or -Path for other types.", Type));
        }
    }

    /// <summary>Each name, one network namespace bound on /run/netns/NAME (ip netns add / attach).</summary>
    private void CreateNamed()
    {
        SafeFd? runDirectory = null;
        try
        {
            foreach (string name in Name)
            {
                string? problem = NamespaceName.ProblemForNew(name);
                if (problem is not null)
                {
                    WriteError(ErrorRecords.InvalidArgument("InvalidNamespaceName", problem, name));
                    continue;
                }

                string path = NamespaceName.PathOf(name);
                if (!ShouldProcess(path, Attach ? $"Persist the network namespace of process {Pid}" : "Create network namespace"))
                {
                    continue;
                }

                try
                {
                    runDirectory ??= NamedNetns.PrepareRunDirectory();
                    Persist(new[] { new PersistTarget(runDirectory.Fd, name, path) });
                }
                catch (NamespaceTargetException ex)
                {
                    WriteError(ErrorRecords.NamespaceTarget(ex, name, name));
                }
                catch (ErrnoException ex)
                {
                    WriteError(PersistError(ex, name));
                }
            }
        }
        finally
        {
            runDirectory?.Dispose();
        }
    }

    /// <summary>One namespace of each type, each bound on its file, all or none.</summary>
    private void CreateOnPaths()
    {
        if (Path.Length != Type.Length)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("PathCountMismatch", $"Give one -Path for each -Type, in the same order: {Type.Length} types, {Path.Length} paths.", Path));
        }

        PersistTarget[] targets = ResolvePathTargets();
        string kinds = string.Join(", ", Type);
        if (!ShouldProcess(string.Join(", ", Array.ConvertAll(targets, t => t.Path)), Attach ? $"Persist the {kinds} namespaces of process {Pid}" : $"Create {kinds} namespaces"))
        {
            return;
        }

        try
        {
            Persist(targets);
        }
        catch (NamespaceTargetException ex)
        {
            WriteError(ErrorRecords.NamespaceTarget(ex, Path[Array.FindIndex(targets, t => t.Path == ex.Path)]));
        }
        catch (ErrnoException ex)
        {
            WriteError(PersistError(ex, Path.Length == 1 ? Path[0] : Path));
        }
        catch (ExecHelperException ex)
        {
            // A user namespace is made by the exec helper.
            WriteError(ErrorRecords.ExecHelper(ex, Path.Length == 1 ? Path[0] : Path));
        }
    }

    /// <summary>The -Path files as full paths, each given once; a bad one ends the call.</summary>
    private PersistTarget[] ResolvePathTargets()
    {
        var targets = new PersistTarget[Path.Length];
        var resolved = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Path.Length; i++)
        {
            string? full = ResolveFileSystemPath(Path[i], out ErrorRecord? error);
            if (full is null)
            {
                ThrowTerminatingError(error!);
            }

            if (!resolved.Add(full!))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("DuplicatePath", $"'{full}' is given more than once.", Path[i]));
            }

            targets[i] = PersistTarget.AtPath(full!);
        }

        return targets;
    }

    /// <summary>Makes (or, with -Pid, opens) the namespaces and binds them on the targets; writes what was made.</summary>
    private void Persist(PersistTarget[] targets)
    {
        bool withHelper = !Attach && Array.IndexOf(Type, NamespaceType.User) >= 0;
        if (withHelper)
        {
            // The helper's PID is opened in /proc: in another PID namespace's /proc, another process.
            RequireOwnProc();
        }

        PersistedNamespace[] made = NamespacePersistence.Persist(
            Type,
            targets,
            () => Attach ? NamespaceTarget.FromPid(Pid, Type)
                : withHelper ? NamespaceUnshare.CreateWithHelper(Type)
                : NamespaceUnshare.Create(Type, LoopbackUp));
        foreach (PersistedNamespace ns in made)
        {
            // A namespace made here has no process in it: its bind mounts say all there is.
            WriteObject(Attach ? NamespaceOutput.Describe(ns.Type, ns.Inode) : NamespaceOutput.DescribeMade(ns.Type, ns.Inode, ns.MountId));
        }
    }

    private ErrorRecord PersistError(ErrnoException ex, object target)
    {
        // NamespaceTarget.FromPid names the process as "PID" or "/proc/PID/...".
        string pid = Pid.ToString(CultureInfo.InvariantCulture);
        if (Attach && ex.Subject is not null && (ex.Subject == pid || ex.Subject.StartsWith("/proc/" + pid + "/", StringComparison.Ordinal) || ex.Subject == "/proc/" + pid))
        {
            return ErrorRecords.ProcessUnreadable(Pid, ex.Errno, ex.Function);
        }

        return ErrorRecords.NamespaceChange(ex, target, Array.IndexOf(Type, NamespaceType.Mount) >= 0);
    }
}
