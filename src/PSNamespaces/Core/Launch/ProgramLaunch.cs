using System;
using System.Threading;
using PSNamespaces.Core.Plans;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// A plan's program run the way pwsh runs a native command: in the foreground it gets the
/// terminal (when pwsh has one) and is waited for, its standard output read through a pipe when
/// it is to be captured; in the background its standard input is /dev/null and nothing waits
/// here. What the caller writes to its pipeline is left to the caller.
/// </summary>
internal sealed unsafe class ProgramLaunch
{
    private readonly HelperProcess _helper;
    private readonly SafeFd? _output;
    private readonly bool _terminal;

    private ProgramLaunch(HelperProcess helper, LaunchedProcess process, SafeFd? output, bool terminal)
    {
        _helper = helper;
        Process = process;
        _output = output;
        _terminal = terminal;
    }

    /// <summary>The program as the user gets it (-PassThru, -NoWait).</summary>
    internal LaunchedProcess Process { get; }

    /// <summary>
    /// Runs the plan up to the program's exec. The terminal's foreground goes to the program until
    /// <see cref="Wait"/> ends (or at once back, when the start fails).
    /// </summary>
    /// <param name="plan">A complete plan, ending in exec.</param>
    /// <param name="background">Standard input from /dev/null, no terminal; <see cref="WaitInBackground"/> follows.</param>
    /// <param name="captureOutput">Standard output to a pipe that <see cref="Wait"/> reads as lines.</param>
    /// <param name="onSync">What pwsh does at the plan's caller-defined sync steps (<see cref="SyncWork.Persist"/>).</param>
    /// <exception cref="LaunchFailedException">A step failed in the helper.</exception>
    /// <exception cref="ExecHelperException">The helper file cannot be run.</exception>
    /// <exception cref="ErrnoException">A sync step failed in pwsh (writing an id map).</exception>
    internal static ProgramLaunch Start(LaunchPlan plan, bool background, bool captureOutput, Action<SyncWork, int>? onSync)
    {
        Namespace[] namespaces = Array.Empty<Namespace>();
        void Sync(SyncWork work, int pid)
        {
            if (work == SyncWork.ReadNamespaces)
            {
                namespaces = LaunchedProcess.ReadNamespaces(pid);
            }
            else
            {
                (onSync ?? throw new InvalidOperationException($"Nothing answers the sync work {work}."))(work, pid);
            }
        }

        bool terminal = !background && LibC.isatty(0) == 1;
        SafeFd? outputRead = null;
        try
        {
            using SafeFd? stdin = background ? Sys.Open("/dev/null", LibC.O_RDONLY) : null;
            SafeFd? outputWrite = null;
            if (captureOutput && !background)
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

                HelperProcess helper = HelperProcess.Start(plan, Sync, stdin, outputWrite);
                try
                {
                    var process = new LaunchedProcess(helper.ProgramPid, plan.Program!, plan.ProgramArguments, namespaces);
                    return new ProgramLaunch(helper, process, outputRead, terminal);
                }
                catch
                {
                    // The program runs already: nothing would wait for it, so it is ended and reaped here.
                    helper.Kill();
                    helper.WaitForExit(CancellationToken.None);
                    helper.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            Finish(terminal, outputRead);
            throw;
        }
    }

    /// <summary>Reaps the program on a background thread; its object says when it ended.</summary>
    internal void WaitInBackground() => Process.WaitInBackground(_helper);

    /// <summary>
    /// Waits for the program to end, handing on each line of captured output; a cancellation
    /// (Ctrl+C) interrupts it. Gives the terminal back and records the exit code in
    /// <see cref="Process"/>; returns it (null when it cannot be known).
    /// </summary>
    internal int? Wait(CancellationToken cancel, Action<string> onLine)
    {
        int? exitCode;
        try
        {
            exitCode = _helper.WaitForExit(cancel, _output, onLine);
        }
        finally
        {
            _helper.Dispose();
            Finish(_terminal, _output);
        }

        Process.SetExited(exitCode);
        return exitCode;
    }

    /// <summary>SIGKILL to the program (the output is no longer wanted).</summary>
    internal void Kill() => _helper.Kill();

    private static void Finish(bool terminal, SafeFd? outputRead)
    {
        outputRead?.Dispose();
        if (terminal)
        {
            Terminal.ForChild(false);
        }
    }
}
