using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>WNOHANG from sys/wait.h.</summary>
    internal const int WNOHANG = 1;

    /// <summary>waitpid(2): reaps one of our children. Tmds.LibC lacks it.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    /// <summary>
    /// waitpid(2) for one child, retried when a signal interrupts it (pwsh gets SIGCHLD for every
    /// child it has); returns 0 or the errno, the PID reaped (0: WNOHANG and still running) and its status.
    /// </summary>
    internal static int TryWaitpid(int pid, int options, out int reaped, out int status)
    {
        int s;
        do
        {
            reaped = waitpid(pid, &s, options);
        }
        while (reaped < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);

        status = reaped > 0 ? s : 0;
        return reaped >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The exit code a shell reports for a wait status: the code of a normal exit, 128 + N for a
    /// death by signal N (WIFEXITED / WEXITSTATUS / WTERMSIG as glibc defines them).
    /// </summary>
    internal static int ShellExitCode(int status) =>
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
