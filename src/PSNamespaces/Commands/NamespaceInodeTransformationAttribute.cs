using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Watch;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// Lets an inode parameter take a namespace however the user holds it: a number (a Parent or
/// Owner id), the kernel's text ("net:[4026531840]", a Namespace's Id, readlink's output), a
/// Namespace object itself, also one back from remoting, or a Watch-Namespace event (an object
/// with NsId only while its namespace is the one with that inode). Anything else is passed on
/// unchanged, for PowerShell's own conversion to report; a fraction is refused.
/// </summary>
internal sealed class NamespaceInodeTransformationAttribute : ItemTransformationAttribute
{
    protected override object? TransformItem(object? item)
    {
        switch (item is PSObject pso ? pso.BaseObject : item)
        {
            case Namespace ns:
                return InodeOf(ns);
            case NamespaceEvent ev:
                return InodeOf(ev.Namespace);
            case string text when text.Contains('[', StringComparison.Ordinal):
                ulong inode = Nsfs.ParseInode(Encoding.UTF8.GetBytes(text.Trim()));
                return inode != 0 ? inode : text;
            // PowerShell would round a fraction to the nearest whole number: another inode, so
            // another namespace. An inode is whole or it is no inode.
            case object number when IsFraction(number):
                throw new ArgumentTransformationMetadataException(
                    $"'{Convert.ToString(item is PSObject q ? q.BaseObject : item, CultureInfo.InvariantCulture)}' is not an inode: an inode is a whole number, and rounding would name another namespace.");
            default:
                // A deserialized Namespace (remoting, Import-Clixml) stands for its namespace as a live one does.
                var converter = new DeserializedNamespaceConverter();
                if (item is PSObject shaped && converter.CanConvertFrom(shaped, typeof(Namespace)))
                {
                    return InodeOf((Namespace)converter.ConvertFrom(shaped, typeof(Namespace), null!, true));
                }

                // A deserialized event stands for its namespace, as a live one does.
                return NamespaceEventTransformationAttribute.DeserializedNamespaceOf(item) is Namespace shipped ? InodeOf(shipped) : item!;
        }
    }

    /// <summary>
    /// A namespace object's inode, once the namespace with that inode now is the object's: nsfs
    /// hands a freed inode to the next namespace made, so an object kept from before the namespace
    /// went would otherwise list whatever namespace has its number now. An object without NsId is
    /// only its inode, as a number typed by hand is.
    /// </summary>
    private static ulong InodeOf(Namespace ns)
    {
        if (ns.NsId is not null)
        {
            try
            {
                TargetResolver.OpenNamespace(NamespaceObject.ToIdentity(ns)).Dispose();
            }
            catch (Exception ex) when (ex is TargetRefusedException or ErrnoException)
            {
                throw new ArgumentTransformationMetadataException(ex.Message, ex);
            }
        }

        return ns.Inode;
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
