using System;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// Lets -UserId and -GroupId take 'follow' besides a number, as nsenter's -S and -G do: the id
/// becomes the target process's. 'follow' is carried as <see cref="Follow"/>, (uid_t)-1, which is
/// no id: setuid and setgid refuse it (EINVAL), so no one can mean it as a number.
/// </summary>
internal sealed class FollowIdTransformationAttribute : ArgumentTransformationAttribute
{
    internal const string Keyword = "follow";

    internal const uint Follow = uint.MaxValue;

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value is string text && text.Trim().Equals(Keyword, StringComparison.OrdinalIgnoreCase) ? Follow : inputData;
    }
}
