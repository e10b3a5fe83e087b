using System;
using System.Management.Automation;
using PSNamespaces.Core.Model;

namespace PSNamespaces.Commands;

/// <summary>
/// Wildcard patterns from the user, checked when given. WildcardPattern parses its text only at
/// the first match, so an unclosed bracket ("web[") would otherwise fail as a bare
/// WildcardPatternException at whatever name is first compared: for Watch-Namespace, hours
/// into a watch, at the first event.
/// </summary>
internal static class WildcardPatterns
{
    /// <summary>The pattern, or an InvalidWildcardPattern error with the text as target.</summary>
    internal static bool TryCompile(string text, WildcardOptions options, out WildcardPattern pattern, out ErrorRecord? error)
    {
        pattern = new WildcardPattern(text, options);
        try
        {
            pattern.IsMatch(string.Empty);
            error = null;
            return true;
        }
        catch (WildcardPatternException ex)
        {
            error = ErrorRecords.InvalidArgument(
                "InvalidWildcardPattern",
                $"'{text}' is not a valid wildcard pattern: {ex.Message.TrimEnd('.')}. To match [ or ] literally, escape it with a backtick (`[).",
                text);
            return false;
        }
    }

    /// <summary>Every pattern, or a terminating InvalidWildcardPattern error for the first that is not one.</summary>
    internal static WildcardPattern[] Compile(PSCmdlet cmdlet, string[] texts, WildcardOptions options) =>
        Array.ConvertAll(texts, text =>
        {
            if (!TryCompile(text, options, out WildcardPattern pattern, out ErrorRecord? error))
            {
                cmdlet.ThrowTerminatingError(error!);
            }

            return pattern;
        });

    /// <summary>
    /// A -Name argument for /run/netns names, matched with PowerShell's wildcard syntax, case
    /// sensitive (ip netns names are file names). An invalid pattern still names an existing file
    /// of that name literally; otherwise <see cref="NetnsNameMatcher.IsValid"/> is false and
    /// <paramref name="invalid"/> says why.
    /// </summary>
    internal static NetnsNameMatcher NetnsName(string text, out ErrorRecord? invalid)
    {
        invalid = null;
        bool wildcards = WildcardPattern.ContainsWildcardCharacters(text);
        if (!wildcards)
        {
            return new NetnsNameMatcher(text, false, null);
        }

        return new NetnsNameMatcher(text, true, TryCompile(text, WildcardOptions.CultureInvariant, out WildcardPattern pattern, out invalid) ? pattern.IsMatch : null);
    }
}
