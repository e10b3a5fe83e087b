using System;
using System.Buffers;
using System.Collections.Generic;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using Tmds.Linux;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// Builds <see cref="NamespaceProcess"/> and <see cref="ProcNsStatus"/> objects from /proc, one
/// process at a time, over one open /proc descriptor.
/// </summary>
internal sealed class ProcessScanner : IDisposable
{
    private readonly ProcRoot _proc = new();
    private readonly UserNameCache _users = new();
    private readonly CgroupFile _cgroups = new();

    /// <summary>The PIDs now in /proc.</summary>
    internal int[] ListPids() => _proc.ListPids();

    /// <summary>
    /// Reads a process's namespaces; null with the errno and the failed call when it cannot.
    /// With a filter, a process not in that namespace gives null with errno 0, decided by one
    /// readlinkat before anything else is read.
    /// </summary>
    internal NamespaceProcess? TryReadNamespaces(int pid, out int errno, out string function, NamespaceLink? filter = null, ulong filterInode = 0)
    {
        // Called for every process of a listing: a raw descriptor closed with LibC.close, no
        // SafeFd allocated per process (so in TryReadStatus).
        function = "open";
        errno = _proc.TryOpenProcess(pid, out int fd);
        if (errno != 0)
        {
            return null;
        }

        try
        {
            if (filter is NamespaceLink link)
            {
                errno = ProcessNamespaceReader.TryReadLink(fd, link, out ulong inode);
                if (errno != 0 || inode != filterInode)
                {
                    function = "readlinkat";
                    return null;
                }
            }

            Span<byte> statusBuffer = stackalloc byte[4096];
            errno = TryReadWholeStatus(fd, statusBuffer, out int length, out byte[]? rented);
            try
            {
                if (errno != 0)
                {
                    function = "read";
                    return null;
                }

                ulong[] inodes = new ulong[NamespaceLinks.Count];
                errno = ProcessNamespaceReader.TryReadLinks(fd, inodes, out function);
                if (errno != 0)
                {
                    return null;
                }

                errno = ProcessNamespaceReader.TryReadOwner(fd, out uint uid);
                if (errno != 0)
                {
                    function = "statx";
                    return null;
                }

                var status = new ProcStatusText(rented is null ? statusBuffer[..length] : rented.AsSpan(0, length));
                var process = new NamespaceProcess(pid, inodes)
                {
                    Command = status.Text("Name:"u8),
                    PPid = status.Int("PPid:"u8),
                    NsPid = status.Has("NSpid:"u8) ? status.LastInt("NSpid:"u8) : pid,
                    Uid = uid,
                    User = _users.DisplayName(uid),
                };
                CgroupProperties.Apply(process, _cgroups.Read(fd));
                return process;
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Reads a process's status; null with the errno when it cannot.</summary>
    internal ProcNsStatus? TryReadStatus(int pid, out int errno)
    {
        errno = _proc.TryOpenProcess(pid, out int fd);
        if (errno != 0)
        {
            return null;
        }

        byte[]? rented = null;
        try
        {
            Span<byte> statusBuffer = stackalloc byte[4096];
            errno = TryReadWholeStatus(fd, statusBuffer, out int length, out rented);
            if (errno != 0)
            {
                return null;
            }

            var status = new ProcStatusText(rented is null ? statusBuffer[..length] : rented.AsSpan(0, length));
            int[] nspid = status.IntList("NSpid:"u8);
            (ulong[] inodes, ulong[] ids) = PidNamespaceLevels(fd, nspid.Length);
            return new ProcNsStatus
            {
                Pid = pid,
                Name = status.Text("Name:"u8),
                PPid = status.Int("PPid:"u8),
                TracerPid = status.Int("TracerPid:"u8),
                NSpid = nspid,
                PidNamespace = inodes,
                PidNamespaceNsId = ids,
                NStgid = status.IntList("NStgid:"u8),
                NSpgid = status.IntList("NSpgid:"u8),
                NSsid = status.IntList("NSsid:"u8),
            };
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            LibC.close(fd);
        }
    }

    /// <summary>
    /// The PID namespace of each NSpid level, outermost first, read through the same /proc/PID
    /// descriptor as the status (so the same process); empty when they cannot all be read (the
    /// process exited meanwhile). The ids are empty unless the kernel gives one for every level.
    /// </summary>
    private static (ulong[] Inodes, ulong[] Ids) PidNamespaceLevels(int processFd, int count)
    {
        var levels = new List<PidNamespaceAncestry.Level>(count);
        if (count == 0 || PidTranslation.WalkProcess(processFd, count, levels) != 0 || levels.Count != count)
        {
            return (Array.Empty<ulong>(), Array.Empty<ulong>());
        }

        ulong[] inodes = new ulong[count];
        ulong[] ids = new ulong[count];
        bool allIds = true;
        for (int i = 0; i < count; i++)
        {
            // The walk goes up from the process's own namespace; NSpid starts at the caller's.
            PidNamespaceAncestry.Level level = levels[count - 1 - i];
            inodes[i] = level.Inode;
            ids[i] = level.NsId.GetValueOrDefault();
            allIds &= level.NsId.HasValue;
        }

        return (inodes, allIds ? ids : Array.Empty<ulong>());
    }

    /// <summary>
    /// Reads /proc/PID/status, into the stack buffer when it fits (it nearly always does), else
    /// into a rented array that grows until the whole file fits. Returns 0 or the errno.
    /// </summary>
    private static int TryReadWholeStatus(int fd, Span<byte> stackBuffer, out int length, out byte[]? rented)
    {
        rented = null;
        int err = ProcessNamespaceReader.TryReadStatus(fd, stackBuffer, out length);
        int size = stackBuffer.Length;
        while (err == 0 && length == size)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            size *= 4;
            rented = ArrayPool<byte>.Shared.Rent(size);
            size = rented.Length;
            err = ProcessNamespaceReader.TryReadStatus(fd, rented.AsSpan(0, size), out length);
        }

        return err;
    }

    public void Dispose() => _proc.Dispose();
}
