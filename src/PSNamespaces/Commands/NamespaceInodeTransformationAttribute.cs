using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using PSNamespaces.Core.Model;

namespace PSNamespaces.Commands;

/// <summary>
/// Lets an inode parameter take a namespace however the user holds it: a number (a Parent or
/// Owner id), the kernel's text ("net:[4026531840]", a Namespace's Id, readlink's output), or a
/// Namespace object itself, also one back from remoting. Anything else is passed on unchanged,
/// for PowerShell's own conversion to report.
/// </summary>
internal sealed class NamespaceInodeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is IList list && value is not string)
        {
            var inodes = new List<object>(list.Count);
            foreach (object? item in list)
            {
                inodes.Add(TransformOne(item));
            }

            return inodes.ToArray();
        }

        return TransformOne(inputData);
    }

    private static object TransformOne(object? item)
    {
        switch (item is PSObject pso ? pso.BaseObject : item)
        {
            case Namespace ns:
                return ns.Inode;
            case string text when text.Contains('[', StringComparison.Ordinal):
                ulong inode = Nsfs.ParseInode(Encoding.UTF8.GetBytes(text.Trim()));
                return inode != 0 ? inode : text;
            default:
                // A deserialized Namespace (remoting, Import-Clixml) keeps its Inode as a note property.
                if (item is PSObject shaped && shaped.Properties["Inode"]?.Value is object inodeValue &&
                    shaped.TypeNames.Contains("Deserialized.PSNamespaces.Namespace"))
                {
                    return inodeValue;
                }

                return item!;
        }
    }
}
