using System;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Proc;
using PSNamespaces.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;
/// <summary>Signals to the program: Ctrl+C forwarded as SIGINT, or SIGKILL.</summary>
internal sealed unsafe partial class HelperProcess
{
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

}
