using System;
using System.Collections.Generic;
using System.IO;

namespace PSNamespaces.Core.Model;

/// <summary>
/// What a -Name argument selects among the named network namespaces in /run/netns: a name, or
/// a wildcard pattern expanded to the matching names in ordinal order. The one place that says
/// a name is not there, so every cmdlet says it the same way.
/// </summary>
/// <remarks>
/// The pattern's syntax is PowerShell's (WildcardPattern), which Core may not use: the cmdlet
/// layer compiles the text and hands the compiled match in. ip netns allows [, ] and * in names,
/// so a name that exists is taken literally, even when it reads as a pattern.
/// </remarks>
internal sealed class NetnsNameMatcher
{
    private readonly Func<string, bool>? _isMatch;
    private readonly string _directory;

    /// <param name="text">The argument as given.</param>
    /// <param name="hasWildcards">Whether the text contains wildcard characters (unescaped * ? [ ]).</param>
    /// <param name="isMatch">The compiled pattern; null when the text is not a valid pattern.</param>
    /// <param name="directory">Where the names are: /run/netns (another directory only in tests).</param>
    internal NetnsNameMatcher(string text, bool hasWildcards, Func<string, bool>? isMatch, string directory = NamespaceName.RunDirectory)
    {
        Text = text;
        HasWildcards = hasWildcards;
        _isMatch = isMatch;
        _directory = directory;
    }

    /// <summary>The argument as given.</summary>
    internal string Text { get; }

    /// <summary>Whether the text reads as a pattern (it may still name one existing file literally).</summary>
    internal bool HasWildcards { get; }

    /// <summary>Whether the text is a usable pattern (a text without wildcards always is).</summary>
    internal bool IsValid => !HasWildcards || _isMatch is not null;

    /// <summary>Whether the text names one file of /run/netns as it is: no wildcards, or a name with wildcard characters that exists.</summary>
    internal bool IsLiteral => !HasWildcards || File.Exists(Path.Combine(_directory, Text));

    /// <summary>Whether a /run/netns name is selected: the same text, or (as a pattern) a match.</summary>
    internal bool Matches(string name) =>
        string.Equals(name, Text, StringComparison.Ordinal) || (HasWildcards && _isMatch is not null && _isMatch(name));

    /// <summary>
    /// The names selected: the text itself when literal (whether or not it exists: opening it
    /// says), else every matching entry of /run/netns in ordinal order, empty when none matches.
    /// </summary>
    /// <exception cref="InvalidOperationException">The text is a pattern, not valid, and names no file (check <see cref="IsValid"/> first).</exception>
    internal List<string> Names()
    {
        if (IsLiteral)
        {
            return new List<string> { Text };
        }

        if (_isMatch is null)
        {
            throw new InvalidOperationException($"'{Text}' is not a valid wildcard pattern.");
        }

        var matches = new List<string>();
        if (Directory.Exists(_directory))
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(_directory))
            {
                string entry = Path.GetFileName(path);
                if (_isMatch(entry))
                {
                    matches.Add(entry);
                }
            }
        }

        matches.Sort(StringComparer.Ordinal);
        return matches;
    }

    /// <summary>The message for a name that is not in /run/netns.</summary>
    internal static string NotFoundMessage(string name) =>
        $"There is no network namespace named '{name}' in {NamespaceName.RunDirectory}.";

    /// <summary>The message for a pattern that matches no name in /run/netns.</summary>
    internal static string NoMatchMessage(string pattern) =>
        $"No network namespace in {NamespaceName.RunDirectory} matches '{pattern}'.";

    /// <summary>NAME for /run/netns/NAME, as ip netns names it; null for any other path.</summary>
    internal static string? NameOf(string? path)
    {
        string prefix = NamespaceName.RunDirectory + "/";
        return path is not null && path.StartsWith(prefix, StringComparison.Ordinal) && path.IndexOf('/', prefix.Length) < 0
            ? path[prefix.Length..]
            : null;
    }
}
