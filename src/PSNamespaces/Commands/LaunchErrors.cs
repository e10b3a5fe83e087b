using System.Management.Automation;
using PSNamespaces.Core.Launch;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>The ErrorRecords of a program that could not be started inside namespaces.</summary>
internal static class LaunchErrors
{
    /// <summary>A step of the helper failed: the id is "function,ERRNO" like every errno error here.</summary>
    internal static ErrorRecord FromFailedStep(LaunchFailedException ex, string filePath, string? hint)
    {
        ErrnoException error = ex.Error;
        string id = error.Function + "," + error.ErrnoName;
        if (error.Function == "execvp" && error.Errno == Errno.ENOENT)
        {
            return new ErrorRecord(
                new CommandNotFoundException($"The program '{filePath}' was not found inside the namespaces: no such file, or not in PATH there.", error),
                id, ErrorCategory.ObjectNotFound, filePath);
        }

        if (error.Errno == Errno.ESTALE)
        {
            return new ErrorRecord(
                new ItemNotFoundException($"The namespace {ex.Step.Subject} is gone or was replaced after it was looked up (its process exited, or its PID or bind mount now belongs to another): nothing was run.", error),
                "NamespaceChanged", ErrorCategory.ObjectNotFound, filePath);
        }

        if (error.Function.StartsWith("pidfd_", System.StringComparison.Ordinal) && error.Errno == Errno.ESRCH)
        {
            return new ErrorRecord(
                new ItemNotFoundException($"The process {ex.Step.Subject} exited before its namespaces could be entered: nothing was run.", error),
                "ProcessNotFound", ErrorCategory.ObjectNotFound, filePath);
        }

        return ErrorRecords.FromErrno(error, filePath, hint);
    }

    /// <summary>
    /// The module's exec helper could not be run: id "nsexec,ERRNO", the message about the
    /// helper file (not about privileges or id maps, which have nothing to do with it).
    /// </summary>
    internal static ErrorRecord ExecHelper(ExecHelperException ex, object? target) =>
        new(ex, "nsexec," + ex.ErrnoName, ex.Errno switch
        {
            Errno.ENOENT => ErrorCategory.NotInstalled,
            Errno.EACCES => ErrorCategory.PermissionDenied,
            Errno.ENOEXEC => ErrorCategory.InvalidData,
            _ => ErrorCategory.ReadError,
        }, target);

    /// <summary>What is missing when pwsh could not write a new user namespace's maps.</summary>
    internal static string? HintForWrite(ErrnoException ex) =>
        ex.Errno is Errno.EPERM or Errno.EACCES
            ? "Writing an id map needs CAP_SETUID (uid_map) or CAP_SETGID (gid_map) in the parent user namespace; an ordinary user can map only their own ids (-MapRootUser, -MapCurrentUser, -MapUser, -MapGroup), and a gid map of their own needs -SetGroups Deny"
            : null;
}
