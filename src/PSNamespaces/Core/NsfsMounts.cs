using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace PSNamespaces.Core;

/// <summary>
/// nsfs bind mounts (what `unshare --net=FILE` and `ip netns add` make), from /proc/self/mountinfo.
/// The root field of such a mount is the namespace's identity ("net:[4026532400]"), so the
/// mount points holding a namespace are found without opening anything.
/// </summary>
internal static class NsfsMounts
{
    /// <summary>The mount points of nsfs mounts of the namespace with this identity ("net:[4026532400]").</summary>
    internal static List<string> Holding(string id)
    {
        var points = new List<string>();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            string[] fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (dash < 5 || dash + 1 >= fields.Length || fields[dash + 1] != "nsfs" || fields[3] != id)
            {
                continue;
            }

            points.Add(Unescape(fields[4]));
        }

        return points;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash in paths as \040, \011, \012, \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        byte[] raw = Encoding.UTF8.GetBytes(field);
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
