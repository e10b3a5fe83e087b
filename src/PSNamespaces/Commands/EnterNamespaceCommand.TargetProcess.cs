using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Commands;

/// <summary>What the options that take something of the target process resolved to, for one target.</summary>
internal readonly record struct ProcessOptionValues(bool FollowUserId, bool FollowGroupId, IReadOnlyList<string>? CgroupProcsFiles);

// Enter-Namespace's options that take something of the target process besides its namespaces:
// its uid and gid (-UserId/-GroupId follow), its environment, its cgroups (nsenter -S follow,
// -G follow, --env, --join-cgroup). They need a process, so -Pid or -Container.
public sealed partial class EnterNamespaceCommand
{
    /// <summary>The program gets the target process's environment (/proc/PID/environ) instead of
    /// pwsh's (nsenter --env). Needs -Pid or -Container.</summary>
    [Parameter]
    public SwitchParameter UseTargetEnvironment { get; set; }

    /// <summary>Moves the program into the target process's cgroups before it joins any namespace
    /// (nsenter --join-cgroup): cgroup v2, and on a hybrid or v1 system every mounted v1
    /// hierarchy too. Needs -Pid or -Container.</summary>
    [Parameter]
    public SwitchParameter JoinCgroup { get; set; }

    private bool FollowUserId => UserId == FollowIdTransformationAttribute.Follow;

    private bool FollowGroupId => GroupId == FollowIdTransformationAttribute.Follow;

    /// <summary>These options read the target process's files, so a target that is no process is refused at once.</summary>
    protected override void BeginProcessing()
    {
        var asked = new List<string>();
        if (FollowUserId)
        {
            asked.Add("-UserId follow");
        }

        if (FollowGroupId)
        {
            asked.Add("-GroupId follow");
        }

        if (UseTargetEnvironment)
        {
            asked.Add("-UseTargetEnvironment");
        }

        if (JoinCgroup)
        {
            asked.Add("-JoinCgroup");
        }

        if (asked.Count > 0 && ParameterSetName is not (PidSet or ContainerSet))
        {
            object target = ParameterSetName switch
            {
                PathSet => Path.Length == 1 ? Path[0] : Path,
                NameSet => Name.Length == 1 ? Name[0] : Name,
                _ => Namespace,
            };
            ThrowTerminatingError(ErrorRecords.InvalidArgument(
                "TargetProcessRequired",
                $"{string.Join(", ", asked)} take{(asked.Count == 1 ? "s" : string.Empty)} the credentials, environment or cgroups of a process: name it with -Pid or -Container (namespace files and names have no process).",
                target));
        }
    }

    /// <summary>The target process's cgroups to join, found from pwsh's view; null (the error written) when they cannot be.</summary>
    private ProcessOptionValues? ProcessOptions(NamespaceTarget namespaces, object input)
    {
        List<string>? cgroups = null;
        if (JoinCgroup)
        {
            var skipped = new List<string>();
            try
            {
                cgroups = CgroupJoin.ProcsFiles(namespaces.Pid!.Value, skipped);
            }
            catch (CgroupJoinException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ex.ErrorId == "CgroupUnreadable" ? ErrorCategory.ReadError : ErrorCategory.ObjectNotFound, input));
                return null;
            }

            if (skipped.Count > 0)
            {
                WriteVerbose($"Not mounted in this mount namespace, so not joined: {string.Join(", ", skipped)}.");
            }
        }

        return new ProcessOptionValues(FollowUserId, FollowGroupId, cgroups);
    }
}
