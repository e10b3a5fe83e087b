using System;
using System.Management.Automation;
using System.Threading;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Watch;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Writes an object each time a namespace appears or goes away (or gets or loses a bind mount),
/// until stopped with Ctrl+C, -Timeout or -Count.</para>
/// </summary>
/// <remarks>
/// The watch runs on a dedicated thread created from the pipeline thread, so it sees what the
/// caller sees (inside Invoke-InNamespace, that namespace's /proc, mounts and network
/// namespace); its events come back through a bounded queue and are written here.
/// </remarks>
[Cmdlet(VerbsCommon.Watch, "Namespace")]
[OutputType(typeof(NamespaceEvent))]
public sealed class WatchNamespaceCommand : NamespaceCmdlet
{
    // The longest wait .NET timers take is int.MaxValue ms; Start-Sleep -Seconds stops there too.
    private const double MaxSeconds = int.MaxValue / 1000;

    /// <summary>Only namespaces of these kinds. Several may be given.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public NamespaceType[]? Type { get; set; }

    /// <summary>
    /// Only named network namespaces (/run/netns, as ip netns names them) whose name matches;
    /// wildcards are allowed. A pattern that matches nothing yet is not an error: the watch waits for it.
    /// A namespace enters this view, written as Added, when it first carries a matching name, and leaves it
    /// (Removed, or Unpersisted) when its last matching name goes.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only the namespaces this process, or any process it starts from now on, is or was in.</summary>
    [Parameter]
    [Alias("Id", "ProcessId")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(PidCompleter))]
    public int? Pid { get; set; }

    /// <summary>Stops after this many seconds (at most 2147483, as Start-Sleep), writing nothing more; not an error.</summary>
    [Parameter]
    [ValidateRange(0.001, MaxSeconds)]
    public double? Timeout { get; set; }

    /// <summary>Stops after writing this many events.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>
    /// Seconds between two looks at /proc for what no event announces. With process events
    /// (root) that is a process that unshares or joins namespaces without exec'ing, looked for
    /// among the processes that ran since the last look (default 10); without them (not root,
    /// or inside another network namespace) a full rescan is how changes are found (default 2).
    /// </summary>
    [Parameter]
    [ValidateRange(0.001, MaxSeconds)]
    public double? Interval { get; set; }

    protected override void ProcessRecord()
    {
        if (Pid is int pid)
        {
            using var scanner = new ProcessScanner();
            if (scanner.TryReadStatus(pid, out int errno) is null)
            {
                ThrowTerminatingError(ErrorRecords.ProcessUnreadable(pid, errno, "open"));
            }
        }

        if (Name is not null && Type is not null && Array.IndexOf(Type, NamespaceType.Net) < 0)
        {
            // Nothing could ever be written: ip netns names only network namespaces.
            ThrowTerminatingError(ErrorRecords.InvalidArgument(
                "NameNeedsNetType",
                $"-Name selects network namespaces by their ip netns name (/run/netns), and -Type {string.Join(",", Type)} leaves them out. Add Net to -Type, or leave -Name out.",
                Type));
        }

        NetnsNameMatcher[]? names = Name is null ? null : Array.ConvertAll(Name, text =>
        {
            NetnsNameMatcher matcher = WildcardPatterns.NetnsName(text, out ErrorRecord? invalid);
            if (!matcher.IsValid)
            {
                // Checked now, not at the first event hours into the watch: names come and go, so an invalid pattern is never a literal name here.
                ThrowTerminatingError(invalid!);
            }

            return matcher;
        });
        var options = new WatchOptions(Type, Pid, Interval is double seconds ? TimeSpan.FromSeconds(seconds) : null);
        using var deadline = new CancellationTokenSource();
        if (Timeout is double timeout)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(timeout));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(StopToken, deadline.Token);
        using NamespaceWatcher watcher = NamespaceWatcher.Start(options);
        var view = names is null ? null : new NameView(names);
        int written = 0;
        foreach (WatchRecord record in watcher.Records(stop.Token))
        {
            if (record.Warning is not null)
            {
                WriteWarning(record.Warning);
            }
            else if (record.Verbose is not null)
            {
                WriteVerbose(record.Verbose);
            }
            else if (record.Event is NamespaceEvent ev && (view is null ? ev : view.Filter(ev)) is NamespaceEvent shown)
            {
                WriteObject(shown);
                if (++written == Count)
                {
                    break;
                }
            }
        }
    }
}
