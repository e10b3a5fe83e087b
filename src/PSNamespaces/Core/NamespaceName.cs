using System;

namespace PSNamespaces.Core;

/// <summary>The rule for a namespace name (a file name under /run/netns), as iproute2 applies it.</summary>
internal static class NamespaceName
{
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
}
