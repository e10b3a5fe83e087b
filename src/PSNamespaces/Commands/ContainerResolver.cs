using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Inventory;

namespace PSNamespaces.Commands;

/// <summary>
/// The one rule for -Container on every cmdlet that has it (see <see cref="ContainerMatcher"/>):
/// full id, name, "runtime:id", or a unique prefix of the id; wildcards select every match. A
/// literal text that selects no container is ContainerNotFound, one that selects several
/// ContainerAmbiguous, naming them — on Get-* as on Enter/Invoke. The runtime is never asked:
/// containers are read from the processes' cgroups, names from the runtimes' files.
/// </summary>
internal static class ContainerResolver
{
    /// <summary>The running containers, to resolve several texts against one scan.</summary>
    internal static List<RunningContainer> Running(CancellationToken cancel) => ContainerScan.List(cancel);

    /// <summary>
    /// The one container a text names, for the cmdlets that act in it (nsenter -t (the
    /// State.Pid of docker inspect ID)): a pattern must select exactly one too. Null with the
    /// error: ContainerNotFound, ContainerAmbiguous or InvalidWildcardPattern.
    /// </summary>
    internal static RunningContainer? ResolveOne(string text, List<RunningContainer> running, out ErrorRecord? error)
    {
        if (Matcher(text, out error) is not ContainerMatcher matcher)
        {
            return null;
        }

        List<RunningContainer> found = matcher.Select(running);
        if (found.Count == 1)
        {
            return found[0];
        }

        error = found.Count == 0 ? ErrorRecords.ContainerNotFound(text) : Ambiguous(text, found, "this command acts in one container per -Container value");
        return null;
    }

    /// <summary>
    /// The containers ("runtime:id") the texts select, for the cmdlets that list (Get-*): every
    /// match of a pattern (none is no error, as for Get-Process -Name x*); the one container a
    /// literal names, else an error written for that text, and the others go on.
    /// </summary>
    internal static HashSet<string> ResolveAll(PSCmdlet cmdlet, string[] texts, CancellationToken cancel)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // Every pattern is checked before any process is read: a bad one makes the whole call meaningless.
        var matchers = new List<ContainerMatcher>(texts.Length);
        foreach (string text in texts)
        {
            if (Matcher(text, out ErrorRecord? error) is not ContainerMatcher matcher)
            {
                cmdlet.ThrowTerminatingError(error!);
                return keys;
            }

            matchers.Add(matcher);
        }

        List<RunningContainer> running = Running(cancel);
        foreach (ContainerMatcher matcher in matchers)
        {
            string text = matcher.Text;
            List<RunningContainer> found = matcher.Select(running);
            if (!matcher.IsPattern && found.Count != 1)
            {
                cmdlet.WriteError(found.Count == 0 ? ErrorRecords.ContainerNotFound(text) : Ambiguous(text, found, "give more of the id, or a pattern (ID*) for all of them"));
                continue;
            }

            foreach (RunningContainer container in found)
            {
                keys.Add(container.Key);
            }
        }

        return keys;
    }

    /// <summary>The matcher for a text: a pattern (case-insensitive, as ids are) when it has wildcards; null with InvalidWildcardPattern when it is not a valid one.</summary>
    private static ContainerMatcher? Matcher(string text, out ErrorRecord? error)
    {
        error = null;
        if (!WildcardPattern.ContainsWildcardCharacters(text))
        {
            return new ContainerMatcher(text, null);
        }

        return WildcardPatterns.TryCompile(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant, out WildcardPattern pattern, out error)
            ? new ContainerMatcher(text, pattern.IsMatch)
            : null;
    }

    private static ErrorRecord Ambiguous(string text, List<RunningContainer> found, string hint) =>
        ErrorRecords.InvalidArgument(
            "ContainerAmbiguous",
            $"'{text}' matches {found.Count} containers ({hint}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", found)}",
            text);
}
