// Core/Attribution — who owns a namespace: a cgroup path (CgroupFile reads it from
// /proc/PID/cgroup) parsed into the systemd unit, slice and user unit by libsystemd's rules
// (SystemdCgroup, UnitName, CgroupRoot), and into the container runtime, id (ContainerRules, a
// table of each runtime's path shapes, and runc's state directory for plain runc containers) and
// Kubernetes pod UID (KubePod); ContainerNames reads the names runtimes keep on disk,
// ContainerLookup lists the containers and ContainerMatcher picks those a -Container text names.
// Uses: none. It reads the cgroup file through Interop alone.

using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// Who a process belongs to, read from its cgroup v2 path: the systemd unit and slice (as
/// `ps -o unit,slice,uunit` shows them) and the container the path names.
/// </summary>
/// <param name="Cgroup">The path as /proc/PID/cgroup gives it (relative to the reader's cgroup namespace).</param>
/// <param name="Unit">The system unit (service or scope), or null.</param>
/// <param name="Slice">The slice; "-.slice" at the root where systemd runs, null where it does not.</param>
/// <param name="UserUnit">The unit inside a user manager or login session, or null.</param>
/// <param name="ContainerRuntime">docker, containerd, cri-o, podman, runc, lxc, systemd-nspawn, machine, kubepods, or a monitor (podman-conmon, cri-o-conmon, lxc-monitor); null outside containers.</param>
/// <param name="ContainerId">The runtime's id (64 hex digits; runc's own, any text) or name (lxc, machines).</param>
/// <param name="PodUid">The Kubernetes pod UID, under kubelet's cgroups.</param>
internal sealed record CgroupAttribution(
    string Cgroup, string? Unit, string? Slice, string? UserUnit, string? ContainerRuntime, string? ContainerId, string? PodUid)
{
    /// <summary>
    /// Parses a cgroup path. <paramref name="systemdRoot"/> is the cgroup systemd manages (see
    /// <see cref="CgroupRoot"/>); unit and slice are read from the path below it, as libsystemd does.
    /// <paramref name="systemdBooted"/>: systemd runs this machine (sd_booted, see <see cref="CgroupFile"/>).
    /// </summary>
    /// <param name="cgroup">The path.</param>
    /// <param name="systemdRoot">The cgroup systemd manages.</param>
    /// <param name="systemdBooted">Whether systemd runs this machine.</param>
    /// <param name="runc">Where plain runc containers are kept; null: by the path's shape alone.</param>
    internal static CgroupAttribution Parse(string cgroup, string systemdRoot = "/", bool systemdBooted = true, RuncStateDirectory? runc = null)
    {
        ReadOnlySpan<char> shifted = CgroupRoot.Shift(cgroup, systemdRoot);
        (string? runtime, string? id) = ContainerRules.Find(cgroup, runc);
        string slice = SystemdCgroup.Slice(shifted);
        return new CgroupAttribution(
            cgroup,
            SystemdCgroup.Unit(shifted),
            // libsystemd (and ps) name a path with no slice component "-.slice", systemd's root
            // slice; where systemd does not run there is no such unit, so there is no slice.
            slice == SystemdCgroup.RootSlice && !systemdBooted ? null : slice,
            SystemdCgroup.UserUnit(shifted),
            runtime,
            id,
            KubePod.FindUid(cgroup));
    }

    /// <summary>"runtime:id", how a namespace's Containers list names a container; null outside one.</summary>
    internal string? Container => ContainerRuntime is null ? null : ContainerRuntime + ":" + ContainerId;
}
