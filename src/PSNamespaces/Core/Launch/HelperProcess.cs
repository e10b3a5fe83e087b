// Core/Launch — running a plan: the helper started with posix_spawn from one long-lived
// SpawnerThread, its sync steps answered over a socket, its failed step turned into a
// LaunchFailedException (HelperReport), the program waited for, signalled, its output read
// (OutputLines), and what the user gets back (LaunchedProcess); ProgramLaunch runs a plan's
// program as pwsh runs a native command (the terminal handed over, or its output piped).
// Uses: Model, Proc, Threads, Plans.

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// One run of the exec helper (Native/nsexec.c): started with a <see cref="LaunchPlan"/> as its
/// argv, answered over its socket until the program is exec'd (or a step fails), then waited
/// for. The helper is our child, so it cannot be reaped by anyone else and its PID is safe to use
/// until we reap it; the program it forks (a new PID namespace) is pinned with a pidfd. Without
/// pidfd_open (Linux before 5.3) the helper is polled with waitpid(WNOHANG) and signalled by PID,
/// which stays ours until it is reaped.
/// </summary>
internal sealed unsafe partial class HelperProcess : IDisposable
{
    /// <summary>The helper's file name in the module folder.</summary>
    internal const string FileName = "nsexec";

    /// <summary>The descriptor the helper expects its socket on (SOCKET_FD in nsexec.c).</summary>
    private const int SocketFd = 3;

    /// <summary>How long a program has to end after Ctrl+C before it is killed (its SIGINT
    /// handler may do some work, or it may ignore SIGINT).</summary>
    private static readonly TimeSpan s_interruptGrace = TimeSpan.FromSeconds(3);

    /// <summary>How often a helper without a pidfd is polled for its end.</summary>
    private const int PollWithoutPidfdMilliseconds = 20;

    private readonly SafeFd? _pidfd;
    private SafeFd? _programPidfd;
    private int? _exitCode;
    private bool _reaped;

    private HelperProcess(int pid, SafeFd? pidfd)
    {
        Pid = pid;
        ProgramPid = pid;
        _pidfd = pidfd;
    }

    /// <summary>The helper's PID.</summary>
    internal int Pid { get; }

    /// <summary>The program's PID: the helper's own, or its child's when the plan forks.</summary>
    internal int ProgramPid { get; private set; }

    /// <summary>
    /// Starts the helper and runs the plan up to the exec of the program (or the end of the
    /// plan). stdinFd/stdoutFd, when not null, become the program's 0 and 1; otherwise it
    /// inherits pwsh's.
    /// </summary>
    /// <exception cref="LaunchFailedException">A step failed; the helper has been reaped.</exception>
    /// <exception cref="ExecHelperException">The helper file is missing, unreadable or not this machine's program.</exception>
    /// <param name="plan">The plan.</param>
    /// <param name="onSync">What pwsh does at a sync step other than writing procfs files, given the waiting process's PID.</param>
    /// <param name="stdin">The program's descriptor 0, or null for pwsh's.</param>
    /// <param name="stdout">The program's descriptor 1, or null for pwsh's.</param>
    internal static HelperProcess Start(LaunchPlan plan, Action<SyncWork, int>? onSync, SafeFd? stdin = null, SafeFd? stdout = null)
    {
        // Read on the spawner thread, which is in pwsh's own mount namespace: a caller inside
        // Invoke-InNamespace -Type Mount would find the module folder missing.
        string path = SpawnerThread.Run(() => HelperImage.ExecPath);

        int* pair = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        {
            throw ErrnoException.FromLast("socketpair");
        }

        using var socket = new SafeFd(pair[0]);
        var helperEnd = new SafeFd(pair[1]);
        int pid;
        using (helperEnd)
        using (SafeFd? helperEndCopy = RaisedCopy(helperEnd))
        using (SafeFd? stdinCopy = RaisedCopy(stdin))
        using (SafeFd? stdoutCopy = RaisedCopy(stdout))
        {
            var argv = new List<string>(plan.Arguments.Count + 1) { FileName };
            argv.AddRange(plan.Arguments);
            List<string> environment = EnvironmentBlock();
            int socketFd = (helperEndCopy ?? helperEnd).Fd;
            int stdinFd = (stdinCopy ?? stdin)?.Fd ?? -1;
            int stdoutFd = (stdoutCopy ?? stdout)?.Fd ?? -1;
            pid = SpawnerThread.Run(() => Spawn(path, argv, environment, socketFd, stdinFd, stdoutFd));
        }

        // Only the helper holds its end now: EOF means it exec'd (close-on-exec) or exited.
        int err = Sys.TryPidfdOpen(pid, out SafeFd? pidfd);
        if (err is not (0 or Errno.ENOSYS))
        {
            LibC.kill(pid, SIGKILL);
            Sys.TryWaitpid(pid, 0, out _, out _);
            throw new ErrnoException("pidfd_open", err, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var helper = new HelperProcess(pid, pidfd);
        try
        {
            helper.Converse(plan, socket, onSync);
            return helper;
        }
        catch
        {
            // A failed step or sync has reaped the helper already; anything else must not leave it behind.
            if (!helper._reaped)
            {
                helper.Kill();
                helper.WaitForExit(CancellationToken.None);
            }

            helper.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a plan that ends without an exec, such as unshare(CLONE_NEWUSER) then a sync step during
    /// which pwsh writes the id maps and bind-mounts /proc/PID/ns/user (a user namespace persisted
    /// without a process: pwsh itself cannot unshare one). Returns the helper's exit code, 0 when
    /// every step ran.
    /// </summary>
    /// <exception cref="LaunchFailedException">A step failed.</exception>
    internal static int? RunToEnd(LaunchPlan plan, Action<SyncWork, int>? onSync)
    {
        using HelperProcess helper = Start(plan, onSync);
        return helper.WaitForExit(CancellationToken.None);
    }

    /// <summary>Reads the helper's reports until EOF, answering sync steps; throws for a failed step.</summary>
    private void Converse(LaunchPlan plan, SafeFd socket, Action<SyncWork, int>? onSync)
    {
        var waiting = new Queue<LaunchStep>();
        LaunchStep? failed = null;
        int failedErrno = 0;
        HelperReport report;
        while (true)
        {
            nint n = (nint)recv(socket.Fd, &report, sizeof(HelperReport), 0);
            if (n < 0)
            {
                if (errno == EINTR)
                {
                    continue;
                }

                throw ErrnoException.FromLast("recv", "exec helper");
            }

            if (n == 0)
            {
                break;
            }

            switch ((HelperReportKind)report.Kind)
            {
                case HelperReportKind.Failed:
                    failed = plan.Steps[report.Step];
                    failedErrno = report.Value;
                    break;
                case HelperReportKind.Child:
                    ProgramPid = report.Value;
                    // Pinned at once: the helper reaps it, after which its PID could be reused.
                    Sys.TryPidfdOpen(ProgramPid, out _programPidfd);
                    while (waiting.Count > 0)
                    {
                        Answer(waiting.Dequeue(), socket, onSync);
                    }

                    break;
                case HelperReportKind.Sync:
                    LaunchStep step = plan.Steps[report.Step];
                    // The child's sync may overtake the parent's report of the child's PID.
                    if (step.AfterFork && ProgramPid == Pid)
                    {
                        waiting.Enqueue(step);
                    }
                    else
                    {
                        Answer(step, socket, onSync);
                    }

                    break;
            }
        }

        if (failed is not null)
        {
            int exitCode = WaitForExit(CancellationToken.None) ?? 125;
            throw new LaunchFailedException(failed, new ErrnoException(failed.Function, failedErrno, failed.Subject), exitCode);
        }
    }

    /// <summary>Runs a sync step's work while the helper waits, then lets it go on. When the work
    /// fails, the socket is closed instead: the helper exits at EOF and nothing it made survives.</summary>
    private void Answer(LaunchStep step, SafeFd socket, Action<SyncWork, int>? onSync)
    {
        int pid = step.AfterFork ? ProgramPid : Pid;
        try
        {
            if (step.Sync == SyncWork.WriteProcFiles)
            {
                foreach (ProcFileWrite write in step.Writes!)
                {
                    ProcControlFile.Write(pid, write.Name, write.Text);
                }
            }
            else
            {
                (onSync ?? throw new InvalidOperationException($"Nothing answers the plan's sync step '{step.Text}'."))(step.Sync!.Value, pid);
            }
        }
        catch
        {
            socket.Dispose();
            WaitForExit(CancellationToken.None);
            throw;
        }

        byte go = 1;
        if (send(socket.Fd, &go, 1, MSG_NOSIGNAL) != 1)
        {
            throw ErrnoException.FromLast("send", "exec helper");
        }
    }

    public void Dispose()
    {
        _pidfd?.Dispose();
        _programPidfd?.Dispose();
    }
}
