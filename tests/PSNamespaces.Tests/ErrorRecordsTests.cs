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
/// An id is listed where it is chosen: in the factory, or where an exception that carries one
/// (a constructor or method with an "errorId" parameter) is made; "function,ERRNO" ids come from
/// the failing call and are not listed.
/// </summary>
public class ErrorRecordsTests
{
    private const string Factory = "src/PSNamespaces/Commands/ErrorRecords.cs";

    /// <summary>The stable ids written as literals, in ordinal order.</summary>
    private static readonly string[] KnownIds =
    [
        "CgroupGone", "CgroupNotMounted", "CgroupNotReachable", "CgroupUnreadable", "ConflictingIdMaps", "ContainerAmbiguous", "ContainerNotFound", "DirectoryNotFound", "DuplicatePath",
        "DuplicateType", "GraphvizFailed", "GraphvizNotInstalled", "InvalidIdMap", "InvalidNamespaceName",
        "InvalidNamespaceTarget", "InvalidPath", "InvalidPidNamespace", "InvalidSignal", "InvalidWildcardPattern",
        "InvokeInNamespaceFailed", "LoopbackUpNeedsNewNet", "LoopbackUpWithUser", "MermaidNotRenderable",
        "NameNeedsNetType", "NamespaceChanged", "NamespaceExists", "NamespaceIdUnknown", "NamespaceNotFound", "NamespaceNotJoinable",
        "NamespaceWorkerFailed", "NestedInvokeInNamespace", "NetNsIdAssigned", "NetNsIdInUse", "NoNamespaceGiven",
        "NoNamespaceHolder", "NoNamespaceType", "NoSubordinateIds", "NotAFileSystemPath", "NotANamespace", "PathAndName",
        "PathCountMismatch", "PathExists", "PathIsDirectory", "PathIsSymbolicLink", "PidNamespaceEmpty",
        "PidNamespaceNeedsProcess", "PidNotInNamespace", "ProcOfAnotherPidNamespace", "ProcessNotFound", "SubordinateIdsUnreadable",
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
        // Where an id is chosen: the factory's constructions, and every method or constructor that
        // takes one (a factory method's "id", an exception's "errorId" that the factory copies).
        var takers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Type type in typeof(Namespace).Assembly.GetTypes())
        {
            const BindingFlags all = BindingFlags.Static | BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly;
            foreach (MethodBase method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                bool factory = type.FullName == "PSNamespaces.Commands.ErrorRecords";
                int index = Array.FindIndex(method.GetParameters(), p => (p.Name == "errorId" || (factory && p.Name == "id")) && p.ParameterType == typeof(string));
                if (index >= 0)
                {
                    // A constructor is called as "new Type(", a method by its name.
                    takers[method.IsConstructor ? "new " + type.Name : method.Name] = index;
                }
            }
        }

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
                    Collect(path, "new ErrorRecord", Arguments(code, m.Index + m.Length), 1, ids, hidden);
                }
            }

            foreach ((string taker, int index) in takers)
            {
                // A declaration ("Name(string id, ...") matches too; its argument is a parameter, skipped below.
                string call = taker.StartsWith("new ", StringComparison.Ordinal)
                    ? $@"\bnew\s+{taker[4..]}\("
                    : $@"(?<![\w]){taker}\(";
                foreach (Match m in Regex.Matches(code, call))
                {
                    List<string> args = Arguments(code, m.Index + m.Length);
                    if (args.Count > index && !Regex.IsMatch(args[index], @"^string\??\s"))
                    {
                        Collect(path, taker, args, index, ids, hidden);
                    }
                }
            }
        }

        Assert.True(hidden.Count == 0, "Ids this test cannot read (give the id as a literal where it is chosen):\n" + string.Join("\n", hidden));
        string[] added = ids.Except(KnownIds).ToArray();
        string[] gone = KnownIds.Except(ids).ToArray();
        Assert.True(added.Length == 0 && gone.Length == 0,
            $"Ids not in the list: {string.Join(", ", added)}\nListed ids no longer built: {string.Join(", ", gone)}");
    }

    /// <summary>
    /// The id at <paramref name="index"/>: a literal is listed; a name that passes on an id chosen
    /// elsewhere (the taker's own parameter, an exception's ErrorId, a "function,ERRNO" built from
    /// an ErrnoException) is not an id of its own; anything else cannot be read.
    /// </summary>
    private static void Collect(string path, string taker, List<string> args, int index, SortedSet<string> ids, List<string> hidden)
    {
        if (args.Count <= index)
        {
            return;
        }

        string argument = args[index];
        if (Literal(argument) is string id)
        {
            ids.Add(id);
        }
        else if (!Regex.IsMatch(argument, @"^(id|errorId|\w+\.ErrorId|\w+\.Function \+ "","" \+ \w+\.ErrnoName|""nsexec,"" \+ ex\.ErrnoName)$"))
        {
            hidden.Add($"{path}: {taker}({argument}, ...)");
        }
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
