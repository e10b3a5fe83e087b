namespace PSNamespaces;

/// <summary>The namespace-related fields of /proc/PID/status.</summary>
public sealed class ProcNsStatus
{
    /// <summary>The process id, as seen from the caller's PID namespace.</summary>
    public int Pid { get; init; }

    /// <summary>The command name (comm), as status shows it.</summary>
    public string Name { get; init; } = "";

    /// <summary>The parent's PID, 0 when the parent is outside the caller's PID namespace.</summary>
    public int PPid { get; init; }

    /// <summary>The PID of the tracer, 0 when the process is not traced.</summary>
    public int TracerPid { get; init; }

    /// <summary>The thread id in every PID namespace the process is in, outermost first.</summary>
    public int[] NSpid { get; init; } = System.Array.Empty<int>();

    /// <summary>The thread-group id in every PID namespace, outermost first.</summary>
    public int[] NStgid { get; init; } = System.Array.Empty<int>();

    /// <summary>The process-group id in every PID namespace, outermost first.</summary>
    public int[] NSpgid { get; init; } = System.Array.Empty<int>();

    /// <summary>The session id in every PID namespace, outermost first.</summary>
    public int[] NSsid { get; init; } = System.Array.Empty<int>();

    /// <summary>
    /// The inode of the PID namespace each NSpid number belongs to, outermost first: the caller's
    /// own PID namespace, then each one below it down to the process's own (found with
    /// NS_GET_PARENT from /proc/PID/ns/pid).
    /// </summary>
    public ulong[] PidNamespace { get; init; } = System.Array.Empty<ulong>();

    /// <summary>The 64-bit id (NS_GET_ID, Linux 6.18+) of each of <see cref="PidNamespace"/>; empty where the kernel has none.</summary>
    public ulong[] PidNamespaceNsId { get; init; } = System.Array.Empty<ulong>();

    /// <summary>Each level as "PID in pid:[INODE]", outermost first: which PID the process has in which namespace.</summary>
    public string[] Levels
    {
        get
        {
            int count = System.Math.Min(NSpid.Length, PidNamespace.Length);
            string[] levels = new string[count];
            for (int i = 0; i < count; i++)
            {
                levels[i] = NSpid[i].ToString(System.Globalization.CultureInfo.InvariantCulture) + " in " + Core.Model.Nsfs.FormatId(NamespaceType.Pid, PidNamespace[i]);
            }

            return levels;
        }
    }

    /// <summary>How deep the process is: 1 in the initial PID namespace.</summary>
    public int PidNamespaceLevel => NSpid.Length;

    /// <summary>The PID the process has inside its own (innermost) PID namespace.</summary>
    public int InnermostPid => NSpid.Length == 0 ? Pid : NSpid[^1];

    public override string ToString() => $"{Pid} {Name} NSpid={string.Join(' ', NSpid)}";
}
