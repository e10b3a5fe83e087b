using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Watch;

// The safety net between full rescans, with state of its own (each process's CPU time when last
// read): the idle cost of watching (benchmark row W2) is decided here, by reading again only the
// processes that ran.
internal sealed partial class WatchState
{
    // Each known process's CPU time (/proc/PID/schedstat, ns) when its links were last read.
    private readonly Dictionary<int, ulong> _ranFor = new();
    private readonly List<int> _moved = new();

    /// <summary>
    /// The safety net while process events come: finds the in-place unshare or setns that no
    /// event announces, for a fraction of a full rescan's cost. Only a process that ran can have
    /// called either, and the kernel counts each process's CPU time: one small read of
    /// /proc/PID/schedstat per known process says which ran since the last look, and only those
    /// have their ten ns links read again. Idle at 2,000 processes that is 2,000 reads instead of
    /// 22,000 system calls. New and exited processes are the process events' to report (a lost
    /// event makes the watcher rescan everything instead).
    /// </summary>
    /// <remarks>
    /// /proc/PID/ns shows the thread-group leader's namespaces, and schedstat is the leader's
    /// too: a change made by another thread shows in neither, as in a full rescan.
    /// </remarks>
    internal void RecheckProcessesThatRan(CancellationToken cancel)
    {
        _moved.Clear();
        foreach (int pid in _links.Keys)
        {
            cancel.ThrowIfCancellationRequested();
            ulong ran = RanFor(pid);
            // 0: unreadable, gone, or a kernel that does not count (schedstat "0 0 0").
            if (ran == 0 || !_ranFor.TryGetValue(pid, out ulong before) || ran != before)
            {
                _moved.Add(pid);
            }
        }

        foreach (int pid in _moved)
        {
            Reread(pid, NamespaceEventCause.Rescan);
        }
    }

    /// <summary>
    /// The process's CPU time so far in ns (first field of /proc/PID/schedstat), or 0. Read
    /// before the links, so that running between the two shows at the next look.
    /// </summary>
    private ulong RanFor(int pid)
    {
        Span<byte> path = stackalloc byte[24];
        Utf8Formatter.TryFormat(pid, path, out int written);
        "/schedstat\0"u8.CopyTo(path[written..]);
        Span<byte> text = stackalloc byte[64];
        return Sys.TryReadSmallFileAt(_proc.Fd, path, text, out int n) == 0 && n > 0 && Utf8Parser.TryParse(text[..n], out ulong ran, out _) ? ran : 0;
    }

    /// <summary>Remembers the CPU time of a process whose links are read now.</summary>
    private void NoteRan(int pid) => _ranFor[pid] = RanFor(pid);
}
