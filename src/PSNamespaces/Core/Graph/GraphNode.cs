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
    /// <summary>The lines of its label: kind and inode; name and NETNSID; container, else unit; process count and lowest PID.</summary>
    internal string[] Label()
    {
        var lines = new System.Collections.Generic.List<string>(4) { Type + " " + Inode.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (Name is not null || NetNsId is not null)
        {
            string name = Name is null ? "" : "name " + Name;
            string id = NetNsId is int nsid ? "NETNSID " + nsid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            lines.Add(name.Length > 0 && id.Length > 0 ? name + ", " + id : name + id);
        }

        if ((Container ?? Unit) is string owner)
        {
            lines.Add(owner);
        }

        string count = ProcessCount == 1 ? "1 process" : ProcessCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + " processes";
        lines.Add(Pid is int pid ? count + ", PID " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + Shortened(Command) : count);
        return lines.ToArray();
    }

    /// <summary>A command line cut to 40 characters: a picture shows which program, not all its arguments.</summary>
    private static string? Shortened(string? command) =>
        command is { Length: > 40 } ? command[..37] + "..." : command;
}
