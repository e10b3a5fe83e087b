using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// systemd's unit-name rules, as libsystemd applies them to cgroup path components: a name is
/// PREFIX[@INSTANCE].TYPE of the characters systemd allows, shorter than 256, TYPE one of its unit
/// types; a component starting with '_' is an escaped name (cg_escape prefixes names that
/// would clash with the kernel's own files).
/// </summary>
internal static class UnitName
{
    private const int MaxLength = 256;

    private static readonly string[] s_types =
    {
        "service", "socket", "target", "device", "mount", "automount", "swap", "timer", "path", "slice", "scope",
    };

    /// <summary>The component as a unit name (cg_unescape: one leading '_' dropped).</summary>
    internal static ReadOnlySpan<char> Unescape(ReadOnlySpan<char> component) =>
        component.Length > 0 && component[0] == '_' ? component[1..] : component;

    /// <summary>True for a plain name (foo.service) or, with instances, an instance (getty@tty1.service) — never a template (getty@.service).</summary>
    internal static bool IsValid(ReadOnlySpan<char> name, bool allowInstance)
    {
        if (name.IsEmpty || name.Length >= MaxLength)
        {
            return false;
        }

        int dot = name.LastIndexOf('.');
        if (dot <= 0 || Array.IndexOf(s_types, name[(dot + 1)..].ToString()) < 0)
        {
            return false;
        }

        int at = -1;
        for (int i = 0; i < dot; i++)
        {
            char c = name[i];
            if (c == '@' && at < 0)
            {
                at = i;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_' or '.' or '\\' or '@'))
            {
                return false;
            }
        }

        return at < 0 || (allowInstance && at > 0 && dot > at + 1);
    }

    /// <summary>True when the component, unescaped, is a valid slice name (skip_slices/valid_slice_name in libsystemd).</summary>
    internal static bool IsSlice(ReadOnlySpan<char> component) =>
        component.EndsWith(".slice", StringComparison.Ordinal) && IsValid(Unescape(component), allowInstance: false);

    /// <summary>Undoes systemd's \xNN escaping of a name inside a unit name (machine-foo\x2dbar.scope → foo-bar).</summary>
    internal static string UnescapeHex(ReadOnlySpan<char> escaped)
    {
        if (escaped.IndexOf('\\') < 0)
        {
            return escaped.ToString();
        }

        var bytes = new System.Collections.Generic.List<byte>(escaped.Length);
        Span<byte> utf8 = stackalloc byte[8];
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\' && i + 3 < escaped.Length && escaped[i + 1] == 'x' &&
                byte.TryParse(escaped.Slice(i + 2, 2), System.Globalization.NumberStyles.HexNumber, null, out byte value))
            {
                bytes.Add(value);
                i += 3;
                continue;
            }

            // A character outside the BMP is two chars: encode them together.
            int width = char.IsHighSurrogate(escaped[i]) && i + 1 < escaped.Length ? 2 : 1;
            int n = System.Text.Encoding.UTF8.GetBytes(escaped.Slice(i, width), utf8);
            i += width - 1;
            for (int b = 0; b < n; b++)
            {
                bytes.Add(utf8[b]);
            }
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
