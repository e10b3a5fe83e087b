using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core;
using PSNamespaces.Interop;
using PSNamespaces.Runspaces;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block inside the namespaces of a process, of namespace objects, of nsfs files or
/// of a named network namespace, and writes its output objects to the pipeline.</para>
/// </summary>
/// <remarks>
/// The block runs on a dedicated thread that joined the namespaces, in a runspace of its own (as
/// with ForEach-Object -Parallel): values reach it through -ArgumentList and $using:, objects come
/// back as they are. Workers are kept per target and kinds for later calls (see NamespaceRunspaces).
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "InNamespace", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(PSObject))]
public sealed class InvokeInNamespaceCommand : NamespaceCmdlet
{
    private const string PidSet = "Pid";
    private const string NamespaceSet = "Namespace";
    private const string PathSet = "Path";
    private const string NameSet = "Name";

    // How long a stopped block may take to end before its worker is left to finish alone.
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(2);

    // What the CLR can join from a thread; user and time namespaces need Enter-Namespace.
    private static readonly NamespaceType[] s_joinable =
    {
        NamespaceType.Cgroup, NamespaceType.Ipc, NamespaceType.Mount, NamespaceType.Net, NamespaceType.Pid, NamespaceType.Uts,
    };

    /// <summary>
    /// The script block to run inside the namespaces. It runs in a runspace of its own: pass
    /// values with -ArgumentList or $using:, not through variables of the caller's scope.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>
    /// The processes whose namespaces to join; the block runs once for each. Without -Type, every
    /// namespace of the process that differs from the session's (as nsenter --all), user and time aside.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = PidSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(PidCompleter))]
    public int[] Pid { get; set; } = Array.Empty<int>();

    /// <summary>Namespace objects (from Get-Namespace) to join; the block runs once in each.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NamespaceSet, ValueFromPipeline = true)]
    public Namespace[] Namespace { get; set; } = Array.Empty<Namespace>();

    /// <summary>
    /// nsfs files to join together (/proc/PID/ns/net, a bind mount such as /run/netns/NAME), one
    /// per kind; the block runs once inside all of them. Taken literally, no wildcards.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Named network namespaces (in /run/netns, as ip netns names them); the block runs once in each.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The kinds of the target's namespaces to join: Net, Uts, Ipc, Mount, Cgroup, and Pid (which
    /// applies to programs the block starts, not to pwsh). User and Time cannot be joined from
    /// inside pwsh: use Enter-Namespace to run a program in them.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public NamespaceType[]? Type { get; set; }

    /// <summary>Arguments for the script block, bound to its param() block or found in $args.</summary>
    [Parameter]
    [Alias("Args")]
    public object?[] ArgumentList { get; set; } = Array.Empty<object?>();

    private Dictionary<string, object?> _usingValues = new();
    private string _location = "/";

    protected override void BeginProcessing()
    {
        foreach (NamespaceType type in Type ?? Array.Empty<NamespaceType>())
        {
            if (!NamespaceEntry.CanJoinFromThread(type))
            {
                ThrowTerminatingError(ErrorRecords.NotJoinable(type, type));
            }
        }

        // A namespace worker is only ever started from a thread in the session's namespaces.
        List<NamespaceLink> inside = ThreadNamespaces.WhereCallerDiffers();
        if (inside.Count > 0)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSInvalidOperationException(
                    "Invoke-InNamespace cannot run on a thread that is itself inside other namespaces (" +
                    string.Join(", ", inside.ConvertAll(NamespaceLinks.FileName)) +
                    "), such as inside another Invoke-InNamespace script block. Join every namespace in one call instead (-Type, -Path)."),
                "NestedInvokeInNamespace",
                ErrorCategory.InvalidOperation,
                null));
        }

        try
        {
            _usingValues = UsingValues.Collect(ScriptBlock, this);
            for (int i = 0; i < ArgumentList.Length; i++)
            {
                UsingValues.RefuseScriptBlock(ArgumentList[i], $"Argument {i}");
            }
        }
        catch (PSArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ValueNotPassable", ErrorCategory.InvalidArgument, ScriptBlock));
        }

        _location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PidSet:
                foreach (int pid in Pid)
                {
                    RunIn(pid, () => OpenProcess(pid));
                }

                break;
            case NamespaceSet:
                foreach (Namespace ns in Namespace)
                {
                    RunIn(ns, () => OpenNamespace(ns));
                }

                break;
            case PathSet:
                string[] paths = Array.ConvertAll(Path, p => GetUnresolvedProviderPathFromPSPath(p));
                RunIn(Path.Length == 1 ? Path[0] : Path, () => WithTypes(NamespaceTarget.FromPaths(paths)));
                break;
            case NameSet:
                foreach (string name in Name)
                {
                    RunIn(name, () => WithTypes(NamespaceTarget.FromNetnsName(name)));
                }

                break;
        }
    }

    /// <summary>Opens one target, runs the block inside it, writes what it wrote. A target that cannot be opened or joined is one error.</summary>
    private void RunIn(object input, Func<NamespaceTarget> open)
    {
        StopToken.ThrowIfCancellationRequested();
        NamespaceTarget target;
        try
        {
            target = open();
        }
        catch (Exception ex) when (ex is ErrnoException or ArgumentException)
        {
            WriteError(TargetError(ex, input));
            return;
        }

        foreach (NamespaceType type in target.Files.Keys)
        {
            if (!NamespaceEntry.CanJoinFromThread(type))
            {
                target.Dispose();
                WriteError(ErrorRecords.NotJoinable(type, input));
                return;
            }
        }

        string location = target.Files.ContainsKey(NamespaceType.Mount) ? "/" : _location;
        var invocation = new ScriptInvocation(ScriptBlock.ToString(), ArgumentList, _usingValues, location, SessionState.LanguageMode);
        var run = new NamespaceRun(NamespaceRunspaces.Pool, target, invocation);
        try
        {
            foreach (StreamRecord record in run.Records(StopToken))
            {
                Write(record);
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            foreach (StrayThread stray in run.Finish(s_stopWait))
            {
                WriteWarning(StrayWarning(stray));
            }
        }

        if (invocation.Failure is Exception failure)
        {
            WriteError(failure is ErrnoException errno
                ? ErrorRecords.FromErrno(errno, input, errno.Errno is Errno.EPERM ? "Joining another process's namespaces needs CAP_SYS_ADMIN in the user namespace that owns them (root)" : null)
                : new ErrorRecord(failure, "NamespaceWorkerFailed", ErrorCategory.InvalidOperation, input));
        }
        else if (invocation.TerminatingError is ErrorRecord terminating)
        {
            ThrowTerminatingError(terminating);
        }
    }

    private void Write(StreamRecord record)
    {
        switch (record.Kind)
        {
            case StreamKind.Output:
                WriteObject(record.Value);
                break;
            case StreamKind.Error:
                WriteError((ErrorRecord)record.Value);
                break;
            case StreamKind.Warning:
                WriteWarning(((WarningRecord)record.Value).Message);
                break;
            case StreamKind.Verbose:
                WriteVerbose(((VerboseRecord)record.Value).Message);
                break;
            case StreamKind.Debug:
                WriteDebug(((DebugRecord)record.Value).Message);
                break;
            case StreamKind.Information:
                WriteInformation((InformationRecord)record.Value);
                break;
            case StreamKind.Progress:
                WriteProgress((ProgressRecord)record.Value);
                break;
        }
    }

    /// <summary>
    /// A process's namespaces: the kinds of -Type, or else every joinable kind in which the
    /// process is not in the session's namespace (joining one's own namespace changes nothing,
    /// except that a mount namespace would reset the root and working directory).
    /// </summary>
    private NamespaceTarget OpenProcess(int pid)
    {
        if (Type is not null)
        {
            return NamespaceTarget.FromPid(pid, Type);
        }

        NamespaceTarget all = NamespaceTarget.FromPid(pid, s_joinable);
        Span<ulong> session = stackalloc ulong[NamespaceLinks.Count];
        ThreadNamespaces.ReadSession(session);
        var differing = new List<NamespaceType>();
        foreach (KeyValuePair<NamespaceType, NamespaceFile> entry in all.Files)
        {
            if (entry.Value.Inode != session[(int)NamespaceLinks.Of(entry.Key)])
            {
                differing.Add(entry.Key);
            }
        }

        return all.Select(differing);
    }

    /// <summary>
    /// A namespace object, opened through what it says holds it (its nsfs paths, its named netns,
    /// its process) or else through any process or nsfs mount in it, and checked to be that
    /// namespace. The hints are read by name so objects from any version of Get-Namespace work.
    /// </summary>
    private NamespaceTarget OpenNamespace(Namespace ns)
    {
        if (Type is not null && Array.IndexOf(Type, ns.Type) < 0)
        {
            throw new ArgumentException($"{ns.Id} is a {ns.Type} namespace, which -Type does not include.");
        }

        PSObject hints = PSObject.AsPSObject(ns);
        var paths = new List<string>(Strings(hints.Properties["NsfsPaths"]?.Value));
        if (ns.Type == NamespaceType.Net && hints.Properties["Name"]?.Value is string name && NamespaceName.Problem(name) is null)
        {
            paths.Add(NamedNetns.PathOf(name));
        }

        var pids = new List<int>();
        foreach (object? value in Values(hints.Properties["Pid"]?.Value))
        {
            if (LanguagePrimitives.TryConvertTo(value, out int pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        NamespaceFile file = NamespaceLocator.TryOpen(ns.Type, ns.Inode, paths, pids) ??
            throw new ErrnoException("open", Errno.ENOENT, ns.Id);
        return NamespaceTarget.FromFile(file);
    }

    /// <summary>Keeps only the kinds of -Type, when given; a kind the target does not hold is an error.</summary>
    private NamespaceTarget WithTypes(NamespaceTarget target)
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

    private static IEnumerable<string> Strings(object? value)
    {
        foreach (object? item in Values(value))
        {
            if (item is PSObject { BaseObject: string s } || item is string)
            {
                yield return item.ToString()!;
            }
        }
    }

    private static IEnumerable<object?> Values(object? value)
    {
        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (bare is string || bare is not System.Collections.IEnumerable list)
        {
            if (bare is not null)
            {
                yield return bare;
            }

            yield break;
        }

        foreach (object? item in list)
        {
            yield return item;
        }
    }

    /// <summary>The ErrorRecord for a target that could not be opened, with the input as its target.</summary>
    private static ErrorRecord TargetError(Exception ex, object input)
    {
        switch (ex)
        {
            case ErrnoException errno when input is int pid:
                return ErrorRecords.ProcessUnreadable(pid, errno.Errno, errno.Function);
            case ErrnoException { Errno: Errno.ENOENT } when input is string name && !name.Contains('/', StringComparison.Ordinal):
                return ErrorRecords.NamespaceNotFound($"There is no network namespace named '{name}' in {NamedNetns.RunDirectory}.", name);
            case ErrnoException { Errno: Errno.ENOENT } when input is Namespace ns:
                return ErrorRecords.NamespaceNotFound($"No process or nsfs mount holds {ns.Id} any more.", ns);
            case ErrnoException errno:
                return ErrorRecords.FromErrno(errno, input);
            case NotANamespaceException notNs:
                return new ErrorRecord(notNs, "NotANamespace", ErrorCategory.InvalidArgument, input);
            default:
                return new ErrorRecord(ex, "InvalidNamespaceTarget", ErrorCategory.InvalidArgument, input);
        }
    }

    private static string StrayWarning(StrayThread stray) =>
        $"Thread {stray.Tid} ({ThreadNamespaces.CommandOf(stray.Tid)}) was created by the script block and is still running inside " +
        $"{NamespaceLinks.FileName(stray.Link)}:[{stray.Inode}]: whatever it does for the session happens in that namespace until it ends.";
}
