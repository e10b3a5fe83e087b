using System;
using System.Management.Automation;

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
}
