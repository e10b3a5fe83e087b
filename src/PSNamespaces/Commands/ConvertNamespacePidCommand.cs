using System;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Translates process ids between a PID namespace and this session's: the PID a
/// process has inside a namespace, or the process a PID inside it names.</para>
/// </summary>
/// <remarks>
/// Asks the kernel (NS_GET_TGID_FROM_PIDNS / NS_GET_TGID_IN_PIDNS, Linux 6.11+) and, on older
/// kernels, reads the NStgid lines of /proc. A thread's id names its process, unless -Thread.
/// </remarks>
[Cmdlet(VerbsData.Convert, "NamespacePid", DefaultParameterSetName = FromSet)]
[OutputType(typeof(int))]
public sealed class ConvertNamespacePidCommand : NamespaceCmdlet, IDisposable
{
    private const string FromSet = "FromPidNamespace";
    private const string ToSet = "ToPidNamespace";

    /// <summary>With -FromPidNamespace, PIDs as seen inside that namespace; with -ToPidNamespace, PIDs as this session sees them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(PidCompleter))]
    [ValidateRange(1, int.MaxValue)]
    public int[] Pid { get; set; } = Array.Empty<int>();

    /// <summary>The PID namespace the PIDs are in; writes the PID of the same process in this session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FromSet)]
    [ValidateNotNull]
    public object FromPidNamespace { get; set; } = null!;

    /// <summary>The PID namespace to translate into; writes $null for a process not visible there.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ToSet)]
    [ValidateNotNull]
    public object ToPidNamespace { get; set; } = null!;

    /// <summary>Translates thread ids (what ps -L shows as LWP) instead of naming each thread's process.</summary>
    [Parameter]
    public SwitchParameter Thread { get; set; }

    private NamespaceFile? _pidNamespace;

    protected override void BeginProcessing()
    {
        object input = ParameterSetName == FromSet ? FromPidNamespace : ToPidNamespace;
        _pidNamespace = PidNamespaceArgument.TryOpen(this, input, out ErrorRecord? error);
        if (_pidNamespace is null)
        {
            ThrowTerminatingError(error!);
        }
    }

    protected override void ProcessRecord()
    {
        foreach (int pid in Pid)
        {
            StopToken.ThrowIfCancellationRequested();
            if (ParameterSetName == FromSet)
            {
                if (PidLookup.TryFrom(_pidNamespace!, pid, Thread, out int callerPid, out ErrorRecord? error))
                {
                    WriteObject(callerPid);
                }
                else
                {
                    WriteError(error!);
                }

                continue;
            }

            int err = PidTranslation.TryIntoNamespace(_pidNamespace!, pid, out int inside, Thread);
            if (err == 0)
            {
                WriteObject(inside);
            }
            else if (err == Errno.ESRCH && System.IO.Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                // The process lives but has no PID in that namespace: it is outside it (an ancestor's or a sibling's).
                WriteObject(null);
            }
            else
            {
                WriteError(ErrorRecords.ProcessUnreadable(pid, err, Thread ? "ioctl(NS_GET_PID_IN_PIDNS)" : "ioctl(NS_GET_TGID_IN_PIDNS)"));
            }
        }
    }

    // Not EndProcessing: it does not run after Ctrl+C, -ErrorAction Stop or a terminating error,
    // and PowerShell disposes a cmdlet that is IDisposable whichever way its pipeline ends.
    public void Dispose() => _pidNamespace?.Dispose();
}
