using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;

namespace PSNamespaces.Commands;

/// <summary>
/// Tab completion for the module's parameters, in one place. Matches are "word*",
/// case-insensitive; results are quoted when they need it.
/// </summary>
public sealed class PidCompleter : IArgumentCompleter
{
    /// <summary>Running PIDs that start with what was typed, with their command names in the tooltip.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = Completion.Unquote(wordToComplete);
        using var scanner = new ProcessScanner();
        foreach (int pid in scanner.ListPids())
        {
            string text = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!text.StartsWith(typed, StringComparison.Ordinal))
            {
                continue;
            }

            string command = scanner.TryReadStatus(pid, out _)?.Name ?? "?";
            yield return new CompletionResult(text, $"{text} {command}", CompletionResultType.ParameterValue, $"{text}: {command}");
        }
    }
}

/// <summary>Completes the names of network namespaces in /run/netns.</summary>
public sealed class NetnsNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = Completion.Unquote(wordToComplete);
        if (!Directory.Exists(NamespaceName.RunDirectory))
        {
            yield break;
        }

        var names = new List<string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(NamespaceName.RunDirectory))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            yield return new CompletionResult(Completion.Quote(name), name, CompletionResultType.ParameterValue, $"{NamespaceName.RunDirectory}/{name}");
        }
    }
}

/// <summary>Completes 'follow' for -UserId and -GroupId (nsenter -S follow, -G follow).</summary>
public sealed class FollowIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (FollowIdTransformationAttribute.Keyword.StartsWith(Completion.Unquote(wordToComplete), StringComparison.OrdinalIgnoreCase))
        {
            yield return new CompletionResult(FollowIdTransformationAttribute.Keyword, FollowIdTransformationAttribute.Keyword,
                CompletionResultType.ParameterValue, "The target process's id (the owner of /proc/PID), as nsenter -S/-G follow");
        }
    }
}

internal static class Completion
{
    internal static string Unquote(string word) => word.Trim('\'', '"');

    /// <summary>Quotes a value for the command line when it has characters PowerShell would split or expand.</summary>
    internal static string Quote(string value)
    {
        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c) || "'\"`$&@(){}[];,|<>#".Contains(c, StringComparison.Ordinal))
            {
                return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
            }
        }

        return value;
    }
}
