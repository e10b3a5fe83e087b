using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// Who launches, as the plans need it: pwsh's PID (the parent a parent-death signal checks, the
/// /proc/PID/fd/N its descriptors are reopened through), its effective ids (what -MapRootUser
/// maps, whether joining a user namespace gains or gives up rights) and the location the program
/// starts in. Plain values, so a plan can be built for any caller in a test.
/// </summary>
internal sealed record LaunchCaller(int Pid, uint Euid, uint Egid, string Directory)
{
    /// <summary>This pwsh, with the session's current file system location.</summary>
    internal static LaunchCaller Current(string directory) =>
        new(System.Environment.ProcessId, LibC.geteuid(), LibC.getegid(), directory);
}
