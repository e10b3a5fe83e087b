namespace PSNamespaces.Core.Graph;

/// <summary>What the graph shows of one namespace, and the ids it is placed by (all plain values, so deserialized namespaces draw too).</summary>
internal sealed record GraphNode(
    ulong Inode,
    string Type,
    int ProcessCount,
    int? Pid,
    int? PPid,
    string? Command,
    string? Unit,
    string? Container,
    string? Name,
    int? NetNsId,
    ulong? Parent,
    ulong? Owner)
{
    /// <summary>
    /// The lines of its label: kind and inode; name and NETNSID when it has them. Who holds it
    /// (container or unit, lowest PID and command) is its group's label (<see cref="NodeGroup"/>).
    /// </summary>
    internal string[] Label()
    {
        string kind = Type + " " + Inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Name is null && NetNsId is null)
        {
            return new[] { kind };
        }

        string name = Name is null ? "" : "name " + Name;
        string id = NetNsId is int nsid ? "NETNSID " + nsid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return new[] { kind, name.Length > 0 && id.Length > 0 ? name + ", " + id : name + id };
    }

    /// <summary>Who the namespace belongs to, for its group's label: the container (a 64-digit id cut to the 12 its runtime's ps prints), else the unit.</summary>
    internal string? Attribution => Container is string container ? ShortContainer(container) : Unit;

    /// <summary>"PID n command" of its lowest PID, the command cut to 24 characters (a group's label is as wide as its cluster); null when no process holds it.</summary>
    internal string? ProcessLine => Pid is int pid ? "PID " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + Shortened(Command) : null;

    /// <summary>Whether it is the initial user namespace: the kernel names no owner and no parent for it.</summary>
    internal bool IsInitialUser => Type == "user" && Owner is null && Parent is null;

    private static string ShortContainer(string container)
    {
        int colon = container.IndexOf(':');
        return container.Length - colon - 1 == 64 ? container[..(colon + 13)] : container;
    }

    /// <summary>A command line cut to 24 characters: a picture shows which program, not all its arguments.</summary>
    private static string? Shortened(string? command) =>
        command is { Length: > 24 } ? command[..21] + "..." : command;
}
