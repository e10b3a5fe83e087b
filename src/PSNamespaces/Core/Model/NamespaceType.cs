using System;

namespace PSNamespaces;

/// <summary>The eight kinds of Linux namespace (namespaces(7)).</summary>
public enum NamespaceType
{
    Cgroup,
    Ipc,
    Mount,
    Net,
    Pid,
    Time,
    User,
    Uts,
}

/// <summary>What the kernel calls each kind: its CLONE_NEW* flag and its name under /proc/PID/ns.</summary>
public static class NamespaceTypes
{
    /// <summary>Every kind, in enum order.</summary>
    public static readonly NamespaceType[] All = (NamespaceType[])Enum.GetValues(typeof(NamespaceType));

    /// <summary>The CLONE_NEW* flag for unshare(2), clone(2) and setns(2).</summary>
    public static int CloneFlag(this NamespaceType type) => type switch
    {
        NamespaceType.Cgroup => 0x02000000,
        NamespaceType.Ipc => 0x08000000,
        NamespaceType.Mount => 0x00020000,
        NamespaceType.Net => 0x40000000,
        NamespaceType.Pid => 0x20000000,
        NamespaceType.Time => 0x00000080,
        NamespaceType.User => 0x10000000,
        NamespaceType.Uts => 0x04000000,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The name of the kind in /proc/PID/ns and in "net:[4026531840]" ("mnt" for Mount).</summary>
    public static string ProcName(this NamespaceType type) => type switch
    {
        NamespaceType.Cgroup => "cgroup",
        NamespaceType.Ipc => "ipc",
        NamespaceType.Mount => "mnt",
        NamespaceType.Net => "net",
        NamespaceType.Pid => "pid",
        NamespaceType.Time => "time",
        NamespaceType.User => "user",
        NamespaceType.Uts => "uts",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The kind named by its /proc name ("mnt") or its enum name ("Mount"), any case.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out NamespaceType type)
    {
        foreach (NamespaceType t in All)
        {
            if (name.Equals(t.ProcName(), StringComparison.OrdinalIgnoreCase) ||
                name.Equals(t.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>The kind from the value of NS_GET_NSTYPE (a CLONE_NEW* flag), or null.</summary>
    public static NamespaceType? FromCloneFlag(int flag)
    {
        foreach (NamespaceType t in All)
        {
            if (t.CloneFlag() == flag)
            {
                return t;
            }
        }

        return null;
    }
}
