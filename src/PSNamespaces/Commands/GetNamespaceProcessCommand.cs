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
public sealed class GetNamespaceProcessCommand : NamespaceCmdlet, IDisposable
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

    /// <summary>
    /// With -Type: the inode of the namespace whose processes to list (lsns's NS column), as a
    /// number or the kernel's text ("net:[4026531840]"), as Get-Namespace -Inode takes it.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InodeSet)]
    [NamespaceInodeTransformation]
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

    /// <summary>
    /// Only processes in one of these containers: the full id, a unique prefix of it, a name, or
    /// "runtime:id"; wildcards select every container that matches (3f2a*, podman:*). A value
    /// that names no container, or several, is an error.
    /// </summary>
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
        _cgroups = new CgroupFilter(this, Unit, Container, StopToken);
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
                    NamespaceFile file;
                    try
                    {
                        file = TargetResolver.OpenNetnsName(name);
                    }
                    catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
                    {
                        WriteError(ErrorRecords.TargetFailure(ex, name));
                        continue;
                    }

                    // Held open through the walk: while a descriptor holds the namespace it
                    // lives, so no namespace made meanwhile can take the inode the walk matches.
                    using (file)
                    {
                        ScanInto(NamespaceType.Net, file.Inode);
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
    /// object says holds it, and checked to be that namespace (TargetResolver), its inode then
    /// names it and no other; failing that, the first process the walk finds with that inode is
    /// checked the same way before anything is written. One that is gone (or whose inode a newer
    /// namespace has taken) is a NamespaceNotFound error, as for Enter-Namespace and
    /// Invoke-InNamespace — unless the object itself shows no process or mount in it (held only
    /// as an owner, a descriptor, or for children): there is then no way in to open, and no
    /// process to list.
    /// </summary>
    private void ScanNamespace(Namespace ns)
    {
        NamespaceIdentity identity = NamespaceObject.ToIdentity(ns);
        try
        {
            using NamespaceFile? file = TargetResolver.TryOpenNamespaceWithoutScan(identity);
            if (file is not null)
            {
                ScanInto(ns.Type, ns.Inode);
                return;
            }

            if (!ScanInto(ns.Type, ns.Inode, identity) && (ns.HeldBy & (NamespaceHolder.Process | NamespaceHolder.BindMount)) != 0)
            {
                throw TargetResolver.Gone(identity);
            }
        }
        catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
        {
            WriteError(ErrorRecords.TargetFailure(ex, ns));
        }
    }

    /// <summary>
    /// Writes every process (in one namespace, when a type is given). A process that exits during
    /// the scan is not an error; one that may not be read is skipped with a Verbose line. With an
    /// identity to check, the first process found is checked to be in that very namespace
    /// (TargetResolver.Check) before anything is written, and its namespace is held open until
    /// the walk ends. False when no process was found.
    /// </summary>
    /// <remarks>Without an identity, the caller holds the namespace open, if it is one to tell from a newer one.</remarks>
    private bool ScanInto(NamespaceType? type, ulong inode, NamespaceIdentity? check = null)
    {
        NamespaceLink? link = type is NamespaceType t ? NamespaceLinks.Of(t) : null;
        bool found = false;
        // The checked namespace, held: the rest of the walk matches processes by inode alone, and
        // nsfs gives the inode of a namespace that dies to the next one made.
        NamespaceFile? held = null;
        try
        {
            foreach (int pid in _scanner!.ListPids())
            {
                StopToken.ThrowIfCancellationRequested();
                NamespaceProcess? process = _scanner.TryReadNamespaces(pid, out int errno, out string function, link, inode);
                if (process is not null)
                {
                    if (!found && check is not null && (held = OpenIfSame(pid, check)) is null)
                    {
                        // Gone between the read of its link and the open: the next process tells.
                        continue;
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
        }
        finally
        {
            held?.Dispose();
        }

        return found;
    }

    // Not EndProcessing: it does not run after Ctrl+C, -ErrorAction Stop or a terminating error,
    // and PowerShell disposes a cmdlet that is IDisposable whichever way its pipeline ends.
    public void Dispose()
    {
        _scanner?.Dispose();
        _pidNamespace?.Dispose();
    }

    /// <summary>
    /// The process's namespace, open, when it is the identified one; null when the process has
    /// gone or is in another; throws when the inode is another namespace's now (TargetResolver.Check).
    /// </summary>
    private static NamespaceFile? OpenIfSame(int pid, NamespaceIdentity identity)
    {
        NamespaceFile? file = NamespaceLocator.TryOpenIfSame(NamespaceLocator.ProcPath(pid, identity.Type), identity.Type, identity.Inode);
        try
        {
            if (file is not null)
            {
                TargetResolver.Check(file, identity);
            }

            return file;
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }
}
