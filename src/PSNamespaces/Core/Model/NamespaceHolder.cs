using System;

namespace PSNamespaces;

/// <summary>
/// What holds a reference to a namespace. The kernel frees a namespace when the last reference
/// goes; these are the references a scan of /proc and mountinfo can see. Not seen: bind mounts in
/// a mount namespace no process is in (its mountinfo is read through a process in it), sockets
/// without -IncludeDescriptors, and what the kernel itself holds (a pending mount propagation,
/// an open /proc/PID/ns file of an exited task in a network stack's queue).
/// </summary>
[Flags]
public enum NamespaceHolder
{
    None = 0,

    /// <summary>A process is in it (its /proc/PID/ns/TYPE).</summary>
    Process = 1,

    /// <summary>A process's next children will be born in it (/proc/PID/ns/pid_for_children or time_for_children).</summary>
    ForChildren = 2,

    /// <summary>
    /// A bind mount of it, as ip netns add and unshare --net=FILE make (an nsfs entry of the
    /// mountinfo of the caller's mount namespace, or of any other mount namespace a process is in).
    /// </summary>
    BindMount = 4,

    /// <summary>A process has it open (/proc/PID/fd/N); seen only with Get-Namespace -IncludeDescriptors.</summary>
    Descriptor = 8,

    /// <summary>It is the owner or parent of another namespace found, which keeps a reference to it.</summary>
    Namespace = 16,

    /// <summary>A thread is in it that its process's main thread is not in (/proc/PID/task/TID/ns/TYPE): a thread that called setns or unshare alone.</summary>
    Thread = 32,

    /// <summary>A socket made in this network namespace is open (ioctl SIOCGSKNS on it); seen only with Get-Namespace -IncludeDescriptors.</summary>
    Socket = 64,
}
