using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The cgroup path shapes container runtimes make, one row each, from the runtimes' own source
/// and documentation. The path is searched from its last component up, so the innermost
/// container wins (a nested cgroup a container's own systemd made, podman's split "container"
/// leaf, docker in docker); within a component the first matching row wins, so the monitor rows
/// (conmon, lxc.monitor) come before the rows whose prefix they share. A component no row
/// matches is a plain runc container when runc keeps state for a container of that id (see
/// <see cref="RuncStateDirectory"/>).
/// </summary>
/// <remarks>
/// Monitors are kept apart from their containers (runtime "podman-conmon", "cri-o-conmon",
/// "lxc-monitor"): they live outside the container's namespaces, and entering "the container"
/// must never enter them.
/// </remarks>
internal static class ContainerRules
{
    internal static readonly ContainerRule[] Rows =
    {
        // moby, systemd cgroup driver: system.slice/docker-ID.scope (also under kubepods when kubelet drove docker).
        new("docker", "docker-", ".scope", ContainerIdShape.Hex64),
        // moby, cgroupfs driver: /docker/ID (cgroup-parent "/docker" by default).
        new("docker", "", "", ContainerIdShape.Hex64, Parent: "docker"),
        // containerd's CRI plugin with SystemdCgroup: ...-podUID.slice/cri-containerd-ID.scope.
        new("containerd", "cri-containerd-", ".scope", ContainerIdShape.Hex64),
        // CRI-O: crio-conmon-ID.scope is the monitor; crio-ID.scope (systemd) or crio-ID (cgroupfs) the container.
        new("cri-o-conmon", "crio-conmon-", ".scope", ContainerIdShape.Hex64),
        new("cri-o-conmon", "crio-conmon-", "", ContainerIdShape.Hex64),
        new("cri-o", "crio-", ".scope", ContainerIdShape.Hex64),
        new("cri-o", "crio-", "", ContainerIdShape.Hex64),
        // podman (libpod): machine.slice/libpod-ID.scope, rootless under user@UID.service/user.slice,
        // cgroupfs /libpod_parent/libpod-ID; libpod-conmon-ID.scope is conmon.
        new("podman-conmon", "libpod-conmon-", ".scope", ContainerIdShape.Hex64),
        new("podman-conmon", "libpod-conmon-", "", ContainerIdShape.Hex64),
        new("podman", "libpod-", ".scope", ContainerIdShape.Hex64),
        new("podman", "libpod-", "", ContainerIdShape.Hex64),
        // kubelet's cgroupfs driver: /kubepods/[burstable|besteffort/]podUID/ID, whatever the runtime.
        new("kubepods", "", "", ContainerIdShape.Hex64, Parent: "pod*"),
        // LXC 4.0+: lxc.payload.NAME (the container) and lxc.monitor.NAME; LXC before 4.0: /lxc/NAME.
        new("lxc-monitor", "lxc.monitor.", "", ContainerIdShape.Name),
        new("lxc", "lxc.payload.", "", ContainerIdShape.Name),
        new("lxc", "", "", ContainerIdShape.Name, Parent: "lxc"),
        // systemd-nspawn as a service (machines.target): machine.slice/systemd-nspawn@NAME.service[/payload].
        new("systemd-nspawn", "systemd-nspawn@", ".service", ContainerIdShape.Name),
        // A machine registered with systemd-machined in a scope of its own (nspawn run by hand, libvirt).
        new("machine", "machine-", ".scope", ContainerIdShape.Name, Parent: "machine.slice"),
    };

    /// <summary>True for the runtimes whose processes are a container's monitor, not the container.</summary>
    internal static bool IsMonitor(string runtime) => runtime.EndsWith("-conmon", StringComparison.Ordinal) || runtime == "lxc-monitor";

    /// <summary>The innermost container the path names, or (null, null).</summary>
    /// <param name="path">The cgroup path.</param>
    /// <param name="runc">Where runc keeps its containers; null: the path's shape alone decides.</param>
    internal static (string? Runtime, string? Id) Find(ReadOnlySpan<char> path, RuncStateDirectory? runc = null)
    {
        path = path.TrimEnd('/');
        while (!path.IsEmpty)
        {
            int slash = path.LastIndexOf('/');
            ReadOnlySpan<char> component = path[(slash + 1)..];
            ReadOnlySpan<char> before = slash < 0 ? default : path[..slash].TrimEnd('/');
            ReadOnlySpan<char> parent = before[(before.LastIndexOf('/') + 1)..];
            foreach (ContainerRule rule in Rows)
            {
                if (rule.Match(component, parent) is string id)
                {
                    return (rule.Runtime, id);
                }
            }

            if (runc is not null && runc.Holds(component))
            {
                return ("runc", component.ToString());
            }

            path = before;
        }

        return (null, null);
    }
}
