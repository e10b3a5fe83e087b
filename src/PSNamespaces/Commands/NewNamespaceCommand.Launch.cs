using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// New-Namespace -FilePath: a program in new namespaces, as unshare(1) runs it; with -Path or
/// -Name the new namespaces are also bound on files in the same step, as unshare
/// --net=/run/netns/NAME PROGRAM and unshare --pid=FILE --fork PROGRAM do.
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

    private void Launch()
    {
        // Everything is checked before anything is created.
        RequireOwnProc();
        UnshareSettings settings;
        try
        {
            settings = UnsharePolicy.Resolve(LaunchOptions(), LaunchCaller.Current(SessionState.Path.CurrentFileSystemLocation.ProviderPath));
        }
        catch (LaunchOptionException ex)
        {
            ThrowTerminatingError(ErrorRecords.LaunchOption(ex));
            return;
        }

        string kinds = string.Join(", ", settings.Types);
        string persisted = settings.PersistTypes is null ? "" : ", persisted on " + string.Join(", ", Bound(nameof(Name)) ? Name : Path);
        if (!ShouldProcess(FilePath, $"Run in new namespaces ({kinds}){persisted}"))
        {
            return;
        }

        SafeFd? runDirectory = null;
        try
        {
            if (settings.PersistTypes is not null)
            {
                _launchTargets = LaunchPersistTargets(out runDirectory);
            }

            var runner = new ProgramRunner(this, StopToken) { PassThru = PassThru, NoWait = NoWait };
            if (!runner.Run(UnsharePlan.Build(settings), ex => ErrorRecords.HintForUnshareStep(ex, settings.Types), (_, pid) => PersistAtLaunch(pid, settings.PersistTypes!)))
            {
                UndoLaunchPersistence();
            }
        }
        catch (NamespaceTargetException ex)
        {
            WriteError(LaunchTargetError(ex));
        }
        finally
        {
            runDirectory?.Dispose();
        }
    }

    /// <summary>The parameters, as they were given.</summary>
    private UnshareOptions LaunchOptions() => new()
    {
        Types = Type,
        FilePath = FilePath,
        ArgumentList = ArgumentList,
        MountProc = MountProc,
        MapRootUser = MapRootUser,
        MapCurrentUser = MapCurrentUser,
        MapAuto = MapAuto,
        MapUser = MapUser,
        MapGroup = MapGroup,
        UidMap = UidMap,
        GidMap = GidMap,
        SetGroups = SetGroups,
        Propagation = Propagation,
        Root = Root is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root),
        WorkingDirectory = WorkingDirectory,
        MonotonicOffset = MonotonicOffset,
        BoottimeOffset = BoottimeOffset,
        UserId = UserId,
        GroupId = GroupId,
        KillChild = KillChild,
        KillChildSignal = KillChildSignal,
        PersistPaths = Bound(nameof(Path)) ? Path : null,
        PersistNames = Bound(nameof(Name)) ? Name : null,
        ReadNamespaces = PassThru || NoWait,
    };

    /// <summary>
    /// Where to bind each kind: the -Path files (checked, in the order of -Type), or
    /// /run/netns/NAME, whose directory is then prepared as ip netns does and returned open.
    /// </summary>
    private PersistTarget[] LaunchPersistTargets(out SafeFd? runDirectory)
    {
        runDirectory = null;
        if (!Bound(nameof(Name)))
        {
            return ResolvePathTargets();
        }

        runDirectory = NamedNetns.PrepareRunDirectory();
        return new[] { new PersistTarget(runDirectory.Fd, Name[0], NamespaceName.PathOf(Name[0])) };
    }

    /// <summary>The sync step's work: bind the namespaces of the waiting process (the program to be) on the targets.</summary>
    private void PersistAtLaunch(int pid, IReadOnlyList<NamespaceType> types)
    {
        NamespaceType[] kinds = types.ToArray();
        _persistedAtLaunch = NamespacePersistence.Persist(kinds, _launchTargets, () => NamespaceTarget.FromPid(pid, kinds));
    }

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
        Bound(nameof(Name))
            ? ErrorRecords.NamespaceTarget(ex, Name[0], Name[0])
            : ErrorRecords.NamespaceTarget(ex, ex.Path);

}
