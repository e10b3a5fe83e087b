using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The systemd unit and slice a cgroup path belongs to, by libsystemd's rules (sd_pid_get_unit,
/// sd_pid_get_slice, sd_pid_get_user_unit), which is what procps's `ps -o unit,slice,uunit`
/// prints: the leading *.slice components are slices (the last of them is the Slice, "-.slice"
/// when there is none); the first component after them is the Unit when it is a valid unit name
/// that is not a slice. The user unit is found the same way after the user manager
/// (user@UID.service) or a login session (session-ID.scope).
/// </summary>
/// <remarks>
/// So the Unit is the outermost unit, not the innermost: a service of a user manager has Unit
/// user@1000.service and UserUnit app.service; a cgroup a container manager made below its
/// scope does not change the Unit. Paths are taken relative to the root systemd manages (see
/// <see cref="CgroupRoot"/>), as libsystemd shifts them.
/// </remarks>
internal static class SystemdCgroup
{
    /// <summary>The root slice, a path's slice when it starts with none.</summary>
    internal const string RootSlice = "-.slice";

    /// <summary>The system unit (ps -o unit), or null where ps prints "-".</summary>
    internal static string? Unit(ReadOnlySpan<char> path) => UnitAfterSlices(SkipSlices(path));

    /// <summary>The slice (ps -o slice): "-.slice" when the path starts with no slice.</summary>
    internal static string Slice(ReadOnlySpan<char> path)
    {
        ReadOnlySpan<char> last = default;
        while (true)
        {
            path = path.TrimStart('/');
            ReadOnlySpan<char> component = First(path);
            if (!UnitName.IsSlice(component))
            {
                return last.IsEmpty ? RootSlice : UnitName.Unescape(last).ToString();
            }

            last = component;
            path = path[component.Length..];
        }
    }

    /// <summary>The unit within a user manager or session (ps -o uunit), or null.</summary>
    internal static string? UserUnit(ReadOnlySpan<char> path)
    {
        ReadOnlySpan<char> rest = SkipSlices(path);
        if (!SkipUserManager(ref rest) && !SkipSession(ref rest))
        {
            return null;
        }

        return UnitAfterSlices(SkipSlices(rest));
    }

    private static string? UnitAfterSlices(ReadOnlySpan<char> rest)
    {
        ReadOnlySpan<char> component = First(rest);
        if (component.Length < 3)
        {
            return null;
        }

        ReadOnlySpan<char> name = UnitName.Unescape(component);
        return UnitName.IsValid(name, allowInstance: true) && !name.EndsWith(".slice", StringComparison.Ordinal)
            ? name.ToString()
            : null;
    }

    private static ReadOnlySpan<char> SkipSlices(ReadOnlySpan<char> path)
    {
        while (true)
        {
            path = path.TrimStart('/');
            ReadOnlySpan<char> component = First(path);
            if (!UnitName.IsSlice(component))
            {
                return path;
            }

            path = path[component.Length..];
        }
    }

    /// <summary>user@UID.service, UID numeric (libsystemd's skip_user_manager).</summary>
    private static bool SkipUserManager(ref ReadOnlySpan<char> path)
    {
        path = path.TrimStart('/');
        ReadOnlySpan<char> component = First(path);
        if (!component.StartsWith("user@", StringComparison.Ordinal) || !component.EndsWith(".service", StringComparison.Ordinal) ||
            !uint.TryParse(component[5..^8], System.Globalization.NumberStyles.None, null, out uint uid) || uid == uint.MaxValue)
        {
            return false;
        }

        path = path[component.Length..].TrimStart('/');
        return true;
    }

    /// <summary>session-ID.scope, ID of letters and digits (libsystemd's skip_session).</summary>
    private static bool SkipSession(ref ReadOnlySpan<char> path)
    {
        path = path.TrimStart('/');
        ReadOnlySpan<char> component = First(path);
        if (component.Length < "session-x.scope".Length ||
            !component.StartsWith("session-", StringComparison.Ordinal) || !component.EndsWith(".scope", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in component[8..^6])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        path = path[component.Length..].TrimStart('/');
        return true;
    }

    private static ReadOnlySpan<char> First(ReadOnlySpan<char> path)
    {
        int slash = path.IndexOf('/');
        return slash < 0 ? path : path[..slash];
    }
}
