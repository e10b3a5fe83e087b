using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// Every ErrorRecord is built by the error factory, Commands/ErrorRecords.cs, so each id, category
/// and target rule lives in one place; and the ids it builds are listed here, because scripts
/// match on them (`$_.FullyQualifiedErrorId`): a new or renamed id is a change a reviewer sees.
/// Ids made from an exception at run time ("function,ERRNO" from ErrnoException, a
/// CgroupJoinException's ErrorId) are the exception's and not listed.
/// </summary>
public class ErrorRecordsTests
{
    private const string Factory = "src/PSNamespaces/Commands/ErrorRecords.cs";

    /// <summary>The stable ids written as literals, in ordinal order.</summary>
    private static readonly string[] KnownIds =
    [
        "ConflictingIdMaps", "ContainerAmbiguous", "ContainerNotFound", "DirectoryNotFound", "DuplicatePath",
        "DuplicateType", "GraphvizFailed", "GraphvizNotInstalled", "InvalidIdMap", "InvalidNamespaceName",
        "InvalidNamespaceTarget", "InvalidPath", "InvalidPidNamespace", "InvalidSignal", "InvalidWildcardPattern",
        "InvokeInNamespaceFailed", "LoopbackUpNeedsNewNet", "LoopbackUpWithUser", "MermaidNotRenderable",
        "NameNeedsNetType", "NamespaceChanged", "NamespaceExists", "NamespaceNotFound", "NamespaceNotJoinable",
        "NamespaceWorkerFailed", "NestedInvokeInNamespace", "NetNsIdAssigned", "NetNsIdInUse", "NoNamespaceGiven",
        "NoNamespaceType", "NoSubordinateIds", "NotAFileSystemPath", "NotANamespace", "PathAndName",
        "PathCountMismatch", "PathExists", "PathIsDirectory", "PathIsSymbolicLink", "PidNamespaceEmpty",
        "PidNamespaceNeedsProcess", "PidNotInNamespace", "ProcessNotFound", "SubordinateIdsUnreadable",
        "TargetProcessRequired", "ValueNotPassable", "WrongNamespaceType", "unlink,EBUSY",
    ];

    [Fact]
    public void Only_the_factory_builds_an_ErrorRecord()
    {
        var elsewhere = SourceFiles()
            .Where(f => f.Path != Factory && f.Text.Contains("new ErrorRecord(", StringComparison.Ordinal))
            .Select(f => $"{f.Path} ({Regex.Count(f.Text, @"new ErrorRecord\(")})")
            .ToList();
        Assert.True(elsewhere.Count == 0, "new ErrorRecord( outside " + Factory + ":\n" + string.Join("\n", elsewhere));
    }

    [Fact]
    public void The_factory_builds_the_listed_ids()
    {
        Type factory = typeof(Namespace).Assembly.GetType("PSNamespaces.Commands.ErrorRecords", throwOnError: true)!;
        // The factory methods that take the id from their caller, and at which argument.
        var idArgument = factory.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (m.Name, Index: Array.FindIndex(m.GetParameters(), p => p.Name == "id" && p.ParameterType == typeof(string))))
            .Where(m => m.Index >= 0)
            .ToDictionary(m => m.Name, m => m.Index);

        var ids = new SortedSet<string>(StringComparer.Ordinal);
        var hidden = new List<string>();
        foreach ((string path, string text) in SourceFiles())
        {
            string code = WithoutComments(text);
            if (path == Factory)
            {
                // new ErrorRecord(exception, ID, category, target) or a target-typed new( of the same.
                foreach (Match m in Regex.Matches(code, @"new ErrorRecord\(|\bnew\("))
                {
                    List<string> args = Arguments(code, m.Index + m.Length);
                    if (args.Count == 4 && Literal(args[1]) is string id)
                    {
                        ids.Add(id);
                    }
                }
            }

            foreach ((string method, int index) in idArgument)
            {
                // Inside the factory a call is unqualified; its declaration ("ErrorRecord Name(string id") is not a call.
                string call = path == Factory ? $@"(?<!ErrorRecord\s+)(?<![\w.]){method}\(" : $@"\bErrorRecords\.{method}\(";
                foreach (Match m in Regex.Matches(code, call))
                {
                    string argument = Arguments(code, m.Index + m.Length)[index];
                    if (Literal(argument) is string id)
                    {
                        ids.Add(id);
                    }
                    else
                    {
                        hidden.Add($"{path}: {method}({argument}, ...)");
                    }
                }
            }
        }

        Assert.True(hidden.Count == 0, "Ids this test cannot read (give the id as a literal where the record is asked for):\n" + string.Join("\n", hidden));
        Assert.Equal(KnownIds, ids.ToArray());
    }

    /// <summary>The C# files under src/ (not bin/ or obj/), paths relative to the repository with '/'.</summary>
    private static IEnumerable<(string Path, string Text)> SourceFiles()
    {
        string root = RoomDependencyTests.SourceRoot();
        return Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(Path.Combine(root, f))));
    }

    /// <summary>The text with // comments blanked (so a documented example id is not taken for one).</summary>
    private static string WithoutComments(string text) =>
        Regex.Replace(text, @"^\s*//.*$", "", RegexOptions.Multiline);

    /// <summary>The value of a plain string literal, or null for any other expression.</summary>
    private static string? Literal(string argument)
    {
        Match m = Regex.Match(argument, @"^""([^""\\]*)""$");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The top-level arguments of the call whose '(' ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string code, int start)
    {
        var args = new List<string>();
        int depth = 0;
        int from = start;
        for (int i = start; i < code.Length; i++)
        {
            char c = code[i];
            if (c is '"' or '\'')
            {
                // Skip the literal; an interpolation hole's own quotes are rare enough in calls to the factory.
                for (i++; i < code.Length && code[i] != c; i++)
                {
                    if (code[i] == '\\')
                    {
                        i++;
                    }
                }
            }
            else if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (depth == 0)
                {
                    args.Add(code[from..i].Trim());
                    return args;
                }

                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                args.Add(code[from..i].Trim());
                from = i + 1;
            }
        }

        throw new InvalidOperationException("Unbalanced call at " + start);
    }
}
