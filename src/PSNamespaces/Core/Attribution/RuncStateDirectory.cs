using System;
using System.IO;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// Where plain runc keeps its containers (runc --root; /run/runc for root): a directory named
/// after each container's id holding state.json, for as long as the container exists. A `runc
/// run` without cgroupsPath puts the container in a cgroup named after its id alone (/ID, or
/// /PARENT/ID), with no runtime prefix to recognise it by: only this directory says it is one.
/// </summary>
/// <remarks>
/// Containers that docker, containerd or podman run through runc keep their state under their
/// own roots (/run/docker/runtime-runc, /run/containerd/runc) or are named by their cgroup's
/// prefix first (libpod-ID), so they are never taken for plain runc ones.
/// </remarks>
internal sealed class RuncStateDirectory
{
    internal const string DefaultRoot = "/run/runc";

    internal static readonly RuncStateDirectory Default = new(DefaultRoot);

    private readonly string _root;

    /// <param name="root">runc's --root (another directory only in tests).</param>
    internal RuncStateDirectory(string root) => _root = root;

    /// <summary>Whether runc keeps a container with this id: one of runc's id characters only, and ROOT/ID/state.json there.</summary>
    internal bool Holds(ReadOnlySpan<char> id) =>
        IsRuncId(id) && File.Exists(Path.Join(_root, id, "state.json"));

    /// <summary>runc's rule for an id: letters, digits, '_', '+', '-' and '.', and not "." or "..".</summary>
    private static bool IsRuncId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id is "." or "..")
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
