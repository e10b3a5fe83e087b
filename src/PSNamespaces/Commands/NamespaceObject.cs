using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Graph;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Commands;

/// <summary>
/// Reads a namespace's properties from a pipeline object by name, so a live Namespace and one
/// that came through remoting or Import-Clixml (a property bag) are read the same way.
/// </summary>
internal static class NamespaceObject
{
    /// <summary>What the graph shows of a namespace; null when the object has no Inode and Type.</summary>
    internal static GraphNode? ToGraphNode(PSObject item)
    {
        if (Number<ulong>(item, "Inode") is not ulong inode || !TryType(item, out NamespaceType type))
        {
            return null;
        }

        return new GraphNode(
            inode,
            type.ProcName(),
            Number<int>(item, "ProcessCount") ?? 0,
            Number<int>(item, "Pid"),
            Number<int>(item, "PPid"),
            Text(item, "Command"),
            Text(item, "Unit"),
            Container(Text(item, "ContainerRuntime"), Text(item, "ContainerId")),
            Text(item, "Name"),
            Number<int>(item, "NetNsId"),
            Number<ulong>(item, "Parent"),
            Number<ulong>(item, "Owner"));
    }

    /// <summary>
    /// The namespace a -Namespace object names, for the target resolver: its identity (kind,
    /// inode, device, NsId) and where it says it is held — its nsfs paths, its name (a network
    /// namespace), its PID — tried first. The hints are read by property name, so a note property
    /// added to the object counts too; a hint that no longer holds the namespace is skipped there.
    /// </summary>
    internal static NamespaceIdentity ToIdentity(Namespace ns)
    {
        PSObject item = PSObject.AsPSObject(ns);
        var paths = new List<string>();
        foreach (object? value in Values(item, "NsfsPaths"))
        {
            if (value is string path)
            {
                paths.Add(path);
            }
        }

        if (ns.Type == NamespaceType.Net && Values(item, "Name") is [string name] && NamespaceName.Problem(name) is null)
        {
            paths.Add(NamespaceName.PathOf(name));
        }

        var pids = new List<int>();
        foreach (object? value in Values(item, "Pid"))
        {
            if (LanguagePrimitives.TryConvertTo(value, out int pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        return new NamespaceIdentity(ns.Type, ns.Inode, ns.Device, ns.NsId, paths, pids);
    }

    /// <summary>A property's value as a list of bare values: one value, or each item of a collection.</summary>
    private static List<object?> Values(PSObject item, string name)
    {
        var values = new List<object?>();
        object? value = item.Properties[name]?.Value;
        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (bare is IEnumerable list and not string)
        {
            foreach (object? entry in list)
            {
                values.Add(entry is PSObject p ? p.BaseObject : entry);
            }
        }
        else if (bare is not null)
        {
            values.Add(bare);
        }

        return values;
    }

    /// <summary>The kind from the Type property: an enum, its name, or (deserialized) its number.</summary>
    internal static bool TryType(PSObject item, out NamespaceType type)
    {
        type = default;
        return item.Properties["Type"]?.Value?.ToString() is string text && NamespaceTypes.TryParse(text, out type);
    }

    /// <summary>A number property; null when absent, $null or not a number.</summary>
    internal static T? Number<T>(PSObject item, string name)
        where T : struct =>
        item.Properties[name]?.Value is object raw && LanguagePrimitives.TryConvertTo(raw, CultureInfo.InvariantCulture, out T value)
            ? value
            : null;

    /// <summary>A text property; null when absent or $null.</summary>
    internal static string? Text(PSObject item, string name) => item.Properties[name]?.Value?.ToString();

    /// <summary>"runtime:id" with a 64-digit id shortened to its first 12, as docker ps shows it.</summary>
    private static string? Container(string? runtime, string? id) =>
        runtime is null ? null : runtime + ":" + (id is { Length: 64 } ? id[..12] : id);
}
