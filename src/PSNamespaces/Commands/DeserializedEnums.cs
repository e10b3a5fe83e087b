using System;
using System.Globalization;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// The enum properties of the module's objects as they come back over SSH remoting, where they
/// stay property bags with each enum a string (its name) or a number. PowerShell rehydrates a
/// Deserialized.* bag into its type (TargetTypeForDeserialization in PSNamespaces.Types.ps1xml)
/// only with the type data of the runspace that deserializes it: Start-Job, Import-Clixml and
/// WSMan remoting use the session's, but Invoke-Command -HostName and New-PSSession -HostName give
/// their SSH runspaces a fresh TypeTable.LoadDefaultTypeFiles() (PowerShell's PSRemotingCmdlet and
/// NewPSSessionCommand), which holds no module's types, and nothing of the module runs on that
/// path. What the session's own type data can still do is answer member lookups: these are code
/// properties on the Deserialized.* names, ahead of the bag's own property of the same name, so
/// Type, HeldBy, ChangeType and Cause are the enums again (Where-Object, Sort-Object, -band and the
/// views behave as on live objects). They read the bag's value through psadapted, the members the
/// deserializer gave it.
/// </summary>
public static class DeserializedEnums
{
    public static object? NamespaceType(PSObject instance) => As<NamespaceType>(instance, nameof(Namespace.Type));

    public static object? NamespaceHolder(PSObject instance) => As<NamespaceHolder>(instance, nameof(Namespace.HeldBy));

    public static object? ChangeType(PSObject instance) => As<NamespaceChangeType>(instance, nameof(NamespaceEvent.ChangeType));

    public static object? Cause(PSObject instance) => As<NamespaceEventCause>(instance, nameof(NamespaceEvent.Cause));

    private static object? As<T>(PSObject instance, string name)
        where T : struct, Enum
    {
        object? value = (instance.Members["psadapted"] as PSMemberSet)?.Properties[name]?.Value;
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }

        if (value is null or T)
        {
            return value;
        }

        // A name (depth 1), or a number (deeper); anything else is left as it came.
        return LanguagePrimitives.TryConvertTo(value, typeof(T), CultureInfo.InvariantCulture, out object? converted) ? converted : value;
    }
}
