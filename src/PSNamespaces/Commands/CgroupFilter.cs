using System;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// The -Unit and -Container filters of Get-Namespace and Get-NamespaceProcess: wildcard patterns
/// matched against a systemd unit, and against a container's id or "runtime:id".
/// </summary>
internal sealed class CgroupFilter
{
    private readonly WildcardPattern[]? _units;
    private readonly WildcardPattern[]? _containers;

    internal CgroupFilter(PSCmdlet cmdlet, string[]? units, string[]? containers)
    {
        _units = Patterns(cmdlet, units);
        _containers = Patterns(cmdlet, containers);
    }

    /// <summary>True when a filter is given, so every process's cgroup must be read.</summary>
    internal bool Active => _units is not null || _containers is not null;

    internal bool Matches(NamespaceProcess process) =>
        (_units is null || (process.Unit is string unit && Any(_units, unit))) &&
        (_containers is null || (process.ContainerRuntime is string runtime && MatchesContainer(runtime + ":" + process.ContainerId)));

    /// <summary>A namespace matches when any of its processes' units and containers does.</summary>
    internal bool Matches(Namespace ns) =>
        (_units is null || Array.Exists(ns.Units, unit => Any(_units, unit))) &&
        (_containers is null || Array.Exists(ns.Containers, MatchesContainer));

    /// <summary>"runtime:id" against the patterns, as a whole or by its id.</summary>
    private bool MatchesContainer(string container)
    {
        int colon = container.IndexOf(':', StringComparison.Ordinal);
        return Any(_containers!, container) || (colon >= 0 && Any(_containers!, container[(colon + 1)..]));
    }

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
