using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Interop;
using PSNamespaces.Runspaces;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Removes persisted namespaces: named network namespaces (ip netns delete) and
/// namespace files (the bind mounts New-Namespace -Path and unshare --TYPE=FILE make).</para>
/// </summary>
/// <remarks>
/// Removing unmounts the file (lazily, never through a symlink) and deletes it. A namespace that
/// something else still holds lives on; a warning then names the holders found: processes, this
/// session's threads, other bind mounts. Whether anything holds it is asked of the kernel through
/// the namespace's file handle (Linux 6.18+); only then, once per call, is every process's /proc
/// entry read to name the holders (on older kernels, always).
/// </remarks>
[Cmdlet(VerbsCommon.Remove, "Namespace", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Namespace))]
public sealed class RemoveNamespaceCommand : NamespaceCmdlet
{
    /// <summary>How long removed namespaces nothing visible holds get to be freed before the warning.</summary>
    private const int SettleMilliseconds = 5000;

    /// <summary>Names of network namespaces in /run/netns to remove; from the pipeline, the Name property.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Namespace files (nsfs bind mounts) to unmount and delete; from the pipeline, the Path property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? Path { get; set; }

    /// <summary>Writes the namespace each removed file held.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // Removed namespaces that may live on: their holders are looked for once, at the end.
    private readonly List<RemovedNamespace> _maybeHeld = new();

    // The module's own workers still busy in a removed namespace, by TID: the warning names them.
    private readonly HashSet<int> _busyWorkers = new();

    protected override void ProcessRecord()
    {
        if (Name is null && Path is null)
        {
            ThrowTerminatingError(ErrorRecords.NoNamespaceGiven());
        }

        // One input object may carry both a Name and the Path of the same file.
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Name ?? Array.Empty<string>())
        {
            string? problem = NamespaceName.Problem(name);
            if (problem is not null)
            {
                WriteError(ErrorRecords.InvalidArgument("InvalidNamespaceName", problem, name));
                continue;
            }

            Remove(NamespaceName.PathOf(name), name, NetnsNameMatcher.NotFoundMessage(name), done);
        }

        foreach (string path in Path ?? Array.Empty<string>())
        {
            string? full = ResolveFileSystemPath(path, out ErrorRecord? error);
            if (full is null)
            {
                WriteError(error!);
                continue;
            }

            Remove(full, path, $"There is no namespace file '{full}'.", done);
        }
    }

    private void Remove(string path, string input, string notFound, HashSet<string> done)
    {
        if (!done.Add(path) || !ShouldProcess(path, "Remove namespace"))
        {
            return;
        }

        try
        {
            RemovedNamespace removed = NsfsBindMount.Remove(path);

            // What the module itself holds it lets go of: Invoke-InNamespace keeps an idle worker
            // thread inside the namespace for the next call, which would keep it alive.
            _busyWorkers.UnionWith(NamespaceRunspaces.Pool.ReleaseIdleIn(Nsfs.FormatId(removed.Type, removed.Inode), NamespaceRunspaces.ReleaseWait));
            if (PassThru)
            {
                WriteObject(NamespaceOutput.Describe(removed.Type, removed.Inode));
            }

            // Gone for sure when its handle no longer opens; else (or when the kernel cannot say) look for holders.
            if (removed.Handle?.IsAlive() != false)
            {
                _maybeHeld.Add(removed);
            }
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT && ex.Function == "open")
        {
            WriteError(ErrorRecords.NamespaceNotFound(notFound, input));
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ELOOP && ex.Function == "open")
        {
            WriteError(ErrorRecords.PathIsSymbolicLink(path, ex, input));
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.EBUSY && ex.Function == "unlink")
        {
            WriteError(ErrorRecords.StillMounted(path, ex, input));
        }
        catch (ErrnoException ex)
        {
            WriteError(ErrorRecords.NamespaceChange(ex, input));
        }
        catch (NotANamespaceException ex)
        {
            WriteError(ErrorRecords.NotANamespace(ex, input));
        }
    }

    /// <summary>
    /// Whether a namespace nothing visible holds is still alive after a while. The kernel frees
    /// some namespaces from a work queue once their last reference is dropped (an IPC namespace
    /// after an RCU grace period, then the user namespace that owned it; a network namespace's
    /// cleanup may wait its turn behind others on a busy machine): until that has run, a handle
    /// still opens. Polled with growing pauses until the deadline, shared by every namespace of
    /// the call, so the wait costs time only when a warning is due; Ctrl+C ends it. Null when the
    /// kernel will not say (no CAP_DAC_READ_SEARCH).
    /// </summary>
    private bool? AliveAfterSettling(NamespaceHandle handle, long deadline)
    {
        for (int pause = 2; ; pause = Math.Min(pause * 2, 200))
        {
            bool? alive = handle.IsAlive();
            long left = deadline - Environment.TickCount64;
            if (alive != true || left <= 0 || StopToken.WaitHandle.WaitOne((int)Math.Min(pause, left)))
            {
                return alive;
            }
        }
    }

    /// <summary>One search for holders, for every removed namespace that may live on.</summary>
    protected override void EndProcessing()
    {
        if (_maybeHeld.Count == 0)
        {
            return;
        }

        var namespaces = new List<(NamespaceType, ulong)>(_maybeHeld.Count);
        foreach (RemovedNamespace removed in _maybeHeld)
        {
            namespaces.Add((removed.Type, removed.Inode));
        }

        Dictionary<(NamespaceType Type, ulong Inode), List<string>> holders = NamespaceHolders.Find(namespaces);
        long settleDeadline = Environment.TickCount64 + SettleMilliseconds;
        foreach (RemovedNamespace removed in _maybeHeld)
        {
            string id = Nsfs.FormatId(removed.Type, removed.Inode);
            if (holders.TryGetValue((removed.Type, removed.Inode), out List<string>? list))
            {
                foreach (int tid in _busyWorkers)
                {
                    int at = list.IndexOf("thread " + tid.ToString(CultureInfo.InvariantCulture) + " of this PowerShell");
                    if (at >= 0)
                    {
                        list[at] += " (an Invoke-InNamespace call still running in it)";
                    }
                }

                WriteWarning($"{id} is no longer at {removed.Path}, but it lives on: held by {string.Join(", ", list)}.");
            }
            else if (removed.Handle is NamespaceHandle handle && AliveAfterSettling(handle, settleDeadline) == true)
            {
                WriteWarning($"{id} is no longer at {removed.Path}, but it lives on: held by something not found in /proc or the mount table (an open descriptor, a socket, or a namespace it owns or parents).");
            }
        }
    }
}
