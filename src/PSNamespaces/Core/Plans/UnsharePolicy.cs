using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// New-Namespace -FilePath's option policy, as unshare(1) has it: which id maps win, which kinds
/// the options imply, the signal of -KillChild, and what -Path/-Name persist. Everything is
/// checked here, before anything is created.
/// </summary>
internal static class UnsharePolicy
{
    /// <exception cref="LaunchOptionException">The options contradict each other or name what does not exist.</exception>
    internal static UnshareSettings Resolve(UnshareOptions options, LaunchCaller caller)
    {
        (IReadOnlyList<NamespaceType>? persistTypes, IReadOnlyList<string>? persistFiles) = PersistTargets(options);
        int both = (options.MapRootUser ? 1 : 0) + (options.MapCurrentUser ? 1 : 0) + (options.MapAuto ? 1 : 0);
        int uidSources = both + (options.MapUser is null ? 0 : 1) + (options.UidMap is null ? 0 : 1);
        int gidSources = both + (options.MapGroup is null ? 0 : 1) + (options.GidMap is null ? 0 : 1);
        if (uidSources > 1 || gidSources > 1)
        {
            throw Refused(options, "ConflictingIdMaps", "Give at most one uid map and one gid map: -MapRootUser, -MapCurrentUser and -MapAuto set both, -MapUser and -UidMap the uid map, -MapGroup and -GidMap the gid map.");
        }

        IReadOnlyList<IdMapRange>? uidMap = null, gidMap = null;
        SetGroupsMode? setGroups = options.SetGroups;
        if (options.MapAuto)
        {
            uidMap = AutoMap(options.SubuidPath, caller.Euid);
            gidMap = AutoMap(options.SubgidPath, caller.Euid);
        }

        if (options.MapRootUser || options.MapCurrentUser)
        {
            uidMap = new[] { new IdMapRange(options.MapRootUser ? 0 : caller.Euid, caller.Euid, 1) };
            gidMap = new[] { new IdMapRange(options.MapRootUser ? 0 : caller.Egid, caller.Egid, 1) };
            // An unprivileged gid map needs setgroups denied first (unshare -r and -c imply it).
            setGroups ??= SetGroupsMode.Deny;
        }

        if (options.MapUser is uint mappedUid)
        {
            uidMap = new[] { new IdMapRange(mappedUid, caller.Euid, 1) };
        }

        if (options.MapGroup is uint mappedGid)
        {
            gidMap = new[] { new IdMapRange(mappedGid, caller.Egid, 1) };
            setGroups ??= SetGroupsMode.Deny;
        }

        uidMap ??= ParseMap(options, options.UidMap, "UidMap", options.SubuidPath, caller.Euid);
        gidMap ??= ParseMap(options, options.GidMap, "GidMap", options.SubgidPath, caller.Euid);

        var types = new HashSet<NamespaceType>(options.Types);
        if (uidMap is not null || gidMap is not null || setGroups is not null)
        {
            types.Add(NamespaceType.User);
        }

        if (options.MonotonicOffset is not null || options.BoottimeOffset is not null)
        {
            types.Add(NamespaceType.Time);
        }

        if (options.MountProc)
        {
            types.Add(NamespaceType.Mount);
        }

        if (types.Count == 0)
        {
            throw Refused(options, "NoNamespaceType", "Give at least one kind of namespace with -Type.");
        }

        return new UnshareSettings
        {
            Options = options,
            Caller = caller,
            Types = types.OrderBy(t => t).ToArray(),
            UidMap = uidMap,
            GidMap = gidMap,
            SetGroups = setGroups,
            KillSignal = options.KillChildSignal is string signal ? SignalNumber(signal) : options.KillChild ? LibC.SIGKILL : 0,
            PersistTypes = persistTypes,
            PersistFiles = persistFiles,
        };
    }

    private static LaunchOptionException Refused(UnshareOptions options, string errorId, string message) =>
        new(errorId, message, options.FilePath);

    /// <summary>
    /// The kinds to persist and where: one -Path per -Type, or with -Name the one network
    /// namespace on /run/netns/NAME; (null, null) without either.
    /// </summary>
    private static (IReadOnlyList<NamespaceType>?, IReadOnlyList<string>?) PersistTargets(UnshareOptions options)
    {
        if (options.PersistPaths is not null && options.PersistNames is not null)
        {
            throw Refused(options, "PathAndName", "Give -Path or -Name, not both: -Name binds the network namespace on /run/netns/NAME, -Path one file for each -Type.");
        }

        if (options.PersistPaths is IReadOnlyList<string> paths)
        {
            if (paths.Count != options.Types.Count || options.Types.Distinct().Count() != options.Types.Count)
            {
                throw Refused(options, "PathCountMismatch", $"Give one -Path for each -Type, in the same order, and each type once: {options.Types.Count} types, {paths.Count} paths.");
            }

            return (options.Types, paths);
        }

        if (options.PersistNames is not IReadOnlyList<string> names)
        {
            return (null, null);
        }

        if (names.Count != 1 || !options.Types.Contains(NamespaceType.Net))
        {
            throw Refused(options, "NameNeedsNetType", "With -FilePath, -Name takes one name and -Type must include Net: the new network namespace is bound on /run/netns/NAME.");
        }

        string? problem = NamespaceName.ProblemForNew(names[0]);
        if (problem is not null)
        {
            throw new LaunchOptionException("InvalidNamespaceName", problem, names[0]);
        }

        return (new[] { NamespaceType.Net }, new[] { NamespaceName.PathOf(names[0]) });
    }

    /// <summary>-UidMap or -GidMap as ranges ("inside:outside:count", unshare --map-users/--map-groups), or "auto".</summary>
    private static IReadOnlyList<IdMapRange>? ParseMap(UnshareOptions options, IReadOnlyList<string>? lines, string parameter, string autoPath, uint euid)
    {
        if (lines is null)
        {
            return null;
        }

        if (lines is [string only] && string.Equals(only.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            return AutoMap(autoPath, euid);
        }

        var map = new List<IdMapRange>(lines.Count);
        foreach (string line in lines)
        {
            try
            {
                map.Add(IdMapRange.Parse(line ?? ""));
            }
            catch (ArgumentException ex)
            {
                throw Refused(options, "InvalidIdMap", $"-{parameter}: {ex.Message}");
            }
        }

        string? problem = map.Count == 0 ? "the map is empty." : IdMapRange.Problem(map);
        if (problem is not null)
        {
            throw Refused(options, "InvalidIdMap", $"-{parameter}: {problem}");
        }

        return map;
    }

    /// <summary>The effective user's first subordinate range of a file, mapped from id 0 (unshare --map-auto).</summary>
    private static IReadOnlyList<IdMapRange> AutoMap(string path, uint euid)
    {
        string? name = new UserNameCache().Lookup(euid);
        IdMapRange? range;
        try
        {
            range = SubordinateIds.FirstRange(path, euid, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LaunchOptionException("SubordinateIdsUnreadable", ex.Message, path, LaunchOptionProblem.Unreadable, ex);
        }

        if (range is not IdMapRange found)
        {
            string user = name ?? euid.ToString(CultureInfo.InvariantCulture);
            throw new LaunchOptionException("NoSubordinateIds",
                $"{path} has no range for user {name ?? "?"} ({euid}): add a line '{user}:START:COUNT' (usermod --add-subuids / --add-subgids).",
                path, LaunchOptionProblem.NotFound);
        }

        return new[] { found };
    }

    private static int SignalNumber(string text)
    {
        int signal = SignalName.Parse(text);
        if (signal == 0)
        {
            throw new LaunchOptionException("InvalidSignal", $"-KillChildSignal: '{text}' is not a signal name (such as SIGTERM or TERM) or number.", text);
        }

        return signal;
    }
}
