using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// New-Namespace -FilePath with -Path or -Name: persist the new namespaces and run the program in
/// them in one step, as unshare --net=/run/netns/NAME PROGRAM and unshare --pid=FILE --fork PROGRAM do.
/// </summary>
/// <remarks>
/// The files are bound while the program's process waits before its exec, after the fork that
/// makes it PID 1 of a new PID namespace: a PID namespace can only be bound once its PID 1 lives
/// (util-linux binds it from the waiting parent for the same reason), and the program may end
/// at once afterwards. If the program then cannot be started, the bindings are undone.
/// </remarks>
public sealed partial class NewNamespaceCommand
{
    /// <summary>What the launch persisted, once its sync step has run.</summary>
    private PersistedNamespace[] _persistedAtLaunch = Array.Empty<PersistedNamespace>();

    /// <summary>Where the launch binds its namespaces, set once the call has been confirmed.</summary>
    private PersistTarget[] _launchTargets = Array.Empty<PersistTarget>();

    private bool PersistsAtLaunch => MyInvocation.BoundParameters.ContainsKey(nameof(Path)) || MyInvocation.BoundParameters.ContainsKey(nameof(Name));

    /// <summary>
    /// The kinds to persist, checked before anything is created; null without -Path or -Name.
    /// With -Name, the one kind is Net.
    /// </summary>
    private NamespaceType[]? LaunchPersistTypes()
    {
        if (!PersistsAtLaunch)
        {
            return null;
        }

        bool byName = MyInvocation.BoundParameters.ContainsKey(nameof(Name));
        if (byName && MyInvocation.BoundParameters.ContainsKey(nameof(Path)))
        {
            Refuse("PathAndName", "Give -Path or -Name, not both: -Name binds the network namespace on /run/netns/NAME, -Path one file for each -Type.");
        }

        if (!byName)
        {
            if (Path.Length != Type.Length || new HashSet<NamespaceType>(Type).Count != Type.Length)
            {
                Refuse("PathCountMismatch", $"Give one -Path for each -Type, in the same order, and each type once: {Type.Length} types, {Path.Length} paths.");
            }

            return Type;
        }

        if (Name.Length != 1 || Array.IndexOf(Type, NamespaceType.Net) < 0)
        {
            Refuse("NameNeedsNetType", "With -FilePath, -Name takes one name and -Type must include Net: the new network namespace is bound on /run/netns/NAME.");
        }

        string? problem = NamespaceName.ProblemForNew(Name[0]);
        if (problem is not null)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidNamespaceName", problem, Name[0]));
        }

        return new[] { NamespaceType.Net };
    }

    /// <summary>
    /// Where to bind each kind: the -Path files (checked, in the order of -Type), or
    /// /run/netns/NAME, whose directory is then prepared as ip netns does and returned open.
    /// </summary>
    private PersistTarget[] LaunchPersistTargets(out SafeFd? runDirectory)
    {
        runDirectory = null;
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Name)))
        {
            return ResolvePathTargets();
        }

        runDirectory = NamedNetns.PrepareRunDirectory();
        return new[] { new PersistTarget(runDirectory.Fd, Name[0], NamespaceName.PathOf(Name[0])) };
    }

    /// <summary>The sync step's work: bind the namespaces of the waiting process (the program to be) on the targets.</summary>
    private void PersistAtLaunch(int pid, NamespaceType[] types) =>
        _persistedAtLaunch = NamespacePersistence.Persist(types, _launchTargets, () => NamespaceTarget.FromPid(pid, types));

    /// <summary>Undoes what the launch persisted when the program could not be started.</summary>
    private void UndoLaunchPersistence()
    {
        foreach (PersistedNamespace ns in _persistedAtLaunch)
        {
            try
            {
                NsfsBindMount.Remove(ns.Path);
            }
            catch (ErrnoException ex)
            {
                WriteError(ErrorRecords.NamespaceChange(ex, ns.Path));
            }
        }

        _persistedAtLaunch = Array.Empty<PersistedNamespace>();
    }

    /// <summary>A file that could not receive its namespace, as the error for the name or the path.</summary>
    private ErrorRecord LaunchTargetError(NamespaceTargetException ex) =>
        MyInvocation.BoundParameters.ContainsKey(nameof(Name))
            ? ErrorRecords.NamespaceTarget(ex, Name[0], Name[0])
            : ErrorRecords.NamespaceTarget(ex, ex.Path);
}
