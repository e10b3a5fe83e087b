using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>What a container id looks like in a cgroup path component.</summary>
internal enum ContainerIdShape
{
    /// <summary>64 lowercase hex digits: docker, containerd, CRI-O and podman ids.</summary>
    Hex64,

    /// <summary>Any non-empty name: lxc containers, systemd machines (unescaped from \xNN).</summary>
    Name,
}

/// <summary>
/// One row of <see cref="ContainerRules"/>: a cgroup path component PREFIX + ID + SUFFIX names a
/// container of Runtime; with Parent, only when the component before it is exactly Parent (the
/// cgroupfs drivers name a plain directory after the id: /docker/ID), or starts with "pod" when
/// Parent is "pod*" (kubelet's cgroupfs layout, /kubepods/burstable/podUID/ID).
/// </summary>
internal sealed record ContainerRule(string Runtime, string Prefix, string Suffix, ContainerIdShape Shape, string? Parent = null)
{
    /// <summary>The id this rule reads from the component, or null when it does not apply.</summary>
    internal string? Match(ReadOnlySpan<char> component, ReadOnlySpan<char> parent)
    {
        if (component.Length <= Prefix.Length + Suffix.Length ||
            !component.StartsWith(Prefix, StringComparison.Ordinal) ||
            !component.EndsWith(Suffix, StringComparison.Ordinal) ||
            !ParentMatches(parent))
        {
            return null;
        }

        ReadOnlySpan<char> id = component[Prefix.Length..^Suffix.Length];
        return Shape switch
        {
            ContainerIdShape.Hex64 => IsHex64(id) ? id.ToString() : null,
            _ => UnitName.UnescapeHex(id),
        };
    }

    private bool ParentMatches(ReadOnlySpan<char> parent) => Parent switch
    {
        null => true,
        "pod*" => parent.Length > 3 && parent.StartsWith("pod", StringComparison.Ordinal),
        _ => parent.SequenceEqual(Parent),
    };

    private static bool IsHex64(ReadOnlySpan<char> id)
    {
        if (id.Length != 64)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
