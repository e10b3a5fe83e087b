using System;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Creates new namespaces: persisted on a file or under a name (like unshare --net=FILE
/// and ip netns add), or with a program running inside them (like unshare).</para>
/// </summary>
/// <remarks>
/// The parameters are all here; each way of creating has its own file: NewNamespaceCommand.Persist.cs
/// (a file or a name holds the namespace) and NewNamespaceCommand.Launch.cs (a program holds it,
/// and with -Path or -Name a file too).
/// </remarks>
[Cmdlet(VerbsCommon.New, "Namespace", DefaultParameterSetName = NoHolderSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Namespace))]
[OutputType(typeof(string), typeof(LaunchedProcess), ParameterSetName = new[] { LaunchSet })]
public sealed partial class NewNamespaceCommand : NamespaceCmdlet
{
    private const string PathSet = "Path";
    private const string NameSet = "Name";
    private const string LaunchSet = "FilePath";

    // The default set, so that -Type alone does not prompt for a mandatory -Path: it says what
    // New-Namespace needs instead.
    private const string NoHolderSet = "NoHolder";

    /// <summary>The kinds of namespace to create.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public NamespaceType[] Type { get; set; } = Array.Empty<NamespaceType>();

    /// <summary>
    /// The files to persist the namespaces on, one for each -Type, in the same order (what
    /// unshare --net=FILE does). Each file is created: an existing file, a directory or a symbolic
    /// link is refused, and its directory must exist.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LaunchSet)]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Names of network namespaces to create in /run/netns, where and as ip netns add makes them;
    /// -Type must be Net. Each name makes its own namespace. A name is a file name of at most 255
    /// bytes, not . or .., without / and, unlike what iproute2 allows, without control characters
    /// (ip netns list prints names one per line, as they are).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = LaunchSet)]
    [AllowEmptyString]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Persists the namespaces this process is in instead of creating new ones (what
    /// ip netns attach NAME PID does, for any type). The process is pinned with a pidfd, so a PID
    /// reused meanwhile is never taken for it.
    /// </summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = NoHolderSet)]
    [Alias("ProcessId")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(PidCompleter))]
    public int Pid { get; set; }

    /// <summary>Sets the loopback interface up in the new network namespace (ip netns add leaves it down).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = NoHolderSet)]
    public SwitchParameter LoopbackUp { get; set; }

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

    /// <summary>
    /// Maps the effective user's first range of /etc/subuid, and of /etc/subgid, from id 0 in a new
    /// user namespace (unshare --map-auto); -UidMap auto and -GidMap auto do one of them.
    /// </summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter MapAuto { get; set; }

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

    private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == NoHolderSet)
        {
            ThrowTerminatingError(ErrorRecords.NoNamespaceHolder(Type));
        }

        if (ParameterSetName == LaunchSet)
        {
            Launch();
        }
        else
        {
            CreatePersistent();
        }
    }
}
