using System.Management.Automation;
using PSNamespaces.Core;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>Turns what a user names (a netns name, an nsfs path) into a namespace, or into the ErrorRecord that says why not.</summary>
internal static class NamespaceResolver
{
    /// <summary>The inode of the named network namespace /run/netns/NAME.</summary>
    internal static bool TryResolveName(string name, out ulong inode, out ErrorRecord? error)
    {
        inode = 0;
        error = null;
        string? problem = NamespaceName.Problem(name);
        if (problem is not null)
        {
            error = ErrorRecords.InvalidArgument("InvalidNamespaceName", problem, name);
            return false;
        }

        string path = NamedNetns.PathOf(name);
        try
        {
            using NamespaceFile file = NamespaceFile.Open(path, NamespaceType.Net);
            if (file.Type != NamespaceType.Net)
            {
                error = ErrorRecords.InvalidArgument("WrongNamespaceType", $"'{path}' is a {file.Type} namespace, not a network namespace.", name);
                return false;
            }

            inode = file.Inode;
            return true;
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            error = ErrorRecords.NamespaceNotFound($"There is no network namespace named '{name}' in {NamedNetns.RunDirectory}.", name);
        }
        catch (ErrnoException ex)
        {
            error = ErrorRecords.FromErrno(ex, name);
        }
        catch (NotANamespaceException ex)
        {
            error = new ErrorRecord(ex, "NotANamespace", ErrorCategory.InvalidArgument, name);
        }

        return false;
    }
}
