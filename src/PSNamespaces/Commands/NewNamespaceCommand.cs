using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Creates new namespaces: persisted on a file or under a name (like unshare --net=FILE
/// and ip netns add), or with a program running inside them (like unshare).</para>
/// </summary>
/// <remarks>
/// One cmdlet, one file per way of creating: NewNamespaceCommand.Persist.cs (a file or a name holds
/// the namespace) and NewNamespaceCommand.Launch.cs (a program holds it).
/// </remarks>
[Cmdlet(VerbsCommon.New, "Namespace", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Namespace))]
public sealed partial class NewNamespaceCommand : NamespaceCmdlet
{
    private const string PathSet = "Path";
    private const string NameSet = "Name";
    private const string LaunchSet = "FilePath";

    /// <summary>The kinds of namespace to create.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public NamespaceType[] Type { get; set; } = System.Array.Empty<NamespaceType>();

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case LaunchSet:
                Launch();
                break;
            default:
                CreatePersistent();
                break;
        }
    }

    /// <summary>Runs a program in new namespaces (NewNamespaceCommand.Launch.cs).</summary>
    partial void Launch();
}
