using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Threads;

namespace PSNamespaces.Core.Inventory;

// The scan on several threads: cutting the PID list into runs, the threads' rules (plain threads,
// born in the caller's namespaces; none after setns into a PID namespace) and the merge in PID
// order that makes the result one pass's.
internal sealed partial class NamespaceCatalog
{
    // Below this many processes the scan takes a few milliseconds, too little to pay for threads.
    private const int PartitionedScanThreshold = 256;

    // The scan is bound by readlinkat on /proc, a few microseconds each, and spreads across cores;
    // past four partitions, starting threads and describing the shared namespaces once per
    // partition eat what is left to gain at a few thousand processes.
    private const int MaxScanPartitions = 4;

    /// <summary>A partition of a scan: a catalog of its own for a run of PIDs, read through the whole catalog's /proc descriptor.</summary>
    private NamespaceCatalog(NamespaceCatalog whole)
    {
        _onlyInode = whole._onlyInode;
        _ownMountNamespace = whole._ownMountNamespace;
        _proc = whole._proc;
        _allCgroups = whole._allCgroups;
        _cgroups = new CgroupFile(whole._cgroups.SystemdRoot);
    }

    /// <summary>
    /// Scans every process in /proc. With many processes and more than one processor, the
    /// ascending PID list is cut into contiguous runs, each scanned at the same time into a
    /// partition of its own, and the partitions are merged in PID order: the result is what one
    /// pass over all PIDs gives.
    /// </summary>
    private void ScanProcesses(bool includeDescriptors, CancellationToken cancel)
    {
        int[] pids = _proc!.ListPids();
        int partitions = Math.Min(Environment.ProcessorCount, MaxScanPartitions);
        if (pids.Length < PartitionedScanThreshold || partitions < 2 || !ThreadNamespaces.CallerCanCreateThreads())
        {
            ScanProcesses(pids, includeDescriptors, cancel);
            return;
        }

        ScanPartitions(pids, partitions, includeDescriptors, cancel);
    }

    /// <summary>
    /// Scans the first run of PIDs on the calling thread and each other run on a new thread,
    /// waits for every thread to be gone, and merges the partitions.
    /// </summary>
    /// <remarks>
    /// Plain threads, not the thread pool: a thread is born in the namespaces of its creator, so
    /// these see what the calling thread sees (inside Invoke-InNamespace, NETNSID is asked from
    /// the target's network namespace, as on the calling thread), and no pool thread is ever
    /// created from inside a namespace to serve the whole session from there. Each partition
    /// touches only its own state; what they share is read-only (the /proc descriptor, the
    /// only-inode filter) or safe to race on (NamespaceIoctl's and NetNsId's statics).
    /// </remarks>
    private void ScanPartitions(int[] pids, int count, bool includeDescriptors, CancellationToken cancel)
    {
        var parts = new NamespaceCatalog[count];
        var failures = new ExceptionDispatchInfo?[count];
        var threads = new DedicatedThread?[count];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);

        void ScanPart(int index)
        {
            int start = (int)((long)pids.Length * index / count);
            int end = (int)((long)pids.Length * (index + 1) / count);
            try
            {
                parts[index] = new NamespaceCatalog(this);
                parts[index].ScanProcesses(pids.AsSpan(start, end - start), includeDescriptors, stop.Token);
            }
            catch (Exception ex)
            {
                failures[index] = ExceptionDispatchInfo.Capture(ex);
                // The others' work is lost with this partition's: they need not finish it.
                stop.Cancel();
            }
        }

        _ = Nsfs.Device; // read once, before the threads need it
        try
        {
            for (int i = 1; i < count; i++)
            {
                int index = i;
                try
                {
                    threads[i] = DedicatedThread.Start(() => ScanPart(index), "PSNamespaces scan");
                }
                catch (OutOfMemoryException)
                {
                    // The kernel refused a thread (a cgroup's pids.max, RLIMIT_NPROC): this run
                    // is scanned on the calling thread below, as a single pass would.
                }
            }

            for (int i = 0; i < count; i++)
            {
                if (i == 0 || threads[i] is null)
                {
                    ScanPart(i);
                }
            }
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            foreach (DedicatedThread? thread in threads)
            {
                thread?.Wait();
            }
        }

        cancel.ThrowIfCancellationRequested();
        // One partition's failure cancels the others: surface that failure, not their cancellations.
        ExceptionDispatchInfo? failure =
            Array.Find(failures, static f => f is not null && f.SourceException is not OperationCanceledException) ??
            Array.Find(failures, static f => f is not null);
        failure?.Throw();

        foreach (NamespaceCatalog part in parts)
        {
            Merge(part);
        }
    }

    /// <summary>Adds what a partition of later PIDs than any merged so far found.</summary>
    private void Merge(NamespaceCatalog part)
    {
        foreach (Entry later in part._entries.Values)
        {
            ulong inode = later.Namespace.Inode;
            if (_entries.TryGetValue(inode, out Entry? entry))
            {
                entry.Absorb(later);
            }
            else
            {
                _entries.Add(inode, later);
            }
        }

        _skipped.AddRange(part._skipped);
    }
}
