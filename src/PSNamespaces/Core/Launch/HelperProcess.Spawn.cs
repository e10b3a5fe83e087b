using System;
using System.Collections;
using System.Collections.Generic;
using PSNamespaces.Interop;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Launch;
/// <summary>Starting the helper: its environment, descriptors 0, 1 and 3, and posix_spawn.</summary>
internal sealed unsafe partial class HelperProcess
{
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

            if (err is Errno.ENOENT or Errno.EACCES or Errno.ENOEXEC)
            {
                throw HelperImage.SpawnFailed(err, new ErrnoException("posix_spawn", err, path));
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

}
