using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Gets the namespaces on the system, like lsns: processes in each, the lowest PID, NETNSID,
/// bind mounts, parent and owner, and what keeps each alive.</para>
/// </summary>
/// <remarks>
/// One scan of /proc and the caller's mountinfo per call; filters apply to its result, so counts
/// (ProcessCount, Pids) are always the whole system's. Open descriptors are scanned only with
/// -IncludeDescriptors.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "Namespace", DefaultParameterSetName = AllSet)]
[OutputType(typeof(Namespace))]
public sealed class GetNamespaceCommand : NamespaceCmdlet
{
    private const string AllSet = "All";
    private const string InodeSet = "Inode";
    private const string PidSet = "Pid";
    private const string NameSet = "Name";

    /// <summary>Only namespaces of these kinds (lsns -t). Several may be given.</summary>
    [Parameter(Position = 0)]
    public NamespaceType[]? Type { get; set; }

    /// <summary>
    /// The namespaces with these inodes (lsns's NS column): numbers such as a namespace's Parent or
    /// Owner, text such as "net:[4026531840]" or a namespace's Id, or namespaces from the pipeline. A number must be whole; a namespace object with an NsId is refused when its namespace is gone and another has its inode now.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InodeSet, ValueFromPipeline = true)]
    [NamespaceInodeTransformation]
    [ValidateRange(1ul, ulong.MaxValue)]
    public ulong[] Inode { get; set; } = Array.Empty<ulong>();

    /// <summary>
    /// The namespaces these processes are in (lsns -p), from the pipeline by property name too:
    /// Get-Process pwsh | Get-Namespace.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = PidSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(PidCompleter))]
    [ValidateRange(1, int.MaxValue)]
    public int[] Pid { get; set; } = Array.Empty<int>();

    /// <summary>Named network namespaces in /run/netns (ip netns list); wildcards are allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Only namespaces no process is in: those held by bind mounts, descriptors, other namespaces or *_for_children links.</summary>
    [Parameter]
    public SwitchParameter Persistent { get; set; }

    /// <summary>
    /// Also look at every process's open descriptors (/proc/PID/fd/*), to find namespaces held only
    /// by an open descriptor and fill Descriptors. One stat per open descriptor on the system, so
    /// it is off by default.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeDescriptors { get; set; }

    /// <summary>
    /// Only namespaces with a process in one of these systemd units (as ps -o unit shows them:
    /// ssh.service, docker-ID.scope, user@1000.service); wildcards are allowed.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Unit { get; set; }

    /// <summary>
    /// Only namespaces with a process in one of these containers: the full id, a unique prefix of
    /// it (the short id docker ps prints), a name (docker, podman, runc, lxc), or "runtime:id";
    /// wildcards select every container that matches (3f2a*, docker:*). A value that names no
    /// container, or several, is an error.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Container { get; set; }

    /// <summary>
    /// Read every process's cgroup, so that Units and Containers list every unit and container
    /// among a namespace's processes (without it, the lowest PID's). One more file read per
    /// process, so it is off by default; -Unit and -Container turn it on.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeCgroups { get; set; }

    // What the Inode, Pid and Name sets asked for; the target is the input an error names.
    private readonly Dictionary<ulong, object> _requested = new();
    private ProcessScanner? _processes;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case InodeSet:
                foreach (ulong inode in Inode)
                {
                    _requested.TryAdd(inode, inode);
                }

                break;
            case PidSet:
                _processes ??= new ProcessScanner();
                foreach (int pid in Pid)
                {
                    RequestProcess(pid);
                }

                break;
            case NameSet:
                foreach (string name in Name)
                {
                    RequestName(name);
                }

                break;
        }
    }

    protected override void EndProcessing()
    {
        _processes?.Dispose();
        // Fed by the pipeline, it lists what the input names: input that bound to nothing (a
        // namespace object whose namespace is gone, refused by -Inode's transformation) must not
        // turn into a listing of every namespace.
        if ((ParameterSetName != AllSet || MyInvocation.ExpectingInput) && _requested.Count == 0)
        {
            return;
        }

        var cgroups = new CgroupFilter(this, Unit, Container, StopToken);
        using NamespaceCatalog catalog = NamespaceCatalog.Scan(IncludeDescriptors, StopToken, IncludeCgroups || cgroups.Active);
        int refused = 0;
        foreach (NamespaceCatalog.SkippedProcess skipped in catalog.Skipped)
        {
            WriteVerbose($"Skipped PID {skipped.Pid}: {skipped.Function}: {Errno.Message(skipped.Errno)} ({Errno.Name(skipped.Errno)})");
            refused += skipped.Errno is Errno.EACCES or Errno.EPERM ? 1 : 0;
        }

        // An unprivileged caller may not read other users' /proc/PID/ns (ptrace read access), so a
        // namespace held by a bind mount shows none of their processes in it: lsns leaves such
        // rows out, we list them but do not call them persistent, and say so once. (A privileged
        // one refused a process - this machine's PID 1 - has its Verbose line only.)
        bool unreadable = refused > 0 && !Environment.IsPrivilegedProcess;
        if (unreadable)
        {
            WriteWarning($"{refused} process{(refused == 1 ? "" : "es")} could not be read (another user's /proc/PID/ns needs root or CAP_SYS_PTRACE; -Verbose lists them): " +
                "namespaces only they are in are not listed, Processes leaves them out, and no namespace is called Persistent.");
        }

        var found = new HashSet<ulong>();
        foreach (Namespace ns in catalog.Namespaces())
        {
            if (ParameterSetName != AllSet && !_requested.ContainsKey(ns.Inode))
            {
                continue;
            }

            found.Add(ns.Inode);
            ns.ProcessesUnreadable = unreadable;
            if (TypeMatches(ns.Type) && (!Persistent || ns.Persistent) && cgroups.Matches(ns))
            {
                WriteObject(ns);
            }
            else if (ParameterSetName == InodeSet && !TypeMatches(ns.Type) && cgroups.Matches(ns))
            {
                WriteError(ErrorRecords.InvalidArgument(
                    "WrongNamespaceType", $"Namespace {ns.Inode} is a {ns.Type} namespace, not {string.Join(" or ", Type!)}.", ns.Inode));
            }
        }

        if (ParameterSetName == InodeSet)
        {
            foreach (ulong inode in _requested.Keys)
            {
                if (!found.Contains(inode))
                {
                    WriteError(ErrorRecords.NamespaceNotFound(
                        $"No namespace with inode {inode} is held by a process, a thread, a bind mount{(IncludeDescriptors ? ", a descriptor, a socket" : "")} or another namespace.", inode));
                }
            }
        }
    }

    private bool TypeMatches(NamespaceType type) => Type is null || Type.Length == 0 || Array.IndexOf(Type, type) >= 0;

    /// <summary>Asks for the namespaces a process is in; a process that cannot be read is an error for that input only.</summary>
    private void RequestProcess(int pid)
    {
        NamespaceProcess? process = _processes!.TryReadNamespaces(pid, out int errno, out string function);
        if (process is null)
        {
            WriteError(ErrorRecords.ProcessUnreadable(pid, errno, function));
            return;
        }

        foreach (NamespaceType type in NamespaceTypes.All)
        {
            if (process.Get(NamespaceLinks.Of(type)) is ulong inode)
            {
                _requested.TryAdd(inode, pid);
            }
        }
    }

    /// <summary>Asks for a named network namespace; a wildcard asks for every name in /run/netns that matches (none is no error, as for ip netns list).</summary>
    private void RequestName(string text)
    {
        NetnsNameMatcher matcher = WildcardPatterns.NetnsName(text, out ErrorRecord? invalid);
        if (!matcher.IsLiteral && !matcher.IsValid)
        {
            WriteError(invalid!);
            return;
        }

        foreach (string name in matcher.Names())
        {
            try
            {
                using NamespaceFile file = TargetResolver.OpenNetnsName(name);
                _requested.TryAdd(file.Inode, name);
            }
            catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
            {
                if (matcher.IsLiteral)
                {
                    WriteError(ErrorRecords.TargetFailure(ex, name));
                }
                else
                {
                    // A stale file (a namespace deleted without its file) matched by a pattern is not an error.
                    WriteVerbose($"Skipped {NamespaceName.PathOf(name)}: {ex.Message}");
                }
            }
        }
    }
}
