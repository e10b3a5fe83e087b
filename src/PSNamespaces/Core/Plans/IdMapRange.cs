using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// One line of /proc/PID/uid_map or gid_map (user_namespaces(7)): Count ids starting at Inside in
/// the new user namespace are Outside... in its parent.
/// </summary>
internal readonly record struct IdMapRange(uint Inside, uint Outside, uint Count)
{
    /// <summary>The kernel's limit on lines in one map (Linux 4.15+).</summary>
    internal const int MaxLines = 340;

    /// <summary>
    /// Parses "inside:outside:count" (the order of the map file; spaces may stand for the colons).
    /// </summary>
    /// <exception cref="ArgumentException">Not three numbers, or a range the kernel would refuse.</exception>
    internal static IdMapRange Parse(string text)
    {
        string[] parts = text.Trim().Split(new[] { ':', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 ||
            !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint inside) ||
            !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint outside) ||
            !uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count))
        {
            throw new ArgumentException($"'{text}' is not an id map range: expected 'inside:outside:count', three non-negative numbers, as in /proc/PID/uid_map.");
        }

        var range = new IdMapRange(inside, outside, count);
        if (count == 0)
        {
            throw new ArgumentException($"'{text}' maps no id: the count must be at least 1.");
        }

        // uint.MaxValue is (uid_t)-1, which is never a valid id.
        if ((ulong)inside + count > uint.MaxValue || (ulong)outside + count > uint.MaxValue)
        {
            throw new ArgumentException($"'{text}' goes past the largest id, {uint.MaxValue - 1}.");
        }

        return range;
    }

    /// <summary>Why the kernel would refuse a whole map (too many lines, overlapping ranges), or null.</summary>
    internal static string? Problem(IReadOnlyList<IdMapRange> map)
    {
        if (map.Count > MaxLines)
        {
            return $"An id map has at most {MaxLines} ranges.";
        }

        for (int i = 0; i < map.Count; i++)
        {
            for (int j = i + 1; j < map.Count; j++)
            {
                if (Overlap(map[i].Inside, map[j].Inside, map[i].Count, map[j].Count) ||
                    Overlap(map[i].Outside, map[j].Outside, map[i].Count, map[j].Count))
                {
                    return $"The id map ranges '{map[i]}' and '{map[j]}' overlap.";
                }
            }
        }

        return null;
    }

    private static bool Overlap(uint a, uint b, uint countA, uint countB) =>
        a < (ulong)b + countB && b < (ulong)a + countA;

    /// <summary>The map file's text: one "inside outside count" line per range, written in one write(2).</summary>
    internal static string Format(IReadOnlyList<IdMapRange> map)
    {
        var text = new StringBuilder();
        foreach (IdMapRange range in map)
        {
            text.Append(CultureInfo.InvariantCulture, $"{range.Inside} {range.Outside} {range.Count}\n");
        }

        return text.ToString();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Inside}:{Outside}:{Count}");
}
