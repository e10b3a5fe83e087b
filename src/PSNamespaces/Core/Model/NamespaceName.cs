using System;

namespace PSNamespaces.Core.Model;

/// <summary>
/// A named network namespace's name: the rule for it (a file name under /run/netns), as iproute2
/// applies it, and where the file of that name lives.
/// </summary>
internal static class NamespaceName
{
    /// <summary>iproute2's NETNS_RUN_DIR.</summary>
    internal const string RunDirectory = "/run/netns";

    internal static string PathOf(string name) => RunDirectory + "/" + name;

    /// <summary>NAME_MAX from linux/limits.h, in bytes.</summary>
    internal const int NameMax = 255;

    /// <summary>Why a name cannot be a file name in one directory, or null when it can.</summary>
    internal static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A namespace name cannot be empty.";
        }

        if (name is "." or "..")
        {
            return $"'{name}' cannot be a namespace name.";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            return "A namespace name cannot contain '/' or a NUL character.";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > NameMax)
        {
            return $"A namespace name is at most {NameMax} bytes long.";
        }

        return null;
    }

    /// <summary>
    /// Why a new namespace may not be given this name, or null: the rule above, no wildcard
    /// characters (* ? [ ]) and no control characters. iproute2 would accept a newline or an escape sequence, but `ip netns list`
    /// prints one name per line, raw, so such a name breaks every script that reads it (and can
    /// write to a terminal). Names already there are still found and removed by the rule above.
    /// </summary>
    internal static string? ProblemForNew(string? name)
    {
        string? problem = Problem(name);
        if (problem is not null)
        {
            return problem;
        }

        foreach (char c in name!)
        {
            if (char.IsControl(c))
            {
                return "A new namespace name cannot contain a control character (a newline, a tab, an escape): ip netns list prints names one per line, as they are.";
            }

            if (c is '*' or '?' or '[' or ']')
            {
                return $"A new namespace name cannot contain the wildcard character '{c}': every -Name that takes a pattern would read the name as one, and match other names with it.";
            }
        }

        return null;
    }
}
