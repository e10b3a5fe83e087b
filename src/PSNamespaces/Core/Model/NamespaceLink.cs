using System;

namespace PSNamespaces;

/// <summary>
/// The entries of /proc/PID/ns. There are more entries than kinds: pid_for_children and
/// time_for_children name the namespace the process's next children will be born into.
/// </summary>
public enum NamespaceLink
{
    Cgroup,
    Ipc,
    Mount,
    Net,
    Pid,
    PidForChildren,
    Time,
    TimeForChildren,
    User,
    Uts,
}

internal static class NamespaceLinks
{
    internal const int Count = 10;

    /// <summary>The kind of namespace an entry refers to.</summary>
    internal static NamespaceType TypeOf(NamespaceLink link) => link switch
    {
        NamespaceLink.PidForChildren => NamespaceType.Pid,
        NamespaceLink.TimeForChildren => NamespaceType.Time,
        NamespaceLink.Cgroup => NamespaceType.Cgroup,
        NamespaceLink.Ipc => NamespaceType.Ipc,
        NamespaceLink.Mount => NamespaceType.Mount,
        NamespaceLink.Net => NamespaceType.Net,
        NamespaceLink.Pid => NamespaceType.Pid,
        NamespaceLink.Time => NamespaceType.Time,
        NamespaceLink.User => NamespaceType.User,
        NamespaceLink.Uts => NamespaceType.Uts,
        _ => throw new ArgumentOutOfRangeException(nameof(link)),
    };

    /// <summary>The entry a process is in (not the *_for_children one) for a kind.</summary>
    internal static NamespaceLink Of(NamespaceType type) => type switch
    {
        NamespaceType.Cgroup => NamespaceLink.Cgroup,
        NamespaceType.Ipc => NamespaceLink.Ipc,
        NamespaceType.Mount => NamespaceLink.Mount,
        NamespaceType.Net => NamespaceLink.Net,
        NamespaceType.Pid => NamespaceLink.Pid,
        NamespaceType.Time => NamespaceLink.Time,
        NamespaceType.User => NamespaceLink.User,
        NamespaceType.Uts => NamespaceLink.Uts,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>"ns/NAME\0" relative to a /proc/PID directory fd, ready for readlinkat.</summary>
    internal static ReadOnlySpan<byte> RelativePath(NamespaceLink link) => link switch
    {
        NamespaceLink.Cgroup => "ns/cgroup\0"u8,
        NamespaceLink.Ipc => "ns/ipc\0"u8,
        NamespaceLink.Mount => "ns/mnt\0"u8,
        NamespaceLink.Net => "ns/net\0"u8,
        NamespaceLink.Pid => "ns/pid\0"u8,
        NamespaceLink.PidForChildren => "ns/pid_for_children\0"u8,
        NamespaceLink.Time => "ns/time\0"u8,
        NamespaceLink.TimeForChildren => "ns/time_for_children\0"u8,
        NamespaceLink.User => "ns/user\0"u8,
        NamespaceLink.Uts => "ns/uts\0"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(link)),
    };

    /// <summary>The entry's file name under /proc/PID/ns ("pid_for_children").</summary>
    internal static string FileName(NamespaceLink link)
    {
        ReadOnlySpan<byte> path = RelativePath(link);
        return System.Text.Encoding.ASCII.GetString(path[3..^1]);
    }
}
