using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Proc;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>The containers a text names among every process's cgroup (see <see cref="ContainerLookup"/>).</summary>
internal static class ContainerScan
{
    /// <summary>One container for a unique match, several when the text is ambiguous, none when no container matches.</summary>
    internal static List<(string Runtime, string Id, int Pid)> Find(string text, CancellationToken cancel)
    {
        using var proc = new ProcRoot();
        var cgroups = new CgroupFile();
        var lookup = new ContainerLookup();
        foreach (int pid in proc.ListPids())
        {
            cancel.ThrowIfCancellationRequested();
            // One process after another over /proc: a raw descriptor, no SafeFd allocated per process.
            if (proc.TryOpenProcess(pid, out int fd) != 0)
            {
                continue;
            }

            try
            {
                if (cgroups.Read(fd) is CgroupAttribution cgroup)
                {
                    lookup.Add(cgroup, pid);
                }
            }
            finally
            {
                LibC.close(fd);
            }
        }

        return lookup.Find(text);
    }
}
