using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// Finds the container a user means by an id prefix, as `docker exec 3f2a` does: among the
/// containers the processes' cgroups name (monitors left out: they are outside the
/// container's namespaces), the one whose id equals the text, else the only one whose id —
/// or "runtime:id" — starts with it. Each container is entered through its lowest PID.
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

    /// <summary>The containers the text names: one for a unique match, several ("runtime:id") when ambiguous, none when unknown.</summary>
    internal List<(string Runtime, string Id, int Pid)> Find(string text)
    {
        var exact = new List<(string, string, int)>();
        var prefixed = new List<(string, string, int)>();
        foreach ((string key, var container) in _containers)
        {
            if (string.Equals(container.Id, text, StringComparison.OrdinalIgnoreCase) || string.Equals(key, text, StringComparison.OrdinalIgnoreCase))
            {
                exact.Add(container);
            }
            else if (container.Id.StartsWith(text, StringComparison.OrdinalIgnoreCase) || key.StartsWith(text, StringComparison.OrdinalIgnoreCase))
            {
                prefixed.Add(container);
            }
        }

        return exact.Count > 0 ? exact : prefixed;
    }
}
