using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using PSNamespaces.Core.Proc;
using PSNamespaces.Core.Plans;
using Tmds.Linux;

namespace PSNamespaces.Commands;

/// <summary>New-Namespace -FilePath: the id maps given as ranges, or taken from /etc/subuid and /etc/subgid.</summary>
public sealed partial class NewNamespaceCommand
{
    /// <summary>
    /// Maps the effective user's first range of /etc/subuid, and of /etc/subgid, from id 0 in a new
    /// user namespace (unshare --map-auto); -UidMap auto and -GidMap auto do one of them.
    /// </summary>
    [Parameter(ParameterSetName = LaunchSet)]
    public SwitchParameter MapAuto { get; set; }

    /// <summary>-UidMap or -GidMap as ranges ("inside:outside:count", unshare --map-users/--map-groups), or "auto".</summary>
    private List<IdMapRange>? ParseMap(string[]? lines, string parameter)
    {
        if (lines is null)
        {
            return null;
        }

        if (lines is [string only] && string.Equals(only.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            return AutoMap(parameter == nameof(UidMap) ? SubordinateIds.SubuidPath : SubordinateIds.SubgidPath);
        }

        var map = new List<IdMapRange>(lines.Length);
        foreach (string line in lines)
        {
            try
            {
                map.Add(IdMapRange.Parse(line ?? ""));
            }
            catch (ArgumentException ex)
            {
                Refuse("InvalidIdMap", $"-{parameter}: {ex.Message}");
            }
        }

        string? problem = map.Count == 0 ? "the map is empty." : IdMapRange.Problem(map);
        if (problem is not null)
        {
            Refuse("InvalidIdMap", $"-{parameter}: {problem}");
        }

        return map;
    }

    /// <summary>The effective user's first subordinate range of a file, mapped from id 0.</summary>
    private List<IdMapRange> AutoMap(string path)
    {
        uint euid = LibC.geteuid();
        string? name = new UserNameCache().Lookup(euid);
        IdMapRange? range = null;
        try
        {
            range = SubordinateIds.FirstRange(path, euid, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "SubordinateIdsUnreadable", ErrorCategory.ReadError, path));
        }

        if (range is not IdMapRange found)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException($"{path} has no range for user {name ?? "?"} ({euid}): add a line '{name ?? euid.ToString(System.Globalization.CultureInfo.InvariantCulture)}:START:COUNT' (usermod --add-subuids / --add-subgids)."),
                "NoSubordinateIds",
                ErrorCategory.ObjectNotFound,
                path));
            return null!;
        }

        return new List<IdMapRange> { found };
    }
}
