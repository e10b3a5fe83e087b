using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// Turns what Invoke-InNamespace is given as its target (a PID, a namespace object, nsfs paths,
/// a netns name) and -Type into open namespace descriptors, or into the ErrorRecord that says why not.
/// </summary>
internal static class TargetResolver
{
    // What the CLR can join from a thread; user and time namespaces need Enter-Namespace.
    private static readonly NamespaceType[] s_joinable =
    {
        NamespaceType.Cgroup, NamespaceType.Ipc, NamespaceType.Mount, NamespaceType.Net, NamespaceType.Pid, NamespaceType.Uts,
    };

    /// <summary>
    /// A process's namespaces: the kinds of -Type, or else every joinable kind in which the
    /// process is not in the session's namespace (as nsenter --all; joining one's own namespace
    /// changes nothing, except that a mount namespace would reset the root and working directory).
    /// </summary>
    internal static NamespaceTarget OpenProcess(int pid, NamespaceType[]? types)
    {
        if (types is not null)
        {
            return NamespaceTarget.FromPid(pid, types);
        }

        NamespaceTarget all = NamespaceTarget.FromPid(pid, s_joinable);
        Span<ulong> session = stackalloc ulong[NamespaceLinks.Count];
        ThreadNamespaces.ReadSession(session);
        var differing = new List<NamespaceType>();
        foreach (KeyValuePair<NamespaceType, NamespaceFile> entry in all.Files)
        {
            if (entry.Value.Inode != session[(int)NamespaceLinks.Of(entry.Key)])
            {
                differing.Add(entry.Key);
            }
        }

        return all.Select(differing);
    }

    /// <summary>
    /// A namespace object, opened through what it says holds it (its nsfs paths, its named netns,
    /// its process) or else through any process or nsfs mount in it, and checked to be that
    /// namespace. The hints are read by property name, so objects from any version of
    /// Get-Namespace work, and a hint that no longer holds the namespace is skipped.
    /// </summary>
    internal static NamespaceTarget OpenNamespace(Namespace ns, NamespaceType[]? types)
    {
        if (types is not null && Array.IndexOf(types, ns.Type) < 0)
        {
            throw new ArgumentException($"{ns.Id} is a {ns.Type} namespace, which -Type does not include.");
        }

        (List<string> paths, List<int> pids) = Hints(ns);
        NamespaceFile file = NamespaceLocator.TryOpen(ns.Type, ns.Inode, ns.NsId, paths, pids) ??
            throw new ErrnoException("open", Errno.ENOENT, ns.Id);
        return NamespaceTarget.FromFile(file);
    }

    /// <summary>
    /// A namespace object opened through what it says holds it or a bind mount of it, without
    /// walking /proc; null when none of those holds it (any process in it may still).
    /// </summary>
    internal static NamespaceTarget? TryOpenNamespaceWithoutScan(Namespace ns)
    {
        (List<string> paths, List<int> pids) = Hints(ns);
        return NamespaceLocator.TryOpenWithoutScan(ns.Type, ns.Inode, ns.NsId, paths, pids) is NamespaceFile file
            ? NamespaceTarget.FromFile(file)
            : null;
    }

    /// <summary>Where a namespace object says it is held: its nsfs paths, its name, its process.</summary>
    private static (List<string> Paths, List<int> Pids) Hints(Namespace ns)
    {
        PSObject hints = PSObject.AsPSObject(ns);
        var paths = new List<string>();
        foreach (object? value in Values(hints.Properties["NsfsPaths"]?.Value))
        {
            if (value is string path)
            {
                paths.Add(path);
            }
        }

        if (ns.Type == NamespaceType.Net && Values(hints.Properties["Name"]?.Value) is [string name] && NamespaceName.Problem(name) is null)
        {
            paths.Add(NamespaceName.PathOf(name));
        }

        var pids = new List<int>();
        foreach (object? value in Values(hints.Properties["Pid"]?.Value))
        {
            if (LanguagePrimitives.TryConvertTo(value, out int pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        return (paths, pids);
    }

    /// <summary>Keeps only the kinds of -Type, when given; a kind the target does not hold is an error.</summary>
    internal static NamespaceTarget WithTypes(NamespaceTarget target, NamespaceType[]? types)
    {
        if (types is null)
        {
            return target;
        }

        try
        {
            return target.Select(types);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>The ErrorRecord for a target that could not be opened, with the input as its target.</summary>
    internal static ErrorRecord Error(Exception ex, object input) => ex switch
    {
        ErrnoException errno when input is int pid =>
            ErrorRecords.ProcessUnreadable(pid, errno.Errno, errno.Function),
        ErrnoException { Errno: Errno.ENOENT } when input is string name && !name.Contains('/', StringComparison.Ordinal) =>
            ErrorRecords.NamespaceNotFound($"There is no network namespace named '{name}' in {NamespaceName.RunDirectory}.", name),
        ErrnoException { Errno: Errno.ENOENT } when input is Namespace ns =>
            ErrorRecords.NamespaceNotFound($"No process or nsfs mount holds {ns.Id} any more.", ns),
        ErrnoException errno => ErrorRecords.FromErrno(errno, input),
        NotANamespaceException notNs => new ErrorRecord(notNs, "NotANamespace", ErrorCategory.InvalidArgument, input),
        _ => new ErrorRecord(ex, "InvalidNamespaceTarget", ErrorCategory.InvalidArgument, input),
    };

    /// <summary>A property value as a list of bare values: one value, or each item of a collection.</summary>
    private static List<object?> Values(object? value)
    {
        var values = new List<object?>();
        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (bare is IEnumerable list and not string)
        {
            foreach (object? item in list)
            {
                values.Add(item is PSObject p ? p.BaseObject : item);
            }
        }
        else if (bare is not null)
        {
            values.Add(bare);
        }

        return values;
    }
}
