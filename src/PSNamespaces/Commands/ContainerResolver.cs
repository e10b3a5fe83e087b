using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSNamespaces.Core.Inventory;

namespace PSNamespaces.Commands;

/// <summary>
/// Turns -Container (an id prefix, a name, or "runtime:id") into the PID to enter: the lowest
/// PID of the one container whose cgroup matches, as `nsenter -t $(docker inspect -f
/// {{.State.Pid}} ID)` would, without asking the runtime.
/// </summary>
internal static class ContainerResolver
{
    /// <summary>The container's lowest PID, or null with the error: ContainerNotFound (none matches) or ContainerAmbiguous (several do).</summary>
    internal static int? Resolve(string text, CancellationToken cancel, out ErrorRecord? error)
    {
        error = null;
        List<(string Runtime, string Id, int Pid)> found = ContainerScan.Find(text, cancel);
        if (found.Count == 1)
        {
            return found[0].Pid;
        }

        if (found.Count == 0)
        {
            error = ErrorRecords.ContainerNotFound(text);
            return null;
        }

        var names = new List<string>(found.Count);
        foreach ((string runtime, string id, int pid) in found)
        {
            names.Add($"{runtime}:{id} (PID {pid})");
        }

        error = ErrorRecords.InvalidArgument(
            "ContainerAmbiguous",
            $"'{text}' matches {found.Count} containers; give more of the id:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", names)}",
            text);
        return null;
    }
}
