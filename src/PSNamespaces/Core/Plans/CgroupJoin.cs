using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using PSNamespaces.Core.Inventory;

namespace PSNamespaces.Core.Plans;

/// <summary>Why a process's cgroup cannot be joined; <see cref="ErrorId"/> is the ErrorRecord's id.</summary>
internal sealed class CgroupJoinException : Exception
{
    internal CgroupJoinException(string errorId, string message)
        : base(message) => ErrorId = errorId;

    internal string ErrorId { get; }
}

/// <summary>
/// nsenter --join-cgroup: the cgroup.procs files to write "0" into so the program lands in the
/// target's cgroups. nsenter takes the first line of /proc/PID/cgroup and /sys/fs/cgroup, so it
/// works only where cgroup v2 is mounted there alone. Here every line is matched with the mount
/// of its hierarchy in the caller's mount table: the v2 line ("0::PATH") with a cgroup2 mount
/// wherever it is (/sys/fs/cgroup/unified on a hybrid system), and each v1 line with the cgroup
/// mount whose super options name its first controller (a controller is in one hierarchy only).
/// A hierarchy mounted nowhere is left out; one whose mounts all show a subtree not holding the
/// target's cgroup is an error, as is a target none of whose hierarchies is mounted.
/// </summary>
internal static class CgroupJoin
{
    /// <summary>One hierarchy's line of /proc/PID/cgroup: "" for v2, else its controllers' first name.</summary>
    private readonly record struct Membership(string Controller, string Path);

    /// <summary>One mount: the subtree it shows (ROOT) and where; Version2 null for a mount of no cgroup filesystem.</summary>
    private sealed record CgroupMount(bool? Version2, string[] SuperOptions, string Root, string MountPoint);

    /// <summary>The cgroup.procs files of a process's cgroups, v2 first; reads /proc/PID/cgroup and pwsh's mountinfo.</summary>
    /// <param name="pid">The process, as pwsh's /proc shows it.</param>
    /// <param name="skipped">Hierarchies left out because no mount shows them, for a verbose message.</param>
    internal static List<string> ProcsFiles(int pid, List<string> skipped)
    {
        string cgroup;
        try
        {
            cgroup = File.ReadAllText($"/proc/{pid}/cgroup");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CgroupJoinException("CgroupUnreadable", $"The cgroups of process {pid} cannot be read from /proc/{pid}/cgroup: {ex.Message}");
        }

        return ProcsFiles(pid, cgroup, File.ReadAllLines("/proc/self/mountinfo"), skipped);
    }

    /// <summary>The same from the texts of /proc/PID/cgroup and mountinfo (for unit tests).</summary>
    internal static List<string> ProcsFiles(int pid, string cgroupText, IEnumerable<string> mountinfo, List<string> skipped)
    {
        // A mount is hidden by a later one on the same mount point: only the topmost shows files.
        var mounts = new List<CgroupMount>();
        var topmost = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string line in mountinfo)
        {
            if (ParseMount(line) is CgroupMount mount)
            {
                topmost[mount.MountPoint] = mounts.Count;
                mounts.Add(mount);
            }
        }

        mounts = mounts.FindAll(m => m.Version2 is not null && mounts[topmost[m.MountPoint]].Equals(m));

        var files = new List<string>();
        foreach (Membership membership in ParseMemberships(cgroupText))
        {
            string name = membership.Controller.Length == 0 ? "cgroup v2" : "cgroup v1 " + membership.Controller;
            if (membership.Path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                throw new CgroupJoinException("CgroupGone", $"The {name} cgroup of process {pid} ({membership.Path}) was removed.");
            }

            bool mounted = false;
            string? file = null;
            foreach (CgroupMount mount in mounts)
            {
                if (!Holds(mount, membership))
                {
                    continue;
                }

                mounted = true;
                if (Below(membership.Path, mount.Root) is string relative)
                {
                    file = mount.MountPoint.TrimEnd('/') + relative.TrimEnd('/') + "/cgroup.procs";
                    break;
                }
            }

            if (file is not null)
            {
                files.Add(file);
            }
            else if (mounted)
            {
                throw new CgroupJoinException("CgroupNotReachable", $"The {name} cgroup of process {pid} ({membership.Path}) is outside every mount of that hierarchy in this mount namespace, so it cannot be joined.");
            }
            else
            {
                skipped.Add(name);
            }
        }

        if (files.Count == 0)
        {
            throw new CgroupJoinException("CgroupNotMounted", $"No cgroup hierarchy of process {pid} is mounted in this mount namespace (mount -t cgroup2 none /sys/fs/cgroup), so its cgroup cannot be joined.");
        }

        // v2 first: on a hybrid system it is the one the machine's manager tracks processes by.
        return files;
    }

    private static IEnumerable<Membership> ParseMemberships(string text)
    {
        var v1 = new List<Membership>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "ID:CONTROLLERS:PATH"; the path may itself hold ':'.
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                yield return new Membership(string.Empty, parts[2]);
            }
            else if (parts[1].Length > 0)
            {
                v1.Add(new Membership(parts[1].Split(',')[0], parts[2]));
            }
        }

        foreach (Membership membership in v1)
        {
            yield return membership;
        }
    }

    private static bool Holds(CgroupMount mount, Membership membership) =>
        membership.Controller.Length == 0 ? mount.Version2 == true : mount.Version2 == false && Array.IndexOf(mount.SuperOptions, membership.Controller) >= 0;

    /// <summary>The path below a mount's root, starting with '/'; null when the root does not hold it.</summary>
    private static string? Below(string path, string root)
    {
        if (root == "/")
        {
            return path;
        }

        if (path == root)
        {
            return "/";
        }

        return path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : null;
    }

    /// <summary>"ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".</summary>
    private static CgroupMount? ParseMount(string line)
    {
        string[] fields = line.Split(' ');
        int dash = Array.IndexOf(fields, "-");
        if (dash < 5 || dash + 1 >= fields.Length)
        {
            return null;
        }

        string type = fields[dash + 1];
        bool? version2 = type switch { "cgroup2" => true, "cgroup" => false, _ => null };
        string[] superOptions = dash + 3 < fields.Length ? fields[dash + 3].Split(',') : Array.Empty<string>();
        return new CgroupMount(version2, superOptions, Unescape(fields[3]), Unescape(fields[4]));
    }

    private static string Unescape(string field) => NsfsMounts.Unescape(Encoding.UTF8.GetBytes(field));
}
