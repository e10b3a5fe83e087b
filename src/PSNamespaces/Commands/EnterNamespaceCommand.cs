using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Runs a program inside existing namespaces: those of a process, namespace objects,
/// nsfs files, or a named network namespace (like nsenter and ip netns exec). Without a program, an
/// interactive shell.</para>
/// </summary>
[Cmdlet(VerbsCommon.Enter, "Namespace", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(string), typeof(LaunchedProcess))]
public sealed class EnterNamespaceCommand : NamespaceTargetCmdlet
{
    /// <summary>The kinds to enter. Default: with -Pid, every kind in which the process differs from
    /// pwsh (nsenter --all); otherwise every kind given.</summary>
    [Parameter(ParameterSetName = PidSet)]
    [Parameter(ParameterSetName = ContainerSet)]
    [Parameter(ParameterSetName = NamespaceSet)]
    [Parameter(ParameterSetName = PathSet)]
    public NamespaceType[]? Type { get; set; }

    /// <summary>The program to run, looked up in PATH inside the namespaces. Default: an interactive
    /// shell, $SHELL or, without it, pwsh with this module.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? FilePath { get; set; }

    /// <summary>The program's arguments, each passed as is.</summary>
    [Parameter]
    [Alias("Args")]
    [ValidateNoNul]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    /// <summary>The root directory (chroot) for the program, a path inside the entered namespaces (nsenter --root).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? Root { get; set; }

    /// <summary>The working directory, inside the entered namespaces (nsenter --wd). Default: pwsh's
    /// location, or / of an entered mount namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? WorkingDirectory { get; set; }

    /// <summary>The uid to run as (nsenter --setuid), or 'follow': the target process's. Entering a
    /// user namespace, 0 unless -PreserveCredentials.</summary>
    [Parameter]
    [FollowIdTransformation]
    [ArgumentCompleter(typeof(FollowIdCompleter))]
    public uint? UserId { get; set; }

    /// <summary>The gid to run as (nsenter --setgid), or 'follow': the target process's. Entering a
    /// user namespace, 0 unless -PreserveCredentials.</summary>
    [Parameter]
    [FollowIdTransformation]
    [ArgumentCompleter(typeof(FollowIdCompleter))]
    public uint? GroupId { get; set; }

    /// <summary>Keeps uid, gid and groups as they are when entering a user namespace (nsenter --preserve-credentials).</summary>
    [Parameter]
    public SwitchParameter PreserveCredentials { get; set; }

    /// <summary>Writes an object with the program's PID, its namespaces and, once it ended, its exit code.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Starts the program in the background (standard input from /dev/null) and writes its object at once.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>The program gets the target process's environment (/proc/PID/environ) instead of
    /// pwsh's (nsenter --env). Needs -Pid or -Container.</summary>
    [Parameter]
    public SwitchParameter UseTargetEnvironment { get; set; }

    /// <summary>Moves the program into the target process's cgroups before it joins any namespace
    /// (nsenter --join-cgroup): cgroup v2, and on a hybrid or v1 system every mounted v1
    /// hierarchy too. Needs -Pid or -Container.</summary>
    [Parameter]
    public SwitchParameter JoinCgroup { get; set; }

    protected override NamespaceType[]? TargetTypes => Type;

    protected override IReadOnlyCollection<NamespaceType> ProcessKinds => NamespaceTypes.All;

    // Every namespace piped in is entered by one program, once the pipeline has given them all.
    protected override bool NamespacesTogether => true;

    private bool FollowUserId => UserId == FollowIdTransformationAttribute.Follow;

    private bool FollowGroupId => GroupId == FollowIdTransformationAttribute.Follow;

    /// <summary>These options read the target process's files, so a target that is no process is refused at once.</summary>
    protected override void BeginProcessing()
    {
        RequireOwnProc();
        var asked = new List<string>();
        if (FollowUserId)
        {
            asked.Add("-UserId follow");
        }

        if (FollowGroupId)
        {
            asked.Add("-GroupId follow");
        }

        if (UseTargetEnvironment)
        {
            asked.Add("-UseTargetEnvironment");
        }

        if (JoinCgroup)
        {
            asked.Add("-JoinCgroup");
        }

        if (asked.Count > 0 && ParameterSetName is not (PidSet or ContainerSet))
        {
            object target = ParameterSetName switch
            {
                PathSet => Path.Length == 1 ? Path[0] : Path,
                NameSet => Name.Length == 1 ? Name[0] : Name,
                _ => Namespace,
            };
            ThrowTerminatingError(ErrorRecords.InvalidArgument(
                "TargetProcessRequired",
                $"{string.Join(", ", asked)} take{(asked.Count == 1 ? "s" : string.Empty)} the credentials, environment or cgroups of a process: name it with -Pid or -Container (namespace files and names have no process).",
                target));
        }
    }

    /// <summary>The target process's cgroups to join, found from pwsh's view; null (the error written) when they cannot be.</summary>
    private ProcessOptionValues? ProcessOptions(NamespaceTarget namespaces, object input)
    {
        List<string>? cgroups = null;
        if (JoinCgroup)
        {
            var skipped = new List<string>();
            try
            {
                cgroups = CgroupJoin.ProcsFiles(namespaces.Pid!.Value, skipped);
            }
            catch (CgroupJoinException ex)
            {
                WriteError(ErrorRecords.CgroupJoin(ex, input));
                return null;
            }

            if (skipped.Count > 0)
            {
                WriteVerbose($"Not mounted in this mount namespace, so not joined: {string.Join(", ", skipped)}.");
            }
        }

        return new ProcessOptionValues(FollowUserId, FollowGroupId, cgroups);
    }

    private protected override void ProcessRecordWithTarget(NamespaceTarget target, object input, string? netnsName)
    {
        using (target)
        {
            if (ProcessOptions(target, input) is not ProcessOptionValues process)
            {
                return;
            }

            NsenterOptions options = Options(target, netnsName, process);
            NsenterFacts facts = NsenterFacts.Read(options);
            foreach (string file in facts.UnboundEtcFiles)
            {
                WriteWarning($"{NetnsExec.EtcDirectory}/{options.NetnsName}/{System.IO.Path.GetFileName(file)} is not bound: {file} does not exist.");
            }

            var runner = new ProgramRunner(this, StopToken)
            {
                PassThru = PassThru,
                NoWait = NoWait,
                NetnsName = options.NetnsName,
                AnnounceNetns = options.NetnsName is not null && SeveralNames,
            };
            runner.Run(NsenterPlan.Build(options, LaunchCaller.Current(SessionState.Path.CurrentFileSystemLocation.ProviderPath), facts), ErrorRecords.HintForNsenterStep);
        }
    }

    /// <summary>The parameters, as they were given, for the resolved target.</summary>
    /// <param name="target">The namespaces to enter.</param>
    /// <param name="netnsName">With -Name, the named network namespace they are: entered as ip netns exec does.</param>
    /// <param name="process">What -UserId/-GroupId follow, -UseTargetEnvironment and -JoinCgroup ask of the target process.</param>
    private NsenterOptions Options(NamespaceTarget target, string? netnsName, ProcessOptionValues process)
    {
        (string file, string[] arguments) = Program();
        return new NsenterOptions
        {
            Target = JoinTarget.From(target),
            FilePath = file,
            ArgumentList = arguments,
            NetnsName = netnsName,
            Root = Root,
            WorkingDirectory = WorkingDirectory,
            UserId = process.FollowUserId ? null : UserId,
            GroupId = process.FollowGroupId ? null : GroupId,
            FollowUserId = process.FollowUserId,
            FollowGroupId = process.FollowGroupId,
            PreserveCredentials = PreserveCredentials,
            TargetEnvironment = UseTargetEnvironment,
            CgroupProcsFiles = process.CgroupProcsFiles,
            ReadNamespaces = PassThru || NoWait,
        };
    }

    /// <summary>The program, or (like nsenter) an interactive shell: $SHELL, else this pwsh with the module.</summary>
    private (string File, string[] Arguments) Program()
    {
        if (FilePath is not null)
        {
            return (FilePath, ArgumentList);
        }

        string? shell = Environment.GetEnvironmentVariable("SHELL");
        if (!string.IsNullOrEmpty(shell) && System.IO.Path.GetFileName(shell) != "pwsh")
        {
            return (shell, ArgumentList);
        }

        string pwsh = string.IsNullOrEmpty(shell) ? System.IO.Path.Combine(AppContext.BaseDirectory, "pwsh") : shell;
        // The module the session imported; this assembly sits in its runtimes/RID/, two levels down.
        string module = MyInvocation.MyCommand.Module?.Path
            ?? System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(EnterNamespaceCommand).Assembly.Location)!, "../../PSNamespaces.psd1"));
        return (pwsh, new[] { "-NoLogo", "-NoExit", "-Command", $"Import-Module '{System.Management.Automation.Language.CodeGeneration.EscapeSingleQuotedStringContent(module)}'" });
    }

}

/// <summary>What the options that take something of the target process resolved to, for one target.</summary>
internal readonly record struct ProcessOptionValues(bool FollowUserId, bool FollowGroupId, IReadOnlyList<string>? CgroupProcsFiles);
