using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// An argument transformation for array parameters: the value given, or each item of a list, is
/// transformed alone (`-Namespace $a, $b` and pipeline input one at a time alike).
/// </summary>
internal abstract class ItemTransformationAttribute : ArgumentTransformationAttribute
{
    public sealed override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is IList list && value is not string)
        {
            var items = new List<object?>(list.Count);
            foreach (object? item in list)
            {
                items.Add(TransformItem(item));
            }

            return items.ToArray();
        }

        return TransformItem(inputData)!;
    }

    /// <summary>One item as the parameter takes it, or the item unchanged for PowerShell's own conversion.</summary>
    protected abstract object? TransformItem(object? item);
}
