using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSNamespaces.Core.Workers;

namespace PSNamespaces.Runspaces;

/// <summary>The stream a record was written to inside the script block.</summary>
internal enum StreamKind
{
    Output,
    Error,
    Warning,
    Verbose,
    Debug,
    Information,
    Progress,
}

/// <summary>One record of one stream, in the order the script block wrote it.</summary>
internal readonly record struct StreamRecord(StreamKind Kind, object Value);

/// <summary>
/// One call of a script block on a namespace worker. The block's text, arguments and $using:
/// values go in; every record of every stream comes back, in order, through a bounded queue to
/// the caller's pipeline thread, the only thread allowed to write them (a cmdlet's Write* calls
/// must come from it). The bound makes a fast block wait for a slow pipeline, as it would in one.
/// </summary>
internal sealed class ScriptInvocation : INamespaceWork<NamespaceRunspace>
{
    private const int QueueCapacity = 1024;

    private readonly string _script;
    private readonly IReadOnlyList<object?> _arguments;
    private readonly IDictionary _usingValues;
    private readonly string _location;
    private readonly PSLanguageMode _languageMode;
    private readonly BlockingCollection<StreamRecord> _records = new(QueueCapacity);
    private readonly CancellationTokenSource _abandoned = new();
    private readonly ManualResetEventSlim _ended = new();
    private readonly object _lock = new();
    private PowerShell? _running;
    private volatile bool _stopping;

    /// <param name="script">The script block's text: it is compiled again in the worker's runspace, since a ScriptBlock object belongs to the runspace that made it.</param>
    /// <param name="arguments">Positional arguments, as -ArgumentList gives them.</param>
    /// <param name="usingValues">$using: values keyed as PowerShell looks them up (<see cref="UsingValues"/>).</param>
    /// <param name="location">The directory the block starts in.</param>
    /// <param name="languageMode">The caller's language mode, which the block keeps.</param>
    internal ScriptInvocation(string script, IReadOnlyList<object?> arguments, IDictionary usingValues, string location, PSLanguageMode languageMode)
    {
        _script = script;
        _arguments = arguments;
        _usingValues = usingValues;
        _location = location;
        _languageMode = languageMode;
    }

    /// <summary>The error that ended the block (a terminating error inside it), once <see cref="Records"/> has ended.</summary>
    internal ErrorRecord? TerminatingError { get; private set; }

    /// <summary>
    /// What ended the block when PowerShell did not make it an ErrorRecord (a runspace failure
    /// rather than the script's own error), once <see cref="Records"/> has ended.
    /// </summary>
    internal Exception? UnexpectedFailure { get; private set; }

    /// <summary>
    /// $LASTEXITCODE as the block left it (the exit code of the last native program it ran), or
    /// null when it ran none; read once <see cref="Records"/> has ended. Each call starts from a
    /// reset runspace, so it is never a previous call's.
    /// </summary>
    internal int? LastExitCode { get; private set; }

    /// <summary>Why the block could not run at all (the worker could not get ready), once <see cref="Records"/> has ended.</summary>
    internal Exception? Failure { get; private set; }

    /// <summary>The block's records as they come, until it ends. Called on the caller's pipeline thread.</summary>
    internal IEnumerable<StreamRecord> Records(CancellationToken stop) => _records.GetConsumingEnumerable(stop);

    /// <summary>
    /// Stops the block (Ctrl+C, or the caller stopped reading): PowerShell stops its pipeline,
    /// and records not yet taken are dropped. Does not wait.
    /// </summary>
    internal void Stop()
    {
        PowerShell? running;
        lock (_lock)
        {
            _stopping = true;
            running = _running;
        }

        _abandoned.Cancel();

        // BeginStop, not Stop: Stop waits for the pipeline, and a block stuck in a .NET call
        // that PowerShell cannot interrupt would hold Ctrl+C.
        running?.BeginStop(null, null);
    }

    /// <summary>Waits until the worker is done with this call.</summary>
    internal bool WaitForEnd(TimeSpan timeout) => _ended.Wait(timeout);

    public void Run(NamespaceRunspace runspace)
    {
        try
        {
            runspace.PrepareCall(_location, _languageMode);
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace.Runspace;
            ps.AddScript(_script, useLocalScope: true);
            foreach (object? argument in _arguments)
            {
                ps.AddArgument(argument);
            }

            if (_usingValues.Count > 0)
            {
                ps.AddParameter(UsingValues.ParameterName, _usingValues);
            }

            Forward(ps.Streams.Error, StreamKind.Error);
            Forward(ps.Streams.Warning, StreamKind.Warning);
            Forward(ps.Streams.Verbose, StreamKind.Verbose);
            Forward(ps.Streams.Debug, StreamKind.Debug);
            Forward(ps.Streams.Information, StreamKind.Information);
            Forward(ps.Streams.Progress, StreamKind.Progress);
            var output = new PSDataCollection<PSObject>();
            Forward(output, StreamKind.Output);

            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }

                _running = ps;
            }

            ps.Invoke<PSObject, PSObject>(null, output, new PSInvocationSettings());
        }
        catch (RuntimeException ex) when (!_stopping)
        {
            TerminatingError = ex.ErrorRecord;
        }
        catch (Exception) when (_stopping)
        {
            // Stopped: what the block was doing when it stopped is not an error of its own.
        }
        catch (Exception ex)
        {
            UnexpectedFailure = ex;
        }
        finally
        {
            lock (_lock)
            {
                _running = null;
            }

            LastExitCode = ReadLastExitCode(runspace);
            End();
        }

        runspace.Recycle();
    }

    private static int? ReadLastExitCode(NamespaceRunspace runspace)
    {
        try
        {
            object? value = runspace.Runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
            return (value is PSObject wrapped ? wrapped.BaseObject : value) as int?;
        }
        catch (Exception ex) when (ex is InvalidOperationException or PSInvalidOperationException)
        {
            // A runspace left broken by a stop: there is nothing to report.
            return null;
        }
    }

    public void Fail(Exception error)
    {
        Failure = error;
        End();
    }

    private void End()
    {
        _records.CompleteAdding();
        _ended.Set();
    }

    /// <summary>
    /// Moves each record into the queue as it is written (DataAdded runs on the worker, in the
    /// writing call), leaving the collection empty so a long block does not pile up its output.
    /// </summary>
    private void Forward<T>(PSDataCollection<T> stream, StreamKind kind)
    {
        stream.DataAdded += (sender, _) =>
        {
            foreach (T record in ((PSDataCollection<T>)sender!).ReadAll())
            {
                // Throws once the caller stopped reading: the block then ends, as a pipeline
                // whose downstream stopped does.
                _records.Add(new StreamRecord(kind, record!), _abandoned.Token);
            }
        };
    }
}
