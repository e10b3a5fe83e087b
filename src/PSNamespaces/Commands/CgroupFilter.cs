using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;

namespace PSNamespaces.Commands;

/// <summary>
/// The -Unit and -Container filters of Get-Namespace and Get-NamespaceProcess: wildcard patterns
/// matched against a systemd unit, and the containers ("runtime:id") -Container selects, by
/// <see cref="ContainerResolver"/>'s rule for every cmdlet.
/// </summary>
internal sealed class CgroupFilter
{
    private readonly WildcardPattern[]? _units;
    private readonly HashSet<string>? _containers;

    /// <summary>Compiles -Unit and resolves -Container (an error written for each value that names no container, or several).</summary>
    internal CgroupFilter(PSCmdlet cmdlet, string[]? units, string[]? containers, CancellationToken cancel)
    {
        _units = Patterns(cmdlet, units);
        _containers = containers is null || containers.Length == 0 ? null : ContainerResolver.ResolveAll(cmdlet, containers, cancel);
    }

    /// <summary>True when a filter is given, so every process's cgroup must be read.</summary>
    internal bool Active => _units is not null || _containers is not null;

    internal bool Matches(NamespaceProcess process) =>
        (_units is null || (process.Unit is string unit && Any(_units, unit))) &&
        (_containers is null || (process.ContainerRuntime is string runtime && _containers.Contains(runtime + ":" + process.ContainerId)));

    /// <summary>A namespace matches when any of its processes' units and containers does.</summary>
    internal bool Matches(Namespace ns) =>
        (_units is null || Array.Exists(ns.Units, unit => Any(_units, unit))) &&
        (_containers is null || Array.Exists(ns.Containers, _containers.Contains));

    private static bool Any(WildcardPattern[] patterns, string text)
    {
        foreach (WildcardPattern pattern in patterns)
        {
            if (pattern.IsMatch(text))
            {
                return true;
            }
        }

        return false;
    }

    private static WildcardPattern[]? Patterns(PSCmdlet cmdlet, string[]? texts) =>
        texts is null || texts.Length == 0
            ? null
            : WildcardPatterns.Compile(cmdlet, texts, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
}
