using System;

namespace PSNamespaces;

/// <summary>
/// One process and the namespace it is in for every kind, as inode numbers (what
/// `ps -o netns,mntns,...` prints). All namespaces share nsfs's device, so the inode alone
/// identifies a namespace on this system; 0 never occurs, a missing entry is $null.
/// </summary>
public sealed class NamespaceProcess
{
    private readonly ulong[] _inodes;

    internal NamespaceProcess(int pid, ulong[] inodes)
    {
        Pid = pid;
        _inodes = inodes;
    }

    /// <summary>The process id, as seen from the caller's PID namespace.</summary>
    public int Pid { get; }

    /// <summary>The parent's PID (0 when it is outside the caller's PID namespace).</summary>
    public int PPid { get; internal set; }

    /// <summary>The command name (comm).</summary>
    public string Command { get; internal set; } = "";

    /// <summary>The owner of /proc/PID: the effective uid.</summary>
    public uint Uid { get; internal set; }

    /// <summary>The user name of <see cref="Uid"/>, or $null when it has none.</summary>
    public string? User { get; internal set; }

    /// <summary>The PID the process has inside its own PID namespace (the last of NSpid).</summary>
    public int NsPid { get; internal set; }

    /// <summary>Its cgroup: the cgroup v2 path from /proc/PID/cgroup.</summary>
    public string? Cgroup { get; internal set; }

    /// <summary>Its systemd unit, as ps -o unit prints it; $null where ps prints "-".</summary>
    public string? Unit { get; internal set; }

    /// <summary>Its systemd slice, as ps -o slice prints it; $null where systemd does not run and the cgroup names no slice (ps prints libsystemd's "-.slice" there).</summary>
    public string? Slice { get; internal set; }

    /// <summary>Its unit inside a user manager or login session, as ps -o uunit prints it.</summary>
    public string? UserUnit { get; internal set; }

    /// <summary>The container runtime its cgroup names (docker, containerd, cri-o, podman, lxc, ...); $null outside containers.</summary>
    public string? ContainerRuntime { get; internal set; }

    /// <summary>The id (64 hex digits) or name of its container.</summary>
    public string? ContainerId { get; internal set; }

    /// <summary>Its Kubernetes pod UID, under kubelet's cgroups.</summary>
    public string? PodUid { get; internal set; }

    public ulong? CgroupNs => Get(NamespaceLink.Cgroup);
    public ulong? IpcNs => Get(NamespaceLink.Ipc);
    public ulong? MountNs => Get(NamespaceLink.Mount);
    public ulong? NetNs => Get(NamespaceLink.Net);
    public ulong? PidNs => Get(NamespaceLink.Pid);
    public ulong? PidForChildrenNs => Get(NamespaceLink.PidForChildren);
    public ulong? TimeNs => Get(NamespaceLink.Time);
    public ulong? TimeForChildrenNs => Get(NamespaceLink.TimeForChildren);
    public ulong? UserNs => Get(NamespaceLink.User);
    public ulong? UtsNs => Get(NamespaceLink.Uts);

    /// <summary>The inode of the namespace behind one /proc/PID/ns entry, or $null.</summary>
    public ulong? Get(NamespaceLink link) => _inodes[(int)link] is var inode && inode != 0 ? inode : null;

    /// <summary>The namespace of a kind this process is in, as "net:[4026531840]", or $null.</summary>
    public string? Id(NamespaceType type) =>
        Get(NamespaceLinks.Of(type)) is ulong inode ? PSNamespaces.Core.Model.Nsfs.FormatId(type, inode) : null;

    internal ReadOnlySpan<ulong> Inodes => _inodes;

    public override string ToString() => $"{Pid} {Command}";
}
