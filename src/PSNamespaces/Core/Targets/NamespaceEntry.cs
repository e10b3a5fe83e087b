using System;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// Joins a target's namespaces with setns(2) on the calling thread. Only ever called on a
/// <see cref="NamespaceThread"/>: the thread is changed for good and must be discarded (or kept
/// for that one target only).
/// </summary>
internal static class NamespaceEntry
{
    /// <summary>Kinds the CLR may join: the kernel refuses user and time namespaces to a multithreaded process.</summary>
    internal static bool CanJoinFromThread(NamespaceType type) =>
        type is not (NamespaceType.User or NamespaceType.Time);

    /// <summary>Every kind <see cref="CanJoinFromThread"/> allows.</summary>
    internal static readonly NamespaceType[] JoinableFromThread = Array.FindAll(NamespaceTypes.All, CanJoinFromThread);

    /// <summary>Joins every namespace the target holds, on this thread.</summary>
    internal static void JoinOnThisThread(NamespaceTarget target)
    {
        foreach (NamespaceType type in target.Files.Keys)
        {
            if (!CanJoinFromThread(type))
            {
                throw new InvalidOperationException(
                    $"A {type} namespace cannot be joined from inside pwsh: the kernel refuses it to a multithreaded process. Use Enter-Namespace to run a program in it.");
            }
        }

        ThreadNamespaces.LeavingSession();

        // setns into a mount namespace requires a thread that does not share its filesystem
        // information (root, cwd, umask) with the other threads of the process.
        if (target.Files.ContainsKey(NamespaceType.Mount) && LibC.unshare(LibC.CLONE_FS) != 0)
        {
            throw ErrnoException.FromLast("unshare(CLONE_FS)");
        }

        // One setns(pidfd, flags) joins all kinds atomically (Linux 5.8+); an older kernel says
        // EINVAL and each descriptor is joined in turn.
        if (target.Pidfd is not null)
        {
            if (LibC.setns(target.Pidfd.Fd, target.CloneFlags) == 0)
            {
                return;
            }

            int err = Errno.Last;
            if (err != Errno.EINVAL)
            {
                throw new ErrnoException("setns", err, target.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        foreach (NamespaceFile file in target.Files.Values)
        {
            if (LibC.setns(file.Fd.Fd, file.Type.CloneFlag()) != 0)
            {
                throw ErrnoException.FromLast("setns", file.Type.ProcName());
            }
        }
    }
}
