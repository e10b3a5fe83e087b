using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// Turns a namespace that went over the wire (remoting, Import-Clixml: a property bag named
/// Deserialized.PSNamespaces.Namespace) back into a <see cref="Namespace"/> when it is given to a
/// -Namespace parameter. Registered for the type in PSNamespaces.Types.ps1xml. The object only
/// says which namespace is meant: the cmdlet reopens it by what held it and checks its identity
/// (NamespaceLocator), so a namespace of another host, or one gone since, is refused there.
/// </summary>
public sealed class DeserializedNamespaceConverter : PSTypeConverter
{
    private const string DeserializedName = "Deserialized.PSNamespaces.Namespace";

    public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
        destinationType == typeof(Namespace) && IsDeserializedNamespace(sourceValue);

    public override bool CanConvertTo(object sourceValue, Type destinationType) =>
        CanConvertFrom(sourceValue, destinationType);

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        Rebuild((PSObject)sourceValue);

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        Rebuild((PSObject)sourceValue);

    private static bool IsDeserializedNamespace(object? value) =>
        value is PSObject pso && pso.BaseObject is not Namespace && pso.TypeNames.Contains(DeserializedName);

    private static Namespace Rebuild(PSObject bag)
    {
        var ns = new Namespace(Get<NamespaceType>(bag, "Type"), Get<ulong>(bag, "Inode"), Get<ulong>(bag, "Device"))
        {
            NsId = Get<ulong?>(bag, "NsId"),
            ProcessCount = Get<int>(bag, "ProcessCount"),
            Pid = Get<int?>(bag, "Pid"),
            PPid = Get<int?>(bag, "PPid"),
            Command = Get<string?>(bag, "Command"),
            Uid = Get<uint?>(bag, "Uid"),
            User = Get<string?>(bag, "User"),
            Cgroup = Get<string?>(bag, "Cgroup"),
            Unit = Get<string?>(bag, "Unit"),
            Slice = Get<string?>(bag, "Slice"),
            UserUnit = Get<string?>(bag, "UserUnit"),
            ContainerRuntime = Get<string?>(bag, "ContainerRuntime"),
            ContainerId = Get<string?>(bag, "ContainerId"),
            PodUid = Get<string?>(bag, "PodUid"),
            Units = Get<string[]?>(bag, "Units") ?? Array.Empty<string>(),
            Containers = Get<string[]?>(bag, "Containers") ?? Array.Empty<string>(),
            Pids = Get<int[]?>(bag, "Pids") ?? Array.Empty<int>(),
            NetNsId = Get<int?>(bag, "NetNsId"),
            Name = Get<string?>(bag, "Name"),
            NsfsPaths = Get<string[]?>(bag, "NsfsPaths") ?? Array.Empty<string>(),
            BindMounts = Get<string[]?>(bag, "BindMounts") ?? Array.Empty<string>(),
            Threads = Get<int[]?>(bag, "Threads") ?? Array.Empty<int>(),
            Descriptors = Get<string[]?>(bag, "Descriptors") ?? Array.Empty<string>(),
            Sockets = Get<string[]?>(bag, "Sockets") ?? Array.Empty<string>(),
            Parent = Get<ulong?>(bag, "Parent"),
            Owner = Get<ulong?>(bag, "Owner"),
            OwnerUid = Get<uint?>(bag, "OwnerUid"),
            HeldBy = Get<NamespaceHolder>(bag, "HeldBy"),
        };

        // Persistent is computed; a sender that could not read every process said false with no process counted.
        ns.ProcessesUnreadable = ns.ProcessCount == 0 && bag.Properties["Persistent"]?.Value is false;
        return ns;
    }

    /// <summary>A property in the type the live object has; a missing one is the type's default
    /// (an older module's object may lack a property added since).</summary>
    private static T Get<T>(PSObject bag, string name)
    {
        object? value = bag.Properties[name]?.Value;
        if (value is null)
        {
            return default!;
        }

        // Deserialized lists are ArrayLists; LanguagePrimitives turns them into arrays.
        if (value is PSObject { BaseObject: IList } list)
        {
            value = list.BaseObject;
        }

        return (T)LanguagePrimitives.ConvertTo(value, typeof(T), CultureInfo.InvariantCulture);
    }
}
