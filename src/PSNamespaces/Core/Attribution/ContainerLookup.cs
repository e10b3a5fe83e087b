using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The containers among the processes' cgroups (monitors left out: they are outside the
/// container's namespaces), each with its lowest PID, the one it is entered through.
/// </summary>
internal sealed class ContainerLookup
{
    private readonly SortedDictionary<string, (string Runtime, string Id, int Pid)> _containers = new(StringComparer.Ordinal);

    /// <summary>Notes a process's container; a later, higher PID of the same container changes nothing.</summary>
    internal void Add(CgroupAttribution attribution, int pid)
    {
        if (attribution.ContainerRuntime is not string runtime || attribution.ContainerId is not string id || ContainerRules.IsMonitor(runtime))
        {
            return;
        }

        string key = runtime + ":" + id;
        if (!_containers.TryGetValue(key, out var known) || pid < known.Pid)
        {
            _containers[key] = (runtime, id, pid);
        }
    }

    /// <summary>Every container noted, ordered by "runtime:id", with the names its runtime keeps.</summary>
    internal List<RunningContainer> Containers(ContainerNames names)
    {
        var list = new List<RunningContainer>(_containers.Count);
        foreach ((string runtime, string id, int pid) in _containers.Values)
        {
            list.Add(new RunningContainer(runtime, id, names.Of(runtime, id), pid));
        }

        return list;
    }
}
