using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace PSNamespaces.Tests;

/// <summary>
/// A parser for the part of Mermaid's flowchart grammar the module writes, written from
/// Mermaid's flowchart syntax documentation (not from our writer): a header "flowchart DIR";
/// node statements ID["label"] and ID(["label"]); "subgraph ID["label"]" … "end", balanced;
/// edges ID -->|label| ID and ID -.->|label| ID between declared nodes. IDs are
/// [A-Za-z0-9_]+ and not a keyword; inside a quoted label there is no raw '"' and every '#'
/// starts an entity "#name;" or "#digits;".
/// </summary>
internal static class MermaidGrammar
{
    private const string IdPattern = "[A-Za-z0-9_]+";
    private const string LabelPattern = "\"(?<label>[^\"]*)\"";

    private static readonly Regex s_header = new(@"^flowchart (TB|TD|BT|RL|LR)$");
    private static readonly Regex s_node = new($@"^(?<id>{IdPattern})(\[{LabelPattern}\]|\(\[{LabelPattern}\]\))$");
    private static readonly Regex s_subgraph = new($@"^subgraph (?<id>{IdPattern})\[{LabelPattern}\]$");
    private static readonly Regex s_edge = new($@"^(?<from>{IdPattern}) (-->|-\.->)\|{LabelPattern}\| (?<to>{IdPattern})$");
    private static readonly Regex s_entity = new("#([A-Za-z]+|[0-9]+);");
    private static readonly HashSet<string> s_keywords = new(StringComparer.OrdinalIgnoreCase) { "end", "subgraph", "graph", "flowchart", "style", "class", "classDef", "click", "linkStyle" };

    /// <summary>The node ids (subgraphs excluded) and labels as Mermaid would show them; throws on the first line outside the grammar.</summary>
    internal static Dictionary<string, string> Parse(string text)
    {
        string[] lines = text.TrimEnd('\n').Split('\n');
        if (!s_header.IsMatch(lines[0]))
        {
            throw new FormatException($"line 1: not a flowchart header: {lines[0]}");
        }

        var nodes = new Dictionary<string, string>();
        var edges = new List<(string From, string To, int Line)>();
        var declared = new HashSet<string>();
        int depth = 0;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            Match m;
            if (line == "end")
            {
                if (--depth < 0)
                {
                    throw new FormatException($"line {i + 1}: end without subgraph");
                }
            }
            else if ((m = s_subgraph.Match(line)).Success)
            {
                Declare(m.Groups["id"].Value, i);
                Label(m, i);
                depth++;
            }
            else if ((m = s_node.Match(line)).Success)
            {
                string id = m.Groups["id"].Value;
                Declare(id, i);
                nodes[id] = Label(m, i);
            }
            else if ((m = s_edge.Match(line)).Success)
            {
                Label(m, i);
                edges.Add((m.Groups["from"].Value, m.Groups["to"].Value, i + 1));
            }
            else
            {
                throw new FormatException($"line {i + 1}: no rule matches: {line}");
            }
        }

        if (depth != 0)
        {
            throw new FormatException($"{depth} subgraph(s) not ended");
        }

        foreach ((string from, string to, int line) in edges)
        {
            if (!nodes.ContainsKey(from) || !nodes.ContainsKey(to))
            {
                throw new FormatException($"line {line}: edge between undeclared nodes {from}, {to}");
            }
        }

        return nodes;

        void Declare(string id, int i)
        {
            if (s_keywords.Contains(id) || !declared.Add(id))
            {
                throw new FormatException($"line {i + 1}: id {id} is a keyword or declared twice");
            }
        }
    }

    /// <summary>The label with its entities decoded; throws on a '#' that starts none.</summary>
    private static string Label(Match m, int i)
    {
        string raw = m.Groups["label"].Value;
        string withoutEntities = s_entity.Replace(raw, "");
        if (withoutEntities.Contains('#'))
        {
            throw new FormatException($"line {i + 1}: '#' that starts no entity in {raw}");
        }

        return s_entity.Replace(raw, e => int.TryParse(e.Groups[1].Value, out int code) ? char.ConvertFromUtf32(code) : e.Value)
            .Replace("<br/>", "\n", StringComparison.Ordinal);
    }
}
