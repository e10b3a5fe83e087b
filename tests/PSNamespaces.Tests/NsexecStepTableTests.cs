using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using PSNamespaces.Core.Plans;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The exec helper's step table (steps[] in Native/nsexec.c) and the keywords C# writes into a
/// plan (LaunchStep.ArgumentCounts, which every step added to a LaunchPlan is checked against)
/// are the same set, with the same argument counts: a keyword only one side knows is a plan the
/// helper refuses with EINVAL, or a step it can never be asked for.
/// </summary>
public class NsexecStepTableTests
{
    private static string HelperSource([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "../../src/PSNamespaces/Native/nsexec.c"));

    /// <summary>The rows of the C table, keyword to argument count.</summary>
    internal static Dictionary<string, int> CTable()
    {
        string source = HelperSource();
        Match table = Regex.Match(source, @"static const struct step steps\[\] = \{(?<rows>.*?)\n\};", RegexOptions.Singleline);
        Assert.True(table.Success, "nsexec.c has no 'static const struct step steps[] = { ... };' table");
        var rows = new Dictionary<string, int>();
        foreach (Match row in Regex.Matches(table.Groups["rows"].Value, @"\{\s*""(?<keyword>[^""]+)"",\s*(?<count>\d+),\s*(?<run>\w+)\s*\}"))
        {
            Assert.True(rows.TryAdd(row.Groups["keyword"].Value, int.Parse(row.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture)),
                $"nsexec.c lists '{row.Groups["keyword"].Value}' twice");
            Assert.Contains("static void " + row.Groups["run"].Value + "(char **arg, int left)", source);
        }

        return rows;
    }

    [Fact]
    public void The_C_table_and_the_CSharp_keywords_are_the_same_set_with_the_same_argument_counts()
    {
        Dictionary<string, int> c = CTable();
        Assert.NotEmpty(c);
        Assert.Equal(
            new SortedDictionary<string, int>(c),
            new SortedDictionary<string, int>(new Dictionary<string, int>(LaunchStep.ArgumentCounts)));
    }

    [Fact]
    public void Every_step_the_header_comment_documents_is_in_the_table()
    {
        // " *   keyword ARG..." lines of the Steps section; "setgid GID / setuid UID" names two.
        string source = HelperSource();
        string steps = source[source.IndexOf(" * Steps", System.StringComparison.Ordinal)..source.IndexOf(" * Mount targets", System.StringComparison.Ordinal)];
        var documented = new HashSet<string>();
        foreach (Match line in Regex.Matches(steps, @"^ \*   (?<first>[a-z-]+)(?<rest>[^\n]*)", RegexOptions.Multiline))
        {
            documented.Add(line.Groups["first"].Value);
            Match second = Regex.Match(line.Groups["rest"].Value, @" / (?<second>[a-z-]+) ");
            if (second.Success)
            {
                documented.Add(second.Groups["second"].Value);
            }
        }

        Assert.Equal(new SortedSet<string>(CTable().Keys), new SortedSet<string>(documented));
    }
}
