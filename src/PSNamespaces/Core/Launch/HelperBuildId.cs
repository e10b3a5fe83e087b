using System;
using System.Reflection;
using System.Text;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// The id that binds the exec helper to the module it ships with: the SHA-256 of
/// Native/nsexec.c, which build.ps1 compiles into the helper (NSEXEC_BUILD_ID, after
/// <see cref="Marker"/>) and the csproj into this assembly (AssemblyMetadata "NsexecBuildId").
/// The helper runs whatever steps it is given, and a step table is only meaningful to the source
/// it was written with; any other program of the right machine (/bin/true put in its place)
/// would "run" every plan by doing nothing and exiting 0.
/// </summary>
internal static class HelperBuildId
{
    /// <summary>What nsexec.c writes before its id; the id ends at the next NUL.</summary>
    internal static ReadOnlySpan<byte> Marker => "PSNamespaces-nsexec-build-id:"u8;

    /// <summary>The longest id read (a SHA-256 in hex is 64 characters).</summary>
    private const int MaxLength = 128;

    /// <summary>The id this assembly was built with (lower-case hex).</summary>
    internal static string Expected { get; } =
        (typeof(HelperBuildId).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefaultKey("NsexecBuildId") ?? string.Empty).ToLowerInvariant();

    /// <summary>Null when the program carries the id <paramref name="expected"/>; otherwise what is wrong.</summary>
    internal static string? Problem(ReadOnlySpan<byte> program, string expected)
    {
        int at = program.IndexOf(Marker);
        if (at < 0)
        {
            return "is not the exec helper of PSNamespaces: it carries no helper build id";
        }

        ReadOnlySpan<byte> rest = program[(at + Marker.Length)..];
        int end = rest.IndexOf((byte)0);
        string found = Encoding.ASCII.GetString(rest[..(end >= 0 && end <= MaxLength ? end : Math.Min(rest.Length, MaxLength))]);
        return string.Equals(found, expected, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"is the exec helper of another build of PSNamespaces (helper build id '{found}', this module's '{expected}')";
    }

    private static string? FirstOrDefaultKey(this System.Collections.Generic.IEnumerable<AssemblyMetadataAttribute> attributes, string key)
    {
        foreach (AssemblyMetadataAttribute attribute in attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        return null;
    }
}
