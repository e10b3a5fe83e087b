using System.Globalization;
using PSNamespaces.Interop;

namespace PSNamespaces.Core;

/// <summary>A running process's namespaces, opened so that a reused PID can never be mistaken for it.</summary>
internal static class PinnedProcess
{
    /// <summary>
    /// Opens /proc/PID/ns/TYPE for each type, in order. The process is pinned with a pidfd first
    /// and checked to be still running afterwards: while it has not exited its PID cannot be
    /// reused, so every file opened in between is its own.
    /// </summary>
    /// <exception cref="ErrnoException">ESRCH when there is no such process or it exited meanwhile; EACCES/EPERM without ptrace access to it.</exception>
    internal static NamespaceFile[] OpenNamespaces(int pid, NamespaceType[] types)
    {
        string proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        int err = Sys.TryPidfdOpen(pid, out SafeFd pidfd);
        using (pidfd)
        {
            if (err != 0)
            {
                throw new ErrnoException("pidfd_open", err, proc);
            }

            var files = new NamespaceFile[types.Length];
            try
            {
                for (int i = 0; i < types.Length; i++)
                {
                    files[i] = NamespaceFile.Open(proc + "/ns/" + types[i].ProcName());
                }

                if (Sys.PidfdExited(pidfd, 0))
                {
                    throw new ErrnoException("pidfd_open", Errno.ESRCH, proc);
                }
            }
            catch
            {
                NamespaceFile.DisposeAll(files);
                throw;
            }

            return files;
        }
    }
}
