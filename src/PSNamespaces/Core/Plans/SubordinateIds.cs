using System;
using System.Globalization;
using System.IO;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// The subordinate id ranges of /etc/subuid and /etc/subgid ("user:start:count" or
/// "uid:start:count"), which unshare --map-auto maps from id 0 in a new user namespace.
/// </summary>
internal static class SubordinateIds
{
    internal const string SubuidPath = "/etc/subuid";
    internal const string SubgidPath = "/etc/subgid";

    /// <summary>
    /// The user's first range in the file, as a map from inside id 0 (what unshare's
    /// --map-users=auto and --map-groups=auto do); null when no line names the user. Both files
    /// are keyed by the user, by name or by number, also /etc/subgid.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    internal static IdMapRange? FirstRange(string path, uint uid, string? userName)
    {
        foreach (string line in File.ReadLines(path))
        {
            string[] fields = line.Split(':');
            if (fields.Length != 3)
            {
                continue;
            }

            bool mine = (userName is not null && fields[0] == userName) ||
                        (uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint id) && id == uid);
            if (mine &&
                uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint start) &&
                uint.TryParse(fields[2].TrimEnd('\r'), NumberStyles.None, CultureInfo.InvariantCulture, out uint count) && count > 0)
            {
                return new IdMapRange(0, start, count);
            }
        }

        return null;
    }
}
