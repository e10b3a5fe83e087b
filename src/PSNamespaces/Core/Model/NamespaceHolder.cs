using System;

namespace PSNamespaces;

/// <summary>
/// What holds a reference to a namespace. The kernel frees a namespace when the last reference
/// goes; these are the references a scan of /proc and mountinfo can see. Not seen: bind mounts in
/// other mount namespaces, sockets (a socket holds its network namespace), threads other than a
/// process's main thread.
/// </summary>
[Flags]
public enum NamespaceHolder
{
    None = 0,

    /// <summary>A process is in it (its /proc/PID/ns/TYPE).</summary>
    Process = 1,

    /// <summary>A process's next children will be born in it (/proc/PID/ns/pid_for_children or time_for_children).</summary>
    ForChildren = 2,

    /// <summary>A bind mount of it, as ip netns add and unshare --net=FILE make (an nsfs entry of mountinfo).</summary>
    BindMount = 4,

    /// <summary>A process has it open (/proc/PID/fd/N); seen only with Get-Namespace -IncludeDescriptors.</summary>
    Descriptor = 8,

    /// <summary>It is the owner or parent of another namespace found, which keeps a reference to it.</summary>
    Namespace = 16,
}
