using System;
using PSNamespaces.Core.Attribution;

namespace PSNamespaces.Core.Inventory;

/// <summary>Copies what a cgroup path says onto the output objects (the public types cannot see the parser's).</summary>
internal static class CgroupProperties
{
    /// <summary>A namespace's lowest PID's cgroup; its unit and container also stand for all in Units and Containers.</summary>
    internal static void Apply(Namespace ns, CgroupAttribution? cgroup)
    {
        ns.Units = cgroup?.Unit is string unit ? new[] { unit } : Array.Empty<string>();
        ns.Containers = cgroup?.Container is string container ? new[] { container } : Array.Empty<string>();
        ns.Cgroup = cgroup?.Cgroup;
        ns.Unit = cgroup?.Unit;
        ns.Slice = cgroup?.Slice;
        ns.UserUnit = cgroup?.UserUnit;
        ns.ContainerRuntime = cgroup?.ContainerRuntime;
        ns.ContainerId = cgroup?.ContainerId;
        ns.PodUid = cgroup?.PodUid;
    }

    internal static void Apply(NamespaceProcess process, CgroupAttribution? cgroup)
    {
        process.Cgroup = cgroup?.Cgroup;
        process.Unit = cgroup?.Unit;
        process.Slice = cgroup?.Slice;
        process.UserUnit = cgroup?.UserUnit;
        process.ContainerRuntime = cgroup?.ContainerRuntime;
        process.ContainerId = cgroup?.ContainerId;
        process.PodUid = cgroup?.PodUid;
    }
}
