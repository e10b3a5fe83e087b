using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Assigns the NETNSID by which this session's network namespace knows another one
/// (ip netns set NAME ID|auto).</para>
/// </summary>
/// <remarks>
/// The id belongs to the pair (this session's network namespace, the target): it is what
/// ip netns list-id shows, and what netlink messages carry as link-netnsid. The kernel never
/// changes an assigned id; asking again for the id already there does nothing.
/// </remarks>
[Cmdlet(VerbsCommon.Set, "NamespaceNetNsId", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Namespace))]
public sealed class SetNamespaceNetNsIdCommand : NamespaceCmdlet
{
    /// <summary>Names of network namespaces in /run/netns; from the pipeline, the Name property.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Network namespace files (nsfs bind mounts or /proc/PID/ns/net); from the pipeline, the Path property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? Path { get; set; }

    /// <summary>The id to assign. Without it the kernel picks the lowest free one (ip netns set NAME auto).</summary>
    [Parameter(Position = 1)]
    [ValidateRange(0, int.MaxValue)]
    public int NetNsId { get; set; }

    /// <summary>Writes each namespace, as Get-Namespace describes it, with the NETNSID it has afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private bool Auto => !MyInvocation.BoundParameters.ContainsKey(nameof(NetNsId));

    protected override void ProcessRecord()
    {
        if (Name is null && Path is null)
        {
            ThrowTerminatingError(ErrorRecords.NoNamespaceGiven());
        }

        // One input object may carry both a Name and the Path of the same namespace.
        var done = new HashSet<ulong>();
        foreach (string name in Name ?? Array.Empty<string>())
        {
            using NamespaceFile? file = TryOpen(() => TargetResolver.OpenNetnsName(name), name, out ErrorRecord? error);
            Assign(file, NamespaceName.PathOf(name), name, error, done);
        }

        foreach (string path in Path ?? Array.Empty<string>())
        {
            string? full = ResolveFileSystemPath(path, out ErrorRecord? error);
            NamespaceFile? file = full is null ? null : TryOpen(() => TargetResolver.OpenPath(full), path, out error);
            if (file is not null && file.Type != NamespaceType.Net)
            {
                error = ErrorRecords.InvalidArgument("WrongNamespaceType", $"'{full}' is a {file.Type} namespace, not a network namespace.", path);
                file.Dispose();
                file = null;
            }

            using (file)
            {
                Assign(file, full ?? path, path, error, done);
            }
        }
    }

    private static NamespaceFile? TryOpen(Func<NamespaceFile> open, string input, out ErrorRecord? error)
    {
        error = null;
        try
        {
            return open();
        }
        catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
        {
            error = ErrorRecords.TargetFailure(ex, input);
            return null;
        }
    }

    private void Assign(NamespaceFile? file, string path, string input, ErrorRecord? error, HashSet<ulong> done)
    {
        if (file is null)
        {
            WriteError(error!);
            return;
        }

        string wanted = Auto ? "the lowest free NETNSID" : "NETNSID " + NetNsId.ToString(CultureInfo.InvariantCulture);
        if (!done.Add(file.Inode) || !ShouldProcess(path, "Assign " + wanted))
        {
            return;
        }

        try
        {
            int? current = PSNamespaces.Core.Inventory.NetNsId.Get(file.Fd, path);
            if (current is int id && !(Auto || id == NetNsId))
            {
                WriteError(ErrorRecords.NetNsIdAssigned(path, id, input));
                return;
            }

            if (current is null)
            {
                PSNamespaces.Core.Inventory.NetNsId.Set(file.Fd, Auto ? null : NetNsId, path);
            }

            if (PassThru)
            {
                WriteObject(NamespaceCatalog.Describe(file.Fd, NamespaceType.Net));
            }
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.EEXIST)
        {
            WriteError(ErrorRecords.NetNsIdInUse(NetNsId, ex, input));
        }
        catch (ErrnoException ex)
        {
            WriteError(ErrorRecords.NamespaceChange(ex, input));
        }
    }
}
