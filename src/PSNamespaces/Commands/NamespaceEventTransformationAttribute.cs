using System.Management.Automation;
using PSNamespaces.Core.Watch;

namespace PSNamespaces.Commands;

/// <summary>
/// Lets -Namespace take what Watch-Namespace writes: an event stands for its namespace. Without
/// it, PowerShell binds an event's Pid property to -Pid (the process that caused the event, in all
/// of its namespaces, not the one the event is about; and none at all for a mount's event).
/// Argument transformation runs before PowerShell's first, uncoerced binding of pipeline input
/// by value, which comes before any binding by property name, so the event's -Namespace wins.
/// </summary>
internal sealed class NamespaceEventTransformationAttribute : ItemTransformationAttribute
{
    protected override object? TransformItem(object? item) =>
        (item is PSObject pso ? pso.BaseObject : item) is NamespaceEvent ev ? ev.Namespace : DeserializedNamespaceOf(item) ?? item;

    /// <summary>
    /// The namespace of an event that went over the wire (remoting, Import-Clixml): the event is a
    /// property bag, its namespace already a Namespace (PSNamespaces.Types.ps1xml) or a bag too.
    /// </summary>
    internal static Namespace? DeserializedNamespaceOf(object? item)
    {
        if (item is not PSObject bag || bag.BaseObject is NamespaceEvent || !bag.TypeNames.Contains("Deserialized.PSNamespaces.NamespaceEvent"))
        {
            return null;
        }

        var converter = new DeserializedNamespaceConverter();
        return bag.Properties["Namespace"]?.Value switch
        {
            Namespace ns => ns,
            PSObject { BaseObject: Namespace ns } => ns,
            PSObject shipped when converter.CanConvertFrom(shipped, typeof(Namespace)) =>
                (Namespace)converter.ConvertFrom(shipped, typeof(Namespace), null!, true),
            _ => null,
        };
    }
}
