using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Plans;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Commands;

/// <summary>
/// Runs a launch plan's program for New-Namespace and Enter-Namespace the way pwsh runs a native
/// command: attached to the console and waited for, its standard output going down the pipeline
/// as lines when something consumes it, $LASTEXITCODE set to its exit code; or, with NoWait, in
/// the background, its object returned at once.
/// </summary>
internal sealed unsafe class ProgramRunner
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

    /// <summary>Completes the plan with the program's exec and runs it; errors are written, not thrown.</summary>
    /// <param name="plan">The plan up to the program's exec.</param>
    /// <param name="filePath">The program, looked up in PATH inside the namespaces (execvp).</param>
    /// <param name="arguments">Its arguments; argv[0] is filePath.</param>
    /// <param name="hint">What to add to a failed step's message (what is missing, what to use instead).</param>
    /// <returns>False when the program could not be started (the error is written).</returns>
    internal bool Run(LaunchPlan plan, string filePath, string[] arguments, Func<LaunchFailedException, string?> hint)
    {
        Namespace[] namespaces = Array.Empty<Namespace>();
        if (PassThru || NoWait)
        {
            // Read while the program's process waits before its exec: afterwards it may be gone.
            plan.Sync("read /proc/PID/ns", pid => namespaces = LaunchedProcess.ReadNamespaces(pid));
        }

        var argv = new List<string>(arguments.Length + 1) { filePath };
        argv.AddRange(arguments);
        plan.Exec(filePath, argv);

        bool capture = !NoWait && !OutputGoesToHost(_cmdlet);
        if (AnnounceNetns && !NoWait && !capture)
        {
            var header = new HostInformationMessage { Message = $"{System.Environment.NewLine}netns: {NetnsName}" };
            _cmdlet.WriteInformation(new InformationRecord(header, "PSNamespaces") { Tags = { "PSHOST" } });
        }

        bool terminal = !NoWait && LibC.isatty(0) == 1;
        HelperProcess helper;
        SafeFd? outputRead = null;
        try
        {
            using SafeFd? stdin = NoWait ? Sys.Open("/dev/null", LibC.O_RDONLY) : null;
            SafeFd? outputWrite = null;
            if (capture)
            {
                int* pipe = stackalloc int[2];
                if (LibC.pipe2(pipe, LibC.O_CLOEXEC) != 0)
                {
                    throw ErrnoException.FromLast("pipe2");
                }

                outputRead = new SafeFd(pipe[0]);
                outputWrite = new SafeFd(pipe[1]);
            }

            using (outputWrite)
            {
                if (terminal)
                {
                    Terminal.ForChild(true);
                }

                helper = HelperProcess.Start(plan, stdin, outputWrite);
            }
        }
        catch (LaunchFailedException ex)
        {
            Finish(terminal, outputRead);
            SetLastExitCode(ex.ExitCode);
            _cmdlet.WriteError(LaunchErrors.FromFailedStep(ex, filePath, hint(ex)));
            return false;
        }
        catch (ExecHelperException ex)
        {
            Finish(terminal, outputRead);
            _cmdlet.WriteError(LaunchErrors.ExecHelper(ex, filePath));
            return false;
        }
        catch (ErrnoException ex)
        {
            // A sync step failed in pwsh (writing an id map): the helper has already been reaped.
            Finish(terminal, outputRead);
            _cmdlet.WriteError(ErrorRecords.FromErrno(ex, filePath, LaunchErrors.HintForWrite(ex)));
            return false;
        }
        catch
        {
            Finish(terminal, outputRead);
            throw;
        }

        var launched = new LaunchedProcess(helper.ProgramPid, filePath, arguments, namespaces);
        if (NoWait)
        {
            launched.WaitInBackground(helper);
            _cmdlet.WriteObject(Tagged(launched));
            return true;
        }

        Exception? writeFailure = null;
        int? exitCode;
        try
        {
            exitCode = helper.WaitForExit(_stop, outputRead, line =>
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
                    helper.Kill();
                }
            });
        }
        finally
        {
            helper.Dispose();
            Finish(terminal, outputRead);
        }

        launched.SetExited(exitCode);
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
            _cmdlet.WriteObject(Tagged(launched));
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

    private static void Finish(bool terminal, SafeFd? outputRead)
    {
        outputRead?.Dispose();
        if (terminal)
        {
            Terminal.ForChild(false);
        }
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
