using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Threads;
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
public sealed class InvokeInNamespaceCommand : NamespaceTargetCmdlet
{
    // How long a stopped block may take to end before its worker is left to finish alone.
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The script block to run inside the namespaces. It runs in a runspace of its own: pass
    /// values with -ArgumentList or $using:, not through variables of the caller's scope.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

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
        RequireOwnProc();
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
            ThrowTerminatingError(ErrorRecords.NestedInvokeInNamespace(string.Join(", ", inside.ConvertAll(NamespaceLinks.FileName))));
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
            ThrowTerminatingError(ErrorRecords.ValueNotPassable(ex, ScriptBlock));
        }

        _location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
    }

    protected override NamespaceType[]? TargetTypes => Type;

    protected override IReadOnlyCollection<NamespaceType> ProcessKinds => NamespaceEntry.JoinableFromThread;

    /// <summary>Runs the block inside one target, writes what it wrote. A target that cannot be joined is one error.</summary>
    /// <param name="target">The namespaces to join; handed to the run, which disposes them.</param>
    /// <param name="input">What the user named, for errors.</param>
    /// <param name="netnsName">With -Name, the namespace's name: each object written carries it as NetnsName.</param>
    private protected override void ProcessRecordWithTarget(NamespaceTarget target, object input, string? netnsName)
    {
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
                Write(record, netnsName);
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

        // As for a native program run here: $LASTEXITCODE is what the block's last one returned.
        if (invocation.LastExitCode is int exitCode)
        {
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        }

        if (invocation.Failure is Exception failure)
        {
            WriteError(ErrorRecords.NamespaceWorkerFailed(failure, input));
        }
        else if (invocation.TerminatingError is ErrorRecord terminating)
        {
            ThrowTerminatingError(terminating);
        }
        else if (invocation.UnexpectedFailure is Exception unexpected)
        {
            ThrowTerminatingError(ErrorRecords.InvokeInNamespaceFailed(unexpected, input));
        }
    }

    private void Write(StreamRecord record, string? netnsName)
    {
        switch (record.Kind)
        {
            case StreamKind.Output:
                WriteObject(netnsName is null || record.Value is null ? record.Value : WithNetnsName(record.Value, netnsName));
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

    /// <summary>The object with the netns it came from as a NetnsName note property, as remoting adds PSComputerName.</summary>
    private static PSObject WithNetnsName(object value, string netnsName)
    {
        PSObject shaped = PSObject.AsPSObject(value);
        if (shaped.Properties["NetnsName"] is null)
        {
            shaped.Properties.Add(new PSNoteProperty("NetnsName", netnsName));
        }

        return shaped;
    }

    private static string StrayWarning(StrayThread stray) =>
        $"Thread {stray.Tid} ({ThreadNamespaces.CommandOf(stray.Tid)}) was created by the script block and is still running inside " +
        $"{NamespaceLinks.FileName(stray.Link)}:[{stray.Inode}]: whatever it does for the session happens in that namespace until it ends.";
}
