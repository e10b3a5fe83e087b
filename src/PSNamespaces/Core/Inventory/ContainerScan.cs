using System.Collections.Generic;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Proc;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>The running containers, from every process's cgroup (see <see cref="ContainerLookup"/>), for a -Container argument to select from.</summary>
internal static class ContainerScan
{
    /// <summary>Every container with a process now, ordered by "runtime:id", with its names and lowest PID.</summary>
    internal static List<RunningContainer> List(CancellationToken cancel)
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

        return lookup.Containers(new ContainerNames());
    }
}
