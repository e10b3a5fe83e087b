using System;
using System.Buffers.Text;
using System.Text;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Proc;

/// <summary>
/// Whether the /proc this process sees is its own PID namespace's. A pwsh started by
/// `unshare --pid --fork` without --mount-proc still sees its parent namespace's /proc: there it
/// is not the PID it has itself (1), so /proc/self/task/TID names no thread of it, and the
/// launching cmdlets, which check every thread's namespaces there, would fail with a bare ENOENT
/// or read another process. /proc/self is resolved by the kernel in /proc's own namespace, so its
/// number is this process as /proc sees it; it must equal getpid().
/// </summary>
internal static class ProcMount
{
    /// <summary>
    /// Null when the /proc the calling thread sees is this process's PID namespace's; otherwise
    /// what is wrong and what to do. Asked each time (one readlink): the answer is the calling
    /// thread's, whose mount namespace may be a target's, and a /proc may be mounted later.
    /// </summary>
    internal static string? ForeignProblem()
    {
        int pid = Environment.ProcessId;
        Span<byte> text = stackalloc byte[32];
        int err = Sys.TryReadLinkAt(LibC.AT_FDCWD, "/proc/self\0"u8, text, out int length);
        if (err == 0 && Utf8Parser.TryParse(text[..length], out int seen, out int used) && used == length && seen == pid)
        {
            return null;
        }

        string problem = err != 0
            ? $"/proc/self cannot be read ({Errno.Name(err)}): /proc is not mounted, or mounted for a PID namespace this process is not in."
            : $"/proc is another PID namespace's: this process is PID {pid} in its own PID namespace but PID {Encoding.ASCII.GetString(text[..length])} in /proc, so /proc cannot name its threads.";
        return problem + " Give this pwsh a /proc of its PID namespace: start it with unshare --pid --fork --mount-proc, or mount -t proc proc /proc in a mount namespace of its own.";
    }
}
