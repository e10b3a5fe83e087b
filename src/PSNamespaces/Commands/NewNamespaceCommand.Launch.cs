using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Core.Plans;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Commands;

/// <summary>New-Namespace -FilePath: a program in new namespaces, as unshare(1) runs it.</summary>
[OutputType(typeof(string), typeof(LaunchedProcess), ParameterSetName = new[] { LaunchSet })]
public sealed partial class NewNamespaceCommand
{
    /// <summary>The program to run inside the new namespaces, looked up in PATH there. With a new PID
    /// namespace it is that namespace's PID 1 (unshare --fork).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string FilePath { get; set; } = "";

    /// <summary>The program's arguments, each passed as is.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [Alias("Args")]
    [ValidateNoNul]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    /// <summary>Mounts a fresh /proc (of the new PID namespace) inside the new mount namespace, after
    /// -Root (unshare --mount-proc). Implies a new mount namespace.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter MountProc { get; set; }

    /// <summary>Maps your user and group to root inside a new user namespace, with setgroups denied
    /// (unshare --map-root-user). Lets an ordinary user create every other kind. Implies -Type User.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter MapRootUser { get; set; }

    /// <summary>Maps your user and group to the same ids inside a new user namespace
    /// (unshare --map-current-user). Implies -Type User.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter MapCurrentUser { get; set; }

    /// <summary>Maps your user to this uid inside a new user namespace (unshare --map-user).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public uint? MapUser { get; set; }

    /// <summary>Maps your group to this gid inside a new user namespace, with setgroups denied
    /// (unshare --map-group).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public uint? MapGroup { get; set; }

    /// <summary>uid ranges as 'inside:outside:count' (the order of /proc/PID/uid_map), written by pwsh
    /// from outside; mapping ids other than your own needs CAP_SETUID (root).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public string[]? UidMap { get; set; }

    /// <summary>gid ranges as 'inside:outside:count' (the order of /proc/PID/gid_map).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public string[]? GidMap { get; set; }

    /// <summary>Allow or deny setgroups(2) in the new user namespace (unshare --setgroups).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SetGroupsMode? SetGroups { get; set; }

    /// <summary>The propagation of the new mount namespace (unshare --propagation); Private by default.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public MountPropagation Propagation { get; set; } = MountPropagation.Private;

    /// <summary>The directory the program gets as its root (chroot), given as pwsh sees it (unshare --root).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? Root { get; set; }

    /// <summary>The program's working directory, inside the new root (unshare --wd). Without it: pwsh's
    /// current location, or / with -Root.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? WorkingDirectory { get; set; }

    /// <summary>Seconds added to CLOCK_MONOTONIC in a new time namespace (unshare --monotonic). Implies -Type Time.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public long? MonotonicOffset { get; set; }

    /// <summary>Seconds added to CLOCK_BOOTTIME in a new time namespace (unshare --boottime). Implies -Type Time.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public long? BoottimeOffset { get; set; }

    /// <summary>The uid the program runs as, inside the namespaces (unshare --setuid).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public uint? UserId { get; set; }

    /// <summary>The gid the program runs as, inside the namespaces (unshare --setgid).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public uint? GroupId { get; set; }

    /// <summary>Kills the program (SIGKILL) when pwsh dies; with a new PID namespace, every process
    /// in it goes too (unshare --kill-child).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter KillChild { get; set; }

    /// <summary>The signal -KillChild sends instead of SIGKILL ("SIGTERM", "TERM" or 15; unshare
    /// --kill-child=SIGNAL); implies -KillChild.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string? KillChildSignal { get; set; }

    /// <summary>Writes an object with the program's PID, its namespaces and, once it ended, its exit code.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Starts the program in the background (standard input from /dev/null) and writes its
    /// object at once; WaitForExit() on it waits, ExitCode tells the result.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter NoWait { get; set; }

    partial void Launch()
    {
        // Everything is checked before anything is created.
        NamespaceType[]? persistTypes = LaunchPersistTypes();
        UnshareOptions options = LaunchOptions(persistTypes);
        string kinds = string.Join(", ", options.Types);
        string persisted = persistTypes is null ? "" : ", persisted on " + string.Join(", ", MyInvocation.BoundParameters.ContainsKey(nameof(Name)) ? Name : Path);
        if (!ShouldProcess(FilePath, $"Run in new namespaces ({kinds}){persisted}"))
        {
            return;
        }

        SafeFd? runDirectory = null;
        try
        {
            if (persistTypes is not null)
            {
                _launchTargets = LaunchPersistTargets(out runDirectory);
            }

            var runner = new ProgramRunner(this, StopToken) { PassThru = PassThru, NoWait = NoWait };
            if (!runner.Run(UnsharePlan.Build(options), FilePath, ArgumentList, ex => Hint(ex, options)))
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

    private UnshareOptions LaunchOptions(NamespaceType[]? persistTypes)
    {
        var types = new HashSet<NamespaceType>(Type);
        uint euid = LibC.geteuid();
        uint egid = LibC.getegid();
        List<IdMapRange>? uidMap = null;
        List<IdMapRange>? gidMap = null;
        SetGroupsMode? setGroups = SetGroups;
        int both = (MapRootUser ? 1 : 0) + (MapCurrentUser ? 1 : 0) + (MapAuto ? 1 : 0);
        int uidSources = both + (MapUser is null ? 0 : 1) + (UidMap is null ? 0 : 1);
        int gidSources = both + (MapGroup is null ? 0 : 1) + (GidMap is null ? 0 : 1);
        if (uidSources > 1 || gidSources > 1)
        {
            Refuse("ConflictingIdMaps", "Give at most one uid map and one gid map: -MapRootUser, -MapCurrentUser and -MapAuto set both, -MapUser and -UidMap the uid map, -MapGroup and -GidMap the gid map.");
        }

        if (MapAuto)
        {
            uidMap = AutoMap(SubordinateIds.SubuidPath);
            gidMap = AutoMap(SubordinateIds.SubgidPath);
        }

        if (MapRootUser || MapCurrentUser)
        {
            uint uid = MapRootUser ? 0 : euid;
            uint gid = MapRootUser ? 0 : egid;
            uidMap = new List<IdMapRange> { new(uid, euid, 1) };
            gidMap = new List<IdMapRange> { new(gid, egid, 1) };
            // An unprivileged gid map needs setgroups denied first (unshare -r and -c imply it).
            setGroups ??= SetGroupsMode.Deny;
        }

        if (MapUser is uint mappedUid)
        {
            uidMap = new List<IdMapRange> { new(mappedUid, euid, 1) };
        }

        if (MapGroup is uint mappedGid)
        {
            gidMap = new List<IdMapRange> { new(mappedGid, egid, 1) };
            setGroups ??= SetGroupsMode.Deny;
        }

        uidMap ??= ParseMap(UidMap, nameof(UidMap));
        gidMap ??= ParseMap(GidMap, nameof(GidMap));
        if (uidMap is not null || gidMap is not null || setGroups is not null)
        {
            types.Add(NamespaceType.User);
        }

        if (MonotonicOffset is not null || BoottimeOffset is not null)
        {
            types.Add(NamespaceType.Time);
        }

        if (MountProc)
        {
            types.Add(NamespaceType.Mount);
        }

        if (types.Count == 0)
        {
            Refuse("NoNamespaceType", "Give at least one kind of namespace with -Type.");
        }

        return new UnshareOptions
        {
            Types = types.OrderBy(t => t).ToArray(),
            CallerDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            MountProc = MountProc,
            Propagation = Propagation,
            Root = Root is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root),
            WorkingDirectory = WorkingDirectory,
            UidMap = uidMap,
            GidMap = gidMap,
            SetGroups = setGroups,
            MonotonicOffset = MonotonicOffset,
            BoottimeOffset = BoottimeOffset,
            UserId = UserId,
            GroupId = GroupId,
            KillSignal = KillChildSignal is not null ? KillSignalNumber() : KillChild ? LibC.SIGKILL : 0,
            Persist = persistTypes is null ? null : pid => PersistAtLaunch(pid, persistTypes),
        };
    }

    private int KillSignalNumber()
    {
        int signal = SignalName.Parse(KillChildSignal!);
        if (signal == 0)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidSignal", $"-KillChildSignal: '{KillChildSignal}' is not a signal name (such as SIGTERM or TERM) or number.", KillChildSignal));
        }

        return signal;
    }

    private void Refuse(string id, string message) =>
        ThrowTerminatingError(ErrorRecords.InvalidArgument(id, message, FilePath));

    /// <summary>What is missing, for the steps that need privilege.</summary>
    private static string? Hint(LaunchFailedException ex, UnshareOptions options)
    {
        if (ex.Error.Errno is not (Errno.EPERM or Errno.EACCES))
        {
            return null;
        }

        bool user = options.Types.Contains(NamespaceType.User);
        return ex.Step.Function switch
        {
            "unshare" when !user =>
                "Creating these namespaces needs CAP_SYS_ADMIN (root). As an ordinary user, add -MapRootUser: a new user namespace, in which you are root, then owns the others",
            "unshare" =>
                "Creating a user namespace was refused: unprivileged user namespaces may be disabled (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, or an AppArmor/SELinux policy)",
            "chroot" => "chroot needs CAP_SYS_CHROOT; as an ordinary user, add -MapRootUser",
            "setuid" or "setgid" or "setgroups" =>
                "Changing credentials needs CAP_SETUID/CAP_SETGID, and the ids must be mapped in the user namespace",
            _ when ex.Step.Function.StartsWith("mount", StringComparison.Ordinal) =>
                user ? "Mounting needs the mount namespace to be owned by the new user namespace (add -Type Mount) and, for /proc, a new PID namespace (-Type Pid)"
                     : "Mounting needs CAP_SYS_ADMIN (root); as an ordinary user, add -MapRootUser",
            _ => null,
        };
    }
}
