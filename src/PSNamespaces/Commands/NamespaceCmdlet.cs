using System;
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

    /// <summary>
    /// For the cmdlets that start namespace threads or programs (which check every thread of this
    /// process in /proc/self/task): stops with ProcOfAnotherPidNamespace when /proc is not this
    /// process's PID namespace's, instead of a bare ENOENT from deep inside.
    /// </summary>
    internal void RequireOwnProc()
    {
        if (Core.Proc.ProcMount.ForeignProblem() is string problem)
        {
            ThrowTerminatingError(ErrorRecords.ProcOfAnotherPidNamespace(problem));
        }
    }

    /// <summary>
    /// The full file-system path of a path as the user typed it: relative to the current
    /// location, with ~ expanded. Null, with the error, when it names no file-system location.
    /// </summary>
    internal string? ResolveFileSystemPath(string path, out ErrorRecord? error)
    {
        error = null;
        if (path.Contains('\0'))
        {
            // The kernel would cut the path at the NUL and act on another file.
            error = ErrorRecords.InvalidArgument("InvalidPath", "A path cannot contain a NUL character.", path);
            return null;
        }

        try
        {
            string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.Name == "FileSystem")
            {
                return resolved;
            }

            error = ErrorRecords.InvalidArgument("NotAFileSystemPath", $"'{path}' is on the {provider.Name} provider; a namespace file must be a file-system path.", path);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException or NotSupportedException or ProviderNotFoundException or DriveNotFoundException)
        {
            error = ErrorRecords.InvalidPath(ex, path);
        }

        return null;
    }
}
