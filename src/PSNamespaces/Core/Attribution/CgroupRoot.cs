using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The cgroup systemd manages: PID 1's cgroup without its trailing /init.scope (or the legacy
/// /system.slice, /system), as libsystemd's cg_get_root_path computes it. In a container whose
/// systemd runs in a cgroup of the host's, unit names are read below that cgroup.
/// </summary>
internal static class CgroupRoot
{
    /// <summary>The root from PID 1's cgroup path ("/" when it is at the top).</summary>
    internal static string FromInitCgroup(string? initCgroup)
    {
        if (string.IsNullOrEmpty(initCgroup))
        {
            return "/";
        }

        foreach (string suffix in new[] { "/init.scope", "/system.slice", "/system" })
        {
            if (initCgroup.EndsWith(suffix, StringComparison.Ordinal))
            {
                string root = initCgroup[..^suffix.Length];
                return root.Length == 0 ? "/" : root;
            }
        }

        return initCgroup;
    }

    /// <summary>The path below root, starting with '/'; the path itself when it is not below root (cg_shift_path).</summary>
    internal static ReadOnlySpan<char> Shift(string cgroup, string root)
    {
        if (root == "/" || !cgroup.StartsWith(root, StringComparison.Ordinal))
        {
            return cgroup;
        }

        if (cgroup.Length == root.Length)
        {
            return "/";
        }

        return cgroup[root.Length] == '/' ? cgroup.AsSpan(root.Length) : cgroup;
    }
}
