using System.Management.Automation;
using System.Threading;

namespace PSNamespaces.Commands;

/// <summary>
/// The base of every cmdlet here: StopProcessing (Ctrl+C) cancels a token that long scans and
/// waits observe, so a stop returns promptly.
/// </summary>
public abstract class NamespaceCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    // Not disposed: a token source with no timer holds nothing, and Stop may come after End.
    protected override void StopProcessing() => _stopping.Cancel();
}
