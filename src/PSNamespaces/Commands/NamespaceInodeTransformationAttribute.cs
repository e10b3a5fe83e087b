using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Watch;

namespace PSNamespaces.Commands;

/// <summary>
/// Lets an inode parameter take a namespace however the user holds it: a number (a Parent or
/// Owner id), the kernel's text ("net:[4026531840]", a Namespace's Id, readlink's output), a
/// Namespace object itself, also one back from remoting, or a Watch-Namespace event. Anything
/// else is passed on unchanged, for PowerShell's own conversion to report.
/// </summary>
internal sealed class NamespaceInodeTransformationAttribute : ItemTransformationAttribute
{
    protected override object? TransformItem(object? item)
    {
        switch (item is PSObject pso ? pso.BaseObject : item)
        {
            case Namespace ns:
                return ns.Inode;
            case NamespaceEvent ev:
                return ev.Namespace.Inode;
            case string text when text.Contains('[', StringComparison.Ordinal):
                ulong inode = Nsfs.ParseInode(Encoding.UTF8.GetBytes(text.Trim()));
                return inode != 0 ? inode : text;
            // PowerShell would round a fraction to the nearest whole number: another inode, so
            // another namespace. An inode is whole or it is no inode.
            case object number when IsFraction(number):
                throw new ArgumentTransformationMetadataException(
                    $"'{Convert.ToString(item is PSObject q ? q.BaseObject : item, CultureInfo.InvariantCulture)}' is not an inode: an inode is a whole number, and rounding would name another namespace.");
            default:
                // A deserialized Namespace (remoting, Import-Clixml) keeps its Inode as a note property.
                if (item is PSObject shaped && shaped.Properties["Inode"]?.Value is object inodeValue &&
                    shaped.TypeNames.Contains("Deserialized.PSNamespaces.Namespace"))
                {
                    return inodeValue;
                }

                // A deserialized event stands for its namespace, as a live one does.
                return NamespaceEventTransformationAttribute.DeserializedNamespaceOf(item) is Namespace shipped ? shipped.Inode : item!;
        }
    }

    private static bool IsFraction(object value) => value switch
    {
        double d => d != Math.Truncate(d),
        float f => f != MathF.Truncate(f),
        decimal m => m != decimal.Truncate(m),
        string s => decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal parsed) && parsed != decimal.Truncate(parsed),
        _ => false,
    };
}
