using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Network;

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

/// <summary>
/// Completes interface names for Get-NamespaceInterface -InterfaceName: those of the named
/// network namespaces or processes already on the command line (-Name, -Pid, literal values
/// only), else of the session's own network namespace.
/// </summary>
public sealed class InterfaceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = Completion.Unquote(wordToComplete);
        var paths = new List<string>();
        foreach (object? value in Completion.Values(fakeBoundParameters, "Name"))
        {
            if (value is string name && NamespaceName.Problem(name) is null)
            {
                paths.Add(NamespaceName.PathOf(name));
            }
        }

        foreach (object? value in Completion.Values(fakeBoundParameters, "Pid"))
        {
            if (LanguagePrimitives.TryConvertTo(value, out int pid) && pid > 0)
            {
                paths.Add("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/ns/net");
            }
        }

        if (paths.Count == 0)
        {
            paths.Add("/proc/thread-self/ns/net");
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            try
            {
                using NamespaceFile netns = NamespaceFile.Open(path, NamespaceType.Net);
                if (netns.Type == NamespaceType.Net)
                {
                    names.UnionWith(InterfaceReader.Names(netns, path).FindAll(n => n.StartsWith(typed, StringComparison.Ordinal)));
                }
            }
            catch (Exception ex) when (ex is Interop.ErrnoException or NotANamespaceException)
            {
                // Nothing to offer from a namespace that cannot be read.
            }
        }

        foreach (string name in names)
        {
            yield return new CompletionResult(Completion.Quote(name), name, CompletionResultType.ParameterValue, name);
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

    /// <summary>The values a parameter has on the command line so far (one value or an array); none when it is not there.</summary>
    internal static IEnumerable<object?> Values(IDictionary fakeBoundParameters, string name)
    {
        if (!fakeBoundParameters.Contains(name))
        {
            yield break;
        }

        object? value = fakeBoundParameters[name];
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }

        if (value is IEnumerable many and not string)
        {
            foreach (object? each in many)
            {
                yield return each is PSObject inner ? inner.BaseObject : each;
            }
        }
        else
        {
            yield return value;
        }
    }
}
