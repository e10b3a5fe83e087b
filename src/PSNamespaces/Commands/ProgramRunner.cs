using System;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Plans;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// The cmdlet side of running a launch plan for New-Namespace and Enter-Namespace, as pwsh runs a
/// native command: the plan written to -Verbose, the program run by Core's
/// <see cref="ProgramLaunch"/> attached to the console, its standard output going down the
/// pipeline as lines when something consumes it, $LASTEXITCODE set to its exit code; or, with
/// NoWait, in the background, its object written at once. Errors become ErrorRecords.
/// </summary>
internal sealed class ProgramRunner
{
    private readonly PSCmdlet _cmdlet;
    private readonly CancellationToken _stop;

    internal ProgramRunner(PSCmdlet cmdlet, CancellationToken stop)
    {
        _cmdlet = cmdlet;
        _stop = stop;
    }

    /// <summary>Write a <see cref="LaunchedProcess"/> once the program has ended.</summary>
    internal bool PassThru { get; init; }

    /// <summary>Start in the background (stdin from /dev/null) and write the object at once.</summary>
    internal bool NoWait { get; init; }

    /// <summary>The named netns the program runs in: each captured line and the object carry it as NetnsName.</summary>
    internal string? NetnsName { get; init; }

    /// <summary>
    /// Before a program whose output goes to the host, write ip -all netns exec's header
    /// ("netns: NAME" after an empty line) to the host, as Write-Host does (information record
    /// tagged PSHOST): the lines the program writes itself cannot carry the name.
    /// </summary>
    internal bool AnnounceNetns { get; init; }

    /// <summary>Writes the plan to -Verbose and runs it; errors are written, not thrown.</summary>
    /// <param name="plan">The plan, ending in the program's exec.</param>
    /// <param name="hint">What to add to a failed step's message (what is missing, what to use instead).</param>
    /// <param name="onSync">What pwsh does at the plan's sync steps that are the caller's (persisting).</param>
    /// <returns>False when the program could not be started (the error is written).</returns>
    internal bool Run(LaunchPlan plan, Func<LaunchFailedException, string?> hint, Action<SyncWork, int>? onSync = null)
    {
        string filePath = plan.Program!;
        bool capture = !NoWait && !OutputGoesToHost(_cmdlet);
        if (AnnounceNetns && !NoWait && !capture)
        {
            var header = new HostInformationMessage { Message = $"{System.Environment.NewLine}netns: {NetnsName}" };
            _cmdlet.WriteInformation(new InformationRecord(header, "PSNamespaces") { Tags = { "PSHOST" } });
        }

        _cmdlet.WriteVerbose(plan.ToString());
        ProgramLaunch launch;
        try
        {
            launch = ProgramLaunch.Start(plan, NoWait, capture, onSync);
        }
        catch (LaunchFailedException ex)
        {
            SetLastExitCode(ex.ExitCode);
            _cmdlet.WriteError(ErrorRecords.LaunchStepFailed(ex, filePath, hint(ex)));
            return false;
        }
        catch (ExecHelperException ex)
        {
            _cmdlet.WriteError(ErrorRecords.ExecHelper(ex, filePath));
            return false;
        }
        catch (ErrnoException ex)
        {
            // A sync step failed in pwsh (writing an id map): the helper has already been reaped.
            _cmdlet.WriteError(ErrorRecords.FromErrno(ex, filePath, ErrorRecords.HintForIdMapWrite(ex)));
            return false;
        }

        if (NoWait)
        {
            launch.WaitInBackground();
            _cmdlet.WriteObject(Tagged(launch.Process));
            return true;
        }

        Exception? writeFailure = null;
        int? exitCode = launch.Wait(_stop, line =>
        {
            if (writeFailure is not null)
            {
                return;
            }

            try
            {
                _cmdlet.WriteObject(Tagged(line));
            }
            catch (Exception ex)
            {
                // The pipeline stopped (Ctrl+C, Select-Object -First): the output is no longer
                // wanted, so neither is the program, as for a native command.
                writeFailure = ex;
                launch.Kill();
            }
        });
        if (exitCode is int code)
        {
            SetLastExitCode(code);
        }

        if (writeFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(writeFailure).Throw();
        }

        if (PassThru)
        {
            _cmdlet.WriteObject(Tagged(launch.Process));
        }

        return true;
    }

    /// <summary>The object, with the netns it came from as a NetnsName note property (as remoting adds PSComputerName).</summary>
    private object Tagged(object value)
    {
        if (NetnsName is null)
        {
            return value;
        }

        var wrapped = new PSObject(value);
        wrapped.Properties.Add(new PSNoteProperty("NetnsName", NetnsName));
        return wrapped;
    }

    /// <summary>$LASTEXITCODE, set in the global scope as pwsh sets it for native commands.</summary>
    private void SetLastExitCode(int code) => _cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", code);

    /// <summary>
    /// Whether this command's output goes straight to the host (Out-Default), so the program can
    /// write to the console itself — pwsh makes the same test for a native command
    /// (NativeCommandProcessor.IsDownstreamOutDefault). Otherwise (assigned, piped, redirected)
    /// its output is captured and written as lines. pwsh does not expose this, so it is read from
    /// the command runtime; if that fails, the last command of a pipeline is taken as going to
    /// the host.
    /// </summary>
    private static bool OutputGoesToHost(PSCmdlet cmdlet)
    {
        try
        {
            const BindingFlags Flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
            object? pipe = cmdlet.CommandRuntime.GetType().GetProperty("OutputPipe", Flags)?.GetValue(cmdlet.CommandRuntime);
            object? downstream = pipe?.GetType().GetProperty("DownstreamCmdlet", Flags)?.GetValue(pipe);
            if (pipe is not null)
            {
                var info = downstream?.GetType().GetProperty("CommandInfo", Flags)?.GetValue(downstream) as CommandInfo;
                return string.Equals(info?.Name, "Out-Default", StringComparison.OrdinalIgnoreCase);
            }
        }
        catch (TargetInvocationException)
        {
        }

        return cmdlet.MyInvocation.PipelinePosition == cmdlet.MyInvocation.PipelineLength;
    }
}
