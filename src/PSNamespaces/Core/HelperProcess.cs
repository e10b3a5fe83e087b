using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core;

/// <summary>
/// One run of the exec helper (Native/nsexec.c): started with a <see cref="LaunchPlan"/> as its
/// argv, answered over its socket until the program is exec'd (or a step fails), then waited
/// for. The helper is our child, so it cannot be reaped by anyone else and its PID is safe to use
/// until we reap it; the program it forks (a new PID namespace) is pinned with a pidfd. Without
/// pidfd_open (Linux before 5.3) the helper is polled with waitpid(WNOHANG) and signalled by PID,
/// which stays ours until it is reaped.
/// </summary>
internal sealed unsafe class HelperProcess : IDisposable
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

    /// <summary>The helper's full path: beside this assembly, in the module folder.</summary>
    internal static string HelperPath =>
        Path.Combine(Path.GetDirectoryName(typeof(HelperProcess).Assembly.Location)!, FileName);

    /// <summary>
    /// Starts the helper and runs the plan up to the exec of the program (or the end of the
    /// plan). stdinFd/stdoutFd, when not null, become the program's 0 and 1; otherwise it
    /// inherits pwsh's.
    /// </summary>
    /// <exception cref="LaunchFailedException">A step failed; the helper has been reaped.</exception>
    internal static HelperProcess Start(LaunchPlan plan, SafeFd? stdin = null, SafeFd? stdout = null)
    {
        string path = HelperPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The exec helper '{path}' is missing: build.ps1 compiles it from src/PSNamespaces/Native/nsexec.c.", path);
        }

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
            int status;
            Sys.waitpid(pid, &status, 0);
            throw new ErrnoException("pidfd_open", err, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var helper = new HelperProcess(pid, pidfd);
        try
        {
            helper.Converse(plan, socket);
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
    internal static int? RunToEnd(LaunchPlan plan)
    {
        using HelperProcess helper = Start(plan);
        return helper.WaitForExit(CancellationToken.None);
    }

    /// <summary>Reads the helper's reports until EOF, answering sync steps; throws for a failed step.</summary>
    private void Converse(LaunchPlan plan, SafeFd socket)
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
                        Answer(waiting.Dequeue(), socket);
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
                        Answer(step, socket);
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
    private void Answer(LaunchStep step, SafeFd socket)
    {
        try
        {
            step.OnSync!(step.AfterFork ? ProgramPid : Pid);
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

    /// <summary>
    /// Waits for the program to end and returns its exit code as a shell reports it (128 + N for
    /// signal N); null when it cannot be known (someone else reaped the helper). While waiting,
    /// output is read and handed on line by line; a cancellation (Ctrl+C) sends SIGINT, and SIGKILL
    /// a few seconds later if the program is still there.
    /// </summary>
    internal int? WaitForExit(CancellationToken cancel, SafeFd? output = null, Action<string>? onLine = null)
    {
        if (_reaped)
        {
            return _exitCode;
        }

        var lines = onLine is null ? null : new OutputLines(onLine);
        using var stop = new SafeFd(eventfd(0, EFD_CLOEXEC));
        using CancellationTokenRegistration registration = cancel.Register(() =>
        {
            ulong one = 1;
            write(stop.Fd, &one, sizeof(ulong));
        });

        pollfd* fds = stackalloc pollfd[3];
        fds[0] = new pollfd { fd = _pidfd?.Fd ?? -1, events = POLLIN };
        fds[1] = new pollfd { fd = stop.Fd, events = POLLIN };
        fds[2] = new pollfd { fd = output?.Fd ?? -1, events = POLLIN };
        byte* buffer = stackalloc byte[4096];
        long killAt = long.MaxValue;
        while (true)
        {
            int timeout = killAt == long.MaxValue ? -1 : (int)Math.Max(0, killAt - Environment.TickCount64);
            if (_pidfd is null)
            {
                timeout = timeout < 0 ? PollWithoutPidfdMilliseconds : Math.Min(timeout, PollWithoutPidfdMilliseconds);
            }

            if (poll(fds, 3, timeout) < 0)
            {
                if (errno == EINTR)
                {
                    continue;
                }

                throw ErrnoException.FromLast("poll");
            }

            if (fds[2].revents != 0 && !ReadOutput(fds[2].fd, buffer, lines))
            {
                fds[2].fd = -1;
            }

            if (fds[1].revents != 0)
            {
                // poll skips negative descriptors: the interrupt is sent once.
                fds[1].fd = -1;
                Interrupt();
                killAt = Environment.TickCount64 + (long)s_interruptGrace.TotalMilliseconds;
            }

            if (Environment.TickCount64 >= killAt)
            {
                Kill();
                killAt = long.MaxValue;
            }

            if (fds[0].revents != 0 || (_pidfd is null && TryReap()))
            {
                break;
            }
        }

        // What the program wrote before it ended is in the pipe; a descendant that still holds
        // the pipe open must not keep us waiting.
        if (fds[2].fd >= 0)
        {
            pollfd drain = new() { fd = fds[2].fd, events = POLLIN };
            while (poll(&drain, 1, 0) > 0 && ReadOutput(drain.fd, buffer, lines))
            {
            }
        }

        lines?.Flush();
        return Reap();
    }

    private static bool ReadOutput(int fd, byte* buffer, OutputLines? lines)
    {
        nint n;
        do
        {
            n = (nint)read(fd, buffer, 4096);
        }
        while (n < 0 && errno == EINTR);

        if (n <= 0)
        {
            return false;
        }

        lines?.Add(new ReadOnlySpan<byte>(buffer, (int)n));
        return true;
    }

    private int? Reap()
    {
        if (!_reaped)
        {
            Wait(0);
        }

        return _exitCode;
    }

    /// <summary>Reaps the helper if it has ended (waitpid WNOHANG); for a helper without a pidfd.</summary>
    private bool TryReap() => Wait(Sys.WNOHANG);

    private bool Wait(int options)
    {
        int status;
        int rc;
        do
        {
            rc = Sys.waitpid(Pid, &status, options);
        }
        while (rc < 0 && errno == EINTR);

        if (rc == 0)
        {
            return false;
        }

        _reaped = true;
        _exitCode = rc == Pid ? Sys.ShellExitCode(status) : null;
        return true;
    }

    /// <summary>
    /// SIGINT, as Ctrl+C: to the helper, which forwards it to a forked program. A forked program
    /// that would never see it is killed at once instead of after the grace period.
    /// </summary>
    internal void Interrupt()
    {
        if (_programPidfd is not null && !_reaped && DropsInterrupt(_programPidfd))
        {
            Sys.TryPidfdSignal(_programPidfd, SIGKILL);
            return;
        }

        Signal(_pidfd, Pid, SIGINT);
    }

    /// <summary>
    /// Whether the program is PID 1 of its PID namespace with no SIGINT handler — the kernel drops
    /// a signal to a namespace's init that it has no handler for — and has no children, which a
    /// terminal's Ctrl+C reaches directly and which may use the grace period to finish. Read by
    /// PID, so the pidfd must show the program still alive afterwards: else the PID may be
    /// another's. False whenever it cannot be told: then the SIGINT is sent as usual.
    /// </summary>
    private bool DropsInterrupt(SafeFd programPidfd)
    {
        Span<byte> status = stackalloc byte[8192];
        int length = Sys.ReadSmallFileAt(AT_FDCWD, System.Text.Encoding.ASCII.GetBytes($"/proc/{ProgramPid}/status\0"), status);
        if (length <= 0 || !new ProcStatusText(status[..length]).IsInitWithoutHandler(SIGINT))
        {
            return false;
        }

        Span<byte> children = stackalloc byte[16];
        int childrenLength = Sys.ReadSmallFileAt(AT_FDCWD, System.Text.Encoding.ASCII.GetBytes($"/proc/{ProgramPid}/task/{ProgramPid}/children\0"), children);
        return childrenLength == 0 && Sys.TryPidfdAlive(programPidfd) == 0;
    }

    /// <summary>SIGKILL to the program; a forked program's helper then exits with 137.</summary>
    internal void Kill()
    {
        if (_programPidfd is not null)
        {
            Sys.TryPidfdSignal(_programPidfd, SIGKILL);
        }
        else
        {
            Signal(_pidfd, ProgramPid, SIGKILL);
        }
    }

    private void Signal(SafeFd? pidfd, int pid, int signal)
    {
        if (pidfd is not null)
        {
            Sys.TryPidfdSignal(pidfd, signal);
        }
        else if (!_reaped)
        {
            LibC.kill(pid, signal);
        }
    }

    private static List<string> EnvironmentBlock()
    {
        // .NET keeps its own copy of the environment ($env:X = ... changes only that copy), so
        // the helper gets what pwsh shows, as Process.Start does for native commands.
        IDictionary variables = Environment.GetEnvironmentVariables();
        var block = new List<string>(variables.Count);
        foreach (DictionaryEntry entry in variables)
        {
            block.Add(entry.Key + "=" + entry.Value);
        }

        return block;
    }

    /// <summary>
    /// A close-on-exec copy numbered above 3 of a descriptor numbered 0-3 (pwsh started with a
    /// closed stdin hands out low numbers), so that dup2 onto 0, 1 or 3 in the child cannot
    /// clobber another source; null when fd is already above 3.
    /// </summary>
    private static SafeFd? RaisedCopy(SafeFd? fd)
    {
        if (fd is null || fd.Fd > SocketFd)
        {
            return null;
        }

        int copy = fcntl(fd.Fd, F_DUPFD_CLOEXEC, SocketFd + 1);
        if (copy < 0)
        {
            throw ErrnoException.FromLast("fcntl(F_DUPFD_CLOEXEC)");
        }

        return new SafeFd(copy);
    }

    private static int Spawn(string path, List<string> argv, List<string> environment, int socketFd, int stdinFd, int stdoutFd)
    {
        byte* actions = stackalloc byte[Sys.PosixSpawnFileActionsSize];
        int err = Sys.posix_spawn_file_actions_init(actions);
        if (err != 0)
        {
            throw new ErrnoException("posix_spawn_file_actions_init", err);
        }

        try
        {
            if ((stdinFd >= 0 && (err = Sys.posix_spawn_file_actions_adddup2(actions, stdinFd, 0)) != 0) ||
                (stdoutFd >= 0 && (err = Sys.posix_spawn_file_actions_adddup2(actions, stdoutFd, 1)) != 0) ||
                (err = Sys.posix_spawn_file_actions_adddup2(actions, socketFd, SocketFd)) != 0)
            {
                throw new ErrnoException("posix_spawn_file_actions_adddup2", err);
            }

            using var args = new NativeStringArray(argv);
            using var env = new NativeStringArray(environment);
            byte[] pathz = Sys.NullTerminated(path);
            int pid;
            fixed (byte* p = pathz)
            {
                err = Sys.posix_spawn(&pid, p, actions, null, args.Pointer, env.Pointer);
            }

            if (err != 0)
            {
                throw new ErrnoException("posix_spawn", err, path);
            }

            return pid;
        }
        finally
        {
            Sys.posix_spawn_file_actions_destroy(actions);
        }
    }

    public void Dispose()
    {
        _pidfd?.Dispose();
        _programPidfd?.Dispose();
    }
}
