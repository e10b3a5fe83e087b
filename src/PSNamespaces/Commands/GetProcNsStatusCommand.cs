using System;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Gets the namespace fields of /proc/PID/status: NSpid, NStgid, NSpgid, NSsid.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ProcNsStatus")]
[OutputType(typeof(ProcNsStatus))]
public sealed class GetProcNsStatusCommand : NamespaceCmdlet
{
    /// <summary>The processes to report; the current process when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(PidCompleter))]
    [ValidateRange(1, int.MaxValue)]
    public int[]? Pid { get; set; }

    private ProcessScanner? _scanner;

    protected override void BeginProcessing() => _scanner = new ProcessScanner();

    protected override void ProcessRecord()
    {
        foreach (int pid in Pid ?? new[] { Environment.ProcessId })
        {
            StopToken.ThrowIfCancellationRequested();
            ProcNsStatus? status = _scanner!.TryReadStatus(pid, out int errno);
            if (status is null)
            {
                WriteError(ErrorRecords.ProcessUnreadable(pid, errno, "read"));
                continue;
            }

            WriteObject(status);
        }
    }

    protected override void EndProcessing() => _scanner?.Dispose();
}
