using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>Turns what a user names (a netns name, an nsfs path) into a namespace, or into the ErrorRecord that says why not.</summary>
internal static class NamespaceResolver
{
    /// <summary>The inode of the named network namespace /run/netns/NAME.</summary>
    internal static bool TryResolveName(string name, out ulong inode, out ErrorRecord? error)
    {
        using NamespaceFile? file = TryOpenName(name, out error);
        inode = file?.Inode ?? 0;
        return file is not null;
    }

    /// <summary>Opens the named network namespace /run/netns/NAME, or says why not.</summary>
    internal static NamespaceFile? TryOpenName(string name, out ErrorRecord? error)
    {
        error = null;
        string? problem = NamespaceName.Problem(name);
        if (problem is not null)
        {
            error = ErrorRecords.InvalidArgument("InvalidNamespaceName", problem, name);
            return null;
        }

        string path = NamespaceName.PathOf(name);
        NamespaceFile? file = TryOpen(path, name, $"There is no network namespace named '{name}' in {NamespaceName.RunDirectory}.", out error, NamespaceType.Net);
        if (file is not null && file.Type != NamespaceType.Net)
        {
            error = ErrorRecords.InvalidArgument("WrongNamespaceType", $"'{path}' is a {file.Type} namespace, not a network namespace.", name);
            file.Dispose();
            return null;
        }

        return file;
    }

    /// <summary>Opens a namespace file (an nsfs bind mount or /proc/PID/ns/TYPE), or says why not.</summary>
    /// <param name="path">The file, resolved to a full path.</param>
    /// <param name="target">The input as given, the error's target.</param>
    /// <param name="notFound">The message when there is no such file.</param>
    /// <param name="error">Why it could not be opened.</param>
    /// <param name="expected">The kind the context implies (see <see cref="NamespaceFile.Open"/>).</param>
    internal static NamespaceFile? TryOpen(string path, object target, string notFound, out ErrorRecord? error, NamespaceType? expected = null)
    {
        error = null;
        try
        {
            return NamespaceFile.Open(path, expected);
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            error = ErrorRecords.NamespaceNotFound(notFound, target);
        }
        catch (ErrnoException ex)
        {
            error = ErrorRecords.FromErrno(ex, target);
        }
        catch (NotANamespaceException ex)
        {
            error = new ErrorRecord(ex, "NotANamespace", ErrorCategory.InvalidArgument, target);
        }

        return null;
    }
}
