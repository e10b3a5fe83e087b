using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>A PID as seen inside a PID namespace, turned into this session's PID or the ErrorRecord that says why not.</summary>
internal static class PidLookup
{
    internal static bool TryFrom(NamespaceFile pidNamespace, int pid, bool threads, out int callerPid, out ErrorRecord? error)
    {
        error = null;
        int err = PidTranslation.TryFromNamespace(pidNamespace, pid, out callerPid, threads);
        if (err == 0)
        {
            return true;
        }

        string id = Nsfs.FormatId(pidNamespace.Type, pidNamespace.Inode);
        error = err == Errno.ESRCH
            ? ErrorRecords.PidNotInNamespace(pid, id, threads)
            : ErrorRecords.FromErrno(new ErrnoException(threads ? "ioctl(NS_GET_PID_FROM_PIDNS)" : "ioctl(NS_GET_TGID_FROM_PIDNS)", err, id), pid);
        return false;
    }
}
