// Core/Model — what a namespace is, in the kernel's terms: its kinds (NamespaceType, the links
// under /proc/PID/ns), its identity (nsfs device + inode, NS_GET_ID), an open descriptor of one
// (NamespaceFile, checked with fstatfs to be nsfs), the nsfs ioctls, the rule for netns names and
// which /run/netns names a -Name selects (NetnsNameMatcher), and the public objects the cmdlets
// write (Namespace, NamespaceProcess, ProcNsStatus).
// Uses: none. Everything else builds on it.

using System;

namespace PSNamespaces;

/// <summary>
/// One namespace on the system. Its identity is nsfs's (st_dev, st_ino), printed as the kernel
/// prints it: "net:[4026531840]". Everything else is what lsns reports about it, and what keeps it
/// alive. Relations (Parent, Owner) are inode numbers, not objects, so the object serializes and
/// the ids can be given back to Get-Namespace -Inode.
/// </summary>
public sealed class Namespace
{
    public Namespace(NamespaceType type, ulong inode, ulong device)
    {
        Type = type;
        Inode = inode;
        Device = device;
    }

    /// <summary>The kind of namespace.</summary>
    public NamespaceType Type { get; }

    /// <summary>The nsfs inode number (lsns's NS column).</summary>
    public ulong Inode { get; }

    /// <summary>The nsfs device number (st_dev); the same for every namespace on a system.</summary>
    public ulong Device { get; }

    /// <summary>The identity as the kernel prints it: "net:[4026531840]".</summary>
    public string Id => PSNamespaces.Core.Model.Nsfs.FormatId(Type, Inode);

    /// <summary>The kernel's 64-bit namespace id (ioctl NS_GET_ID, Linux 6.18+); $null where the kernel lacks it.</summary>
    public ulong? NsId { get; internal set; }

    /// <summary>How many processes are in it (lsns's NPROCS): those whose /proc/PID/ns/TYPE is this namespace.</summary>
    public int ProcessCount { get; internal set; }

    /// <summary>The lowest PID in it (lsns's PID); $null when no process is in it.</summary>
    public int? Pid { get; internal set; }

    /// <summary>The parent PID of <see cref="Pid"/> (0 when the parent is outside the caller's PID namespace).</summary>
    public int? PPid { get; internal set; }

    /// <summary>The command line of <see cref="Pid"/>, or its command name when the command line is empty (kernel threads).</summary>
    public string? Command { get; internal set; }

    /// <summary>The owner of /proc/PID of <see cref="Pid"/>; with no process in it, <see cref="OwnerUid"/>.</summary>
    public uint? Uid { get; internal set; }

    /// <summary>The user name of <see cref="Uid"/>, or $null when it has none.</summary>
    public string? User { get; internal set; }

    /// <summary>The cgroup (v2 path, from /proc/PID/cgroup) of <see cref="Pid"/>; $null when no process is in it.</summary>
    public string? Cgroup { get; internal set; }

    /// <summary>The systemd unit of <see cref="Pid"/>, as ps -o unit prints it (user@UID.service for a user manager's processes); $null when none.</summary>
    public string? Unit { get; internal set; }

    /// <summary>The systemd slice of <see cref="Pid"/>, as ps -o slice prints it ("-.slice" at the root); $null where systemd does not run and the cgroup names no slice.</summary>
    public string? Slice { get; internal set; }

    /// <summary>The unit of <see cref="Pid"/> inside a user manager or login session, as ps -o uunit prints it.</summary>
    public string? UserUnit { get; internal set; }

    /// <summary>The container runtime <see cref="Pid"/>'s cgroup names: docker, containerd, cri-o, podman, lxc, systemd-nspawn, machine, kubepods, or a monitor (podman-conmon, cri-o-conmon, lxc-monitor).</summary>
    public string? ContainerRuntime { get; internal set; }

    /// <summary>The id (64 hex digits) or name of the container <see cref="Pid"/> is in.</summary>
    public string? ContainerId { get; internal set; }

    /// <summary>The Kubernetes pod UID of <see cref="Pid"/>, under kubelet's cgroups.</summary>
    public string? PodUid { get; internal set; }

    /// <summary>
    /// Every distinct systemd unit among its processes. Every process's cgroup is read only
    /// with Get-Namespace -IncludeCgroups, -Unit or -Container; otherwise this holds the lowest PID's.
    /// </summary>
    public string[] Units { get; internal set; } = Array.Empty<string>();

    /// <summary>Every distinct container among its processes, as "runtime:id"; complete as <see cref="Units"/> is.</summary>
    public string[] Containers { get; internal set; } = Array.Empty<string>();

    /// <summary>Every PID in it, ascending.</summary>
    public int[] Pids { get; internal set; } = Array.Empty<int>();

    /// <summary>
    /// For a network namespace, the id the caller's network namespace has assigned to it (netlink
    /// RTM_GETNSID, what ip netns set assigns); $null when none is assigned or for other kinds.
    /// </summary>
    public int? NetNsId { get; internal set; }

    /// <summary>The name of a network namespace under /run/netns (ip netns); $null when it has none.</summary>
    public string? Name { get; internal set; }

    /// <summary>The bind mounts holding it (nsfs entries of the caller's mountinfo, lsns's NSFS).</summary>
    public string[] NsfsPaths { get; internal set; } = Array.Empty<string>();

    /// <summary>
    /// Every bind mount holding it, in every mount namespace read: the caller's and each other one a
    /// process is in (its mountinfo read once through one of them), as "mnt:[INODE]:PATH" — the
    /// mount namespace as the kernel prints it, then the path as a process in that namespace sees it.
    /// The caller's own are also in <see cref="NsfsPaths"/>.
    /// </summary>
    public string[] BindMounts { get; internal set; } = Array.Empty<string>();

    /// <summary>The threads (TIDs, ascending) in it whose process's main thread is not: each /proc/PID/task/TID/ns/TYPE that differs from /proc/PID/ns/TYPE.</summary>
    public int[] Threads { get; internal set; } = Array.Empty<int>();

    /// <summary>The sockets made in this network namespace, as /proc/PID/fd/N paths (ioctl SIOCGSKNS); filled only by Get-Namespace -IncludeDescriptors.</summary>
    public string[] Sockets { get; internal set; } = Array.Empty<string>();

    /// <summary>The open descriptors holding it, as /proc/PID/fd/N paths; filled only by Get-Namespace -IncludeDescriptors.</summary>
    public string[] Descriptors { get; internal set; } = Array.Empty<string>();

    /// <summary>The inode of the parent namespace (PID and user namespaces, NS_GET_PARENT, lsns's PNS); $null at the top or when hidden from the caller.</summary>
    public ulong? Parent { get; internal set; }

    /// <summary>The inode of the user namespace that owns it (NS_GET_USERNS, lsns's ONS); $null when it is outside the caller's user namespace.</summary>
    public ulong? Owner { get; internal set; }

    /// <summary>
    /// The uid that owns it (NS_GET_OWNER_UID): for a user namespace the effective uid of its
    /// creator, for other kinds that of the owning user namespace; $null when it cannot be asked.
    /// </summary>
    public uint? OwnerUid { get; internal set; }

    /// <summary>What keeps it alive: processes, threads, bind mounts, descriptors, sockets, other namespaces.</summary>
    public NamespaceHolder HeldBy { get; internal set; }

    /// <summary>
    /// True when no process is in it: something else (a bind mount, a descriptor, a reference)
    /// holds it. False, whatever ProcessCount says, when the scan could not read some processes
    /// (an unprivileged caller cannot read other users' /proc/PID/ns): one of them may be in it.
    /// </summary>
    public bool Persistent => ProcessCount == 0 && !ProcessesUnreadable;

    /// <summary>True when processes the scan could not read may be in it, so ProcessCount counts only the readable ones.</summary>
    internal bool ProcessesUnreadable { get; set; }

    public override string ToString() => Id;
}
