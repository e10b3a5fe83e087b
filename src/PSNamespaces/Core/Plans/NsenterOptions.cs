using System;
using System.Collections.Generic;
using System.IO;

namespace PSNamespaces.Core.Plans;

/// <summary>What Enter-Namespace was given, parameter for parameter (the options of nsenter(1) and ip netns exec).</summary>
internal sealed class NsenterOptions
{
    /// <summary>The namespaces to join, already selected by kind.</summary>
    internal required JoinTarget Target { get; init; }

    internal required string FilePath { get; init; }

    internal IReadOnlyList<string> ArgumentList { get; init; } = Array.Empty<string>();

    /// <summary>With -Name: the named network namespace the target is, entered as ip netns exec does.</summary>
    internal string? NetnsName { get; init; }

    internal string? Root { get; init; }

    internal string? WorkingDirectory { get; init; }

    /// <summary>-UserId as a number (null when not given or 'follow').</summary>
    internal uint? UserId { get; init; }

    internal uint? GroupId { get; init; }

    /// <summary>Set the uid to the target process's (nsenter -S follow); needs <see cref="JoinTarget.Pid"/>.</summary>
    internal bool FollowUserId { get; init; }

    /// <summary>Set the gid to the target process's (nsenter -G follow).</summary>
    internal bool FollowGroupId { get; init; }

    /// <summary>Keep uid, gid and groups when entering a user namespace (nsenter --preserve-credentials).</summary>
    internal bool PreserveCredentials { get; init; }

    /// <summary>Give the program the target process's environment (nsenter --env).</summary>
    internal bool TargetEnvironment { get; init; }

    /// <summary>The cgroup.procs files of the target's cgroups to join (nsenter --join-cgroup), or null.</summary>
    internal IReadOnlyList<string>? CgroupProcsFiles { get; init; }

    /// <summary>Read the program's namespaces before its exec (-PassThru, -NoWait).</summary>
    internal bool ReadNamespaces { get; init; }
}

/// <summary>What the system says that an Enter-Namespace plan depends on, read once before it is built.</summary>
internal sealed class NsenterFacts
{
    /// <summary>The target process's user namespace allows setgroups(2) (/proc/PID/setgroups is "allow").</summary>
    internal bool TargetSetgroupsAllowed { get; init; }

    /// <summary>For ip netns exec: the /etc/netns/NAME files to bind over /etc.</summary>
    internal IReadOnlyList<EtcBind> EtcBinds { get; init; } = Array.Empty<EtcBind>();

    /// <summary>The /etc files that /etc/netns/NAME has but /etc lacks: not bound (iproute2 warns).</summary>
    internal IReadOnlyList<string> UnboundEtcFiles { get; init; } = Array.Empty<string>();

    /// <summary>/sys is a mount point of its own, so it can be unmounted before the fresh one.</summary>
    internal bool SysIsMounted { get; init; }

    /// <summary>What holds /sys is read-only.</summary>
    internal bool SysReadOnly { get; init; }

    /// <summary>Reads what the options need: setgroups for a user namespace joined with credentials, /etc/netns and /sys for a named netns.</summary>
    internal static NsenterFacts Read(NsenterOptions options)
    {
        bool setgroups = options.Target.Pid is int pid && options.Target.Has(NamespaceType.User) && SetgroupsAllowed(pid);
        if (options.NetnsName is not string name)
        {
            return new NsenterFacts { TargetSetgroupsAllowed = setgroups };
        }

        var missing = new List<string>();
        List<EtcBind> binds = NetnsExec.EtcBinds(name, missing);
        return new NsenterFacts
        {
            TargetSetgroupsAllowed = setgroups,
            EtcBinds = binds,
            UnboundEtcFiles = missing,
            SysIsMounted = NetnsExec.SysIsMounted(),
            SysReadOnly = NetnsExec.SysReadOnly(),
        };
    }

    private static bool SetgroupsAllowed(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/setgroups").Trim() == "allow";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
