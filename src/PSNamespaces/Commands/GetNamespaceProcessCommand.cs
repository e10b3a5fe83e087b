using System;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Gets processes with the namespace they are in for every kind.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "NamespaceProcess", DefaultParameterSetName = AllSet)]
[OutputType(typeof(NamespaceProcess))]
public sealed class GetNamespaceProcessCommand : NamespaceCmdlet
{
    private const string AllSet = "All";
    private const string PidSet = "Pid";
    private const string InodeSet = "Inode";
    private const string NamespaceSet = "Namespace";
    private const string NameSet = "Name";
    private const string InPidNamespaceSet = "InPidNamespace";

    /// <summary>
    /// The processes to report. Without it (and without a namespace), every process. With
    /// -PidNamespace, PIDs as seen inside that PID namespace.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PidSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InPidNamespaceSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(PidCompleter))]
    [ValidateRange(1, int.MaxValue)]
    public int[] Pid { get; set; } = Array.Empty<int>();

    /// <summary>With -Inode: the kind of the namespace whose processes to list.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InodeSet)]
    public NamespaceType Type { get; set; }

    /// <summary>With -Type: the inode of the namespace whose processes to list (lsns's NS column).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InodeSet)]
    [ValidateRange(1ul, ulong.MaxValue)]
    public ulong Inode { get; set; }

    /// <summary>Namespaces (from Get-Namespace) whose processes to list.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NamespaceSet, ValueFromPipeline = true)]
    [NamespaceEventTransformation]
    public Namespace[] Namespace { get; set; } = Array.Empty<Namespace>();

    /// <summary>The name of a network namespace in /run/netns whose processes to list (ip netns pids).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The PID namespace the -Pid numbers are in (a namespace object, its id or inode, a process
    /// whose PID namespace it is, or an nsfs file): each is answered with the process it names,
    /// as this session sees it. "Which process is PID 10 in that container?"
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InPidNamespaceSet)]
    [ValidateNotNull]
    public object PidNamespace { get; set; } = null!;

    /// <summary>Only processes in one of these systemd units, as ps -o unit shows them; wildcards are allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Unit { get; set; }

    /// <summary>Only processes in one of these containers, by id or "runtime:id" (3f2a*, podman:*); wildcards are allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Container { get; set; }

    private CgroupFilter? _cgroups;
    private ProcessScanner? _scanner;
    private NamespaceFile? _pidNamespace;

    protected override void BeginProcessing()
    {
        if (ParameterSetName == InPidNamespaceSet)
        {
            _pidNamespace = PidNamespaceArgument.TryOpen(this, PidNamespace, out ErrorRecord? error);
            if (_pidNamespace is null)
            {
                ThrowTerminatingError(error!);
            }
        }

        _scanner = new ProcessScanner();
        _cgroups = new CgroupFilter(this, Unit, Container);
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PidSet:
                foreach (int pid in Pid)
                {
                    StopToken.ThrowIfCancellationRequested();
                    NamespaceProcess? process = _scanner!.TryReadNamespaces(pid, out int errno, out string function);
                    if (process is null)
                    {
                        WriteError(ErrorRecords.ProcessUnreadable(pid, errno, function));
                        continue;
                    }

                    if (_cgroups!.Matches(process))
                    {
                        WriteObject(process);
                    }
                }

                break;
            case InodeSet:
                ScanInto(Type, Inode);
                break;
            case InPidNamespaceSet:
                foreach (int pid in Pid)
                {
                    StopToken.ThrowIfCancellationRequested();
                    if (!PidLookup.TryFrom(_pidNamespace!, pid, threads: false, out int callerPid, out ErrorRecord? error))
                    {
                        WriteError(error!);
                    }
                    else if (_scanner!.TryReadNamespaces(callerPid, out int errno, out string function) is NamespaceProcess process)
                    {
                        WriteObject(process);
                    }
                    else
                    {
                        WriteError(ErrorRecords.ProcessUnreadable(callerPid, errno, function));
                    }
                }

                break;
            case NamespaceSet:
                foreach (Namespace ns in Namespace)
                {
                    ScanNamespace(ns);
                }

                break;
            case NameSet:
                foreach (string name in Name)
                {
                    if (NamespaceResolver.TryResolveName(name, out ulong inode, out ErrorRecord? error))
                    {
                        ScanInto(NamespaceType.Net, inode);
                    }
                    else
                    {
                        WriteError(error!);
                    }
                }

                break;
            default:
                ScanInto(null, 0);
                break;
        }
    }

    /// <summary>
    /// Writes the processes of a namespace object, walking /proc once. Held open through what the
    /// object says holds it, its inode then names it and no other; failing that, the first process
    /// the walk finds with that inode is checked to be in that very namespace (its NS_GET_ID) before
    /// anything is written. One that is gone (or whose inode a newer namespace has taken) is an
    /// ObjectNotFound error, as for Enter-Namespace and Invoke-InNamespace — unless the object
    /// itself shows no process or mount in it (held only as an owner, a descriptor, or for
    /// children): there is then no way in to open, and no process to list.
    /// </summary>
    private void ScanNamespace(Namespace ns)
    {
        NamespaceTarget? target;
        try
        {
            target = TargetResolver.TryOpenNamespaceWithoutScan(ns);
        }
        catch (Exception ex) when (ex is ErrnoException or NotANamespaceException)
        {
            target = null;
        }

        if (target is not null)
        {
            using (target)
            {
                ScanInto(ns.Type, ns.Inode);
            }

            return;
        }

        if (!ScanInto(ns.Type, ns.Inode, verify: true, ns.NsId) && (ns.HeldBy & (NamespaceHolder.Process | NamespaceHolder.BindMount)) != 0)
        {
            WriteError(TargetResolver.Error(new ErrnoException("open", Errno.ENOENT, ns.Id), ns));
        }
    }

    /// <summary>
    /// Writes every process (in one namespace, when a type is given). A process that exits during
    /// the scan is not an error; one that may not be read is skipped with a Verbose line. With
    /// verify, the first process found is checked to be in that very namespace (type, inode, and
    /// nsId where known) before anything is written. False when it is not, or when no process was found.
    /// </summary>
    private bool ScanInto(NamespaceType? type, ulong inode, bool verify = false, ulong? nsId = null)
    {
        NamespaceLink? link = type is NamespaceType t ? NamespaceLinks.Of(t) : null;
        bool found = false;
        foreach (int pid in _scanner!.ListPids())
        {
            StopToken.ThrowIfCancellationRequested();
            NamespaceProcess? process = _scanner.TryReadNamespaces(pid, out int errno, out string function, link, inode);
            if (process is not null)
            {
                if (!found && verify && type is NamespaceType kind && !IsSame(pid, kind, inode, nsId))
                {
                    return false;
                }

                found = true;
                if (_cgroups!.Matches(process))
                {
                    WriteObject(process);
                }
            }
            else if (errno is not (0 or Errno.ENOENT or Errno.ESRCH))
            {
                WriteVerbose($"Skipped PID {pid}: {function}: {Errno.Message(errno)} ({Errno.Name(errno)})");
            }
        }

        return found;
    }

    protected override void EndProcessing()
    {
        _scanner?.Dispose();
        _pidNamespace?.Dispose();
    }

    private static bool IsSame(int pid, NamespaceType type, ulong inode, ulong? nsId)
    {
        using NamespaceFile? file = NamespaceLocator.TryOpenIfSame(NamespaceLocator.ProcPath(pid, type), type, inode, nsId);
        return file is not null;
    }
}
