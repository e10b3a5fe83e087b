using System;
using System.Collections.Generic;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// What a -Container argument selects among the running containers, the same for every cmdlet:
/// as docker and podman take a container, the full id, a name, or a unique prefix of the id (the
/// 12-digit short id their ps prints); each also as "runtime:id" or "runtime:name" when several
/// runtimes are in use. A text with wildcards selects every container whose id, name or
/// "runtime:id" matches.
/// </summary>
/// <remarks>
/// The pattern's syntax is PowerShell's (WildcardPattern), which Core may not use: the cmdlet
/// layer compiles the text and hands the compiled match in. Ids are compared case-insensitively
/// (they are lowercase hex); names as they are (runtimes keep them case-sensitive).
/// </remarks>
internal sealed class ContainerMatcher
{
    private readonly Func<string, bool>? _isMatch;

    /// <param name="text">The argument as given.</param>
    /// <param name="isMatch">The compiled pattern when the text has wildcards; null for a literal text.</param>
    internal ContainerMatcher(string text, Func<string, bool>? isMatch)
    {
        Text = text;
        _isMatch = isMatch;
    }

    /// <summary>The argument as given.</summary>
    internal string Text { get; }

    /// <summary>Whether the text is a wildcard pattern (it may select several containers, or none, without being wrong).</summary>
    internal bool IsPattern => _isMatch is not null;

    /// <summary>
    /// The containers the text selects. A literal: those it names exactly (id, name, either with
    /// "runtime:"), else those whose id it begins — one when unique, several when ambiguous,
    /// none when unknown. A pattern: every match.
    /// </summary>
    internal List<RunningContainer> Select(IEnumerable<RunningContainer> containers)
    {
        var exact = new List<RunningContainer>();
        var prefixed = new List<RunningContainer>();
        foreach (RunningContainer container in containers)
        {
            if (_isMatch is not null)
            {
                if (_isMatch(container.Id) || _isMatch(container.Key) || Array.Exists(container.Names, name => _isMatch(name)))
                {
                    exact.Add(container);
                }
            }
            else if (string.Equals(container.Id, Text, StringComparison.OrdinalIgnoreCase) ||
                     string.Equals(container.Key, Text, StringComparison.OrdinalIgnoreCase) ||
                     container.IsNamed(Text))
            {
                exact.Add(container);
            }
            else if (IdPrefix(container) is string prefix && container.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                prefixed.Add(container);
            }
        }

        return exact.Count > 0 || _isMatch is not null ? exact : prefixed;
    }

    /// <summary>The part of the text to compare with the id's start: all of it, or what follows "runtime:" for a container of that runtime.</summary>
    private string? IdPrefix(RunningContainer container)
    {
        int colon = Text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return Text;
        }

        return string.Equals(Text[..colon], container.Runtime, StringComparison.OrdinalIgnoreCase) && colon + 1 < Text.Length ? Text[(colon + 1)..] : null;
    }
}
