using System.Collections.Generic;
using PSNamespaces.Core.Proc;
using static Tmds.Linux.LibC;

namespace PSNamespaces.Core.Watch;

internal sealed partial class WatchState
{
    /// <summary>Adds the descendants of the -Pid tree's root, from every process's parent.</summary>
    private void AddDescendants()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (int pid in _proc.ListPids())
        {
            if (ParentOf(pid) is int parent)
            {
                if (!children.TryGetValue(parent, out List<int>? list))
                {
                    children[parent] = list = new List<int>();
                }

                list.Add(pid);
            }
        }

        var pending = new Stack<int>(_tree!);
        while (pending.Count > 0)
        {
            foreach (int child in children.GetValueOrDefault(pending.Pop()) ?? new List<int>())
            {
                if (_tree!.Add(child))
                {
                    pending.Push(child);
                }
            }
        }
    }

    private int? ParentOf(int pid)
    {
        // Read for every process of a rescan: a raw descriptor, no SafeFd allocated per process.
        if (_proc.TryOpenProcess(pid, out int fd) != 0)
        {
            return null;
        }

        try
        {
            return ProcessNamespaceReader.TryReadStat(fd, out int ppid, out _) == 0 ? ppid : null;
        }
        finally
        {
            close(fd);
        }
    }
}
