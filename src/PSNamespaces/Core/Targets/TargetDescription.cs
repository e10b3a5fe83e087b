using System.Collections.Generic;

namespace PSNamespaces.Core.Targets;

/// <summary>
/// What the user named as the namespaces to act in, before anything is opened: one of a
/// process, namespace objects (entered together), nsfs paths (together), or a named network
/// namespace. <see cref="TargetResolver"/> turns it into a <see cref="NamespaceTarget"/>.
/// </summary>
internal abstract record TargetDescription
{
    private TargetDescription()
    {
    }

    /// <summary>The namespaces of a process (nsenter --target PID).</summary>
    internal sealed record Process(int Pid) : TargetDescription;

    /// <summary>Namespaces named by objects, each reopened and checked to be the same namespace.</summary>
    internal sealed record Namespaces(IReadOnlyList<NamespaceIdentity> Identities) : TargetDescription;

    /// <summary>nsfs files, resolved to full paths, one per kind.</summary>
    internal sealed record Paths(IReadOnlyList<string> Files) : TargetDescription;

    /// <summary>/run/netns/NAME.</summary>
    internal sealed record NetnsName(string Name) : TargetDescription;
}
