using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>A container that has processes: its runtime and id as its cgroup names them, the names its runtime keeps, and its lowest PID.</summary>
internal sealed record RunningContainer(string Runtime, string Id, string[] Names, int Pid)
{
    /// <summary>"runtime:id", as Namespace.Containers lists it.</summary>
    internal string Key => Runtime + ":" + Id;

    /// <summary>How an error names it: "runtime:id (name, PID n)".</summary>
    public override string ToString() =>
        Names.Length == 0 ? $"{Key} (PID {Pid})" : $"{Key} ({string.Join(", ", Names)}, PID {Pid})";

    /// <summary>Whether a text is one of its names, as given or as "runtime:name".</summary>
    internal bool IsNamed(string text)
    {
        foreach (string name in Names)
        {
            if (text == name || text == Runtime + ":" + name)
            {
                return true;
            }
        }

        return false;
    }

    // Names is an array: records compare it by reference, which no caller wants.
    public bool Equals(RunningContainer? other) =>
        other is not null && Runtime == other.Runtime && Id == other.Id && Pid == other.Pid && Names.AsSpan().SequenceEqual(other.Names);

    public override int GetHashCode() => HashCode.Combine(Runtime, Id, Pid);
}
