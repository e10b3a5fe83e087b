using System.Management.Automation;

namespace EmptyModule;

/// <summary>The one cmdlet of benchmark C0's empty module: writes 1, so a run can check it ran.</summary>
[Cmdlet(VerbsCommon.Get, "Empty")]
[OutputType(typeof(int))]
public sealed class GetEmptyCommand : PSCmdlet
{
    /// <summary>Writes 1.</summary>
    protected override void ProcessRecord() => WriteObject(1);
}
