using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Inventory;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// Turns what a user gives as -PidNamespace into an open PID namespace: a namespace object (also
/// one back from remoting), its text ("pid:[4026532180]"), an inode, a process (an object with a
/// Pid or Id, or a number no larger than the kernel's PID limit) whose PID namespace it is, or
/// an nsfs file (/proc/PID/ns/pid, a bind mount). Or into the ErrorRecord that says why not.
/// </summary>
internal static class PidNamespaceArgument
{
    /// <summary>PID_MAX_LIMIT: no PID is larger, and every namespace inode is (nsfs numbers them from 0xEFFFFFFB).</summary>
    internal const long PidMaxLimit = 4 * 1024 * 1024;

    /// <summary>Opens the PID namespace; null with the error when it cannot, is of another kind, or has no process left.</summary>
    internal static NamespaceFile? TryOpen(NamespaceCmdlet cmdlet, object input, out ErrorRecord? error)
    {
        NamespaceFile? file = TryOpenAny(cmdlet, input, out error);
        if (file is null)
        {
            return null;
        }

        if (file.Type != NamespaceType.Pid)
        {
            error = ErrorRecords.InvalidArgument(
                "WrongNamespaceType", $"{Nsfs.FormatId(file.Type, file.Inode)} is a {file.Type} namespace; PIDs are translated through a PID namespace.", input);
        }
        else if (!PidTranslation.HasInit(file))
        {
            error = ErrorRecords.PidNamespaceEmpty(Nsfs.FormatId(file.Type, file.Inode), input);
        }

        if (error is not null)
        {
            file.Dispose();
            return null;
        }

        return file;
    }

    private static NamespaceFile? TryOpenAny(NamespaceCmdlet cmdlet, object input, out ErrorRecord? error)
    {
        error = null;
        object value = input is PSObject pso ? pso.BaseObject : input;
        int? pid = null;
        try
        {
            switch (value)
            {
                case Namespace ns:
                    return OpenObject(ns, input, out error);
                case PSObject shaped when new DeserializedNamespaceConverter() is var converter && converter.CanConvertFrom(shaped, typeof(Namespace)):
                    return OpenObject((Namespace)converter.ConvertFrom(shaped, typeof(Namespace), null!, true), input, out error);
                case string text when text.Contains('[', StringComparison.Ordinal):
                    return Nsfs.TryParseLink(Encoding.UTF8.GetBytes(text.Trim()), out NamespaceType textType, out ulong textInode)
                        ? OpenInode(textType, textInode, input, out error)
                        : Invalid(input, out error);
                case string path:
                    string? full = cmdlet.ResolveFileSystemPath(path, out error);
                    return full is null ? null : TargetResolver.OpenPath(full);
                case sbyte or short or int or long when Convert.ToInt64(value, CultureInfo.InvariantCulture) < 0:
                    // Neither a PID nor an inode; ulong has no room for it.
                    return Invalid(input, out error);
                case sbyte or byte or short or ushort or int or uint or long or ulong:
                    ulong number = Convert.ToUInt64(value, CultureInfo.InvariantCulture);
                    if (number is > 0 and <= PidMaxLimit)
                    {
                        pid = (int)number;
                        return NamespaceFile.Open(NamespaceLocator.ProcPath(pid.Value, NamespaceType.Pid), NamespaceType.Pid);
                    }

                    return OpenInode(NamespaceType.Pid, number, input, out error);
                default:
                    PSObject shape = PSObject.AsPSObject(input);
                    object? property = shape.Properties["Pid"]?.Value ?? shape.Properties["Id"]?.Value;
                    if (!LanguagePrimitives.TryConvertTo(property, out int processId) || processId <= 0)
                    {
                        return Invalid(input, out error);
                    }

                    pid = processId;
                    return NamespaceFile.Open(NamespaceLocator.ProcPath(processId, NamespaceType.Pid), NamespaceType.Pid);
            }
        }
        catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
        {
            error = ErrorRecords.TargetFailure(ex, input, pid);
            return null;
        }
    }

    /// <summary>A namespace object (live, rebuilt from the wire, or an event's): reopened and checked to be that namespace, NS_GET_ID included.</summary>
    private static NamespaceFile? OpenObject(Namespace ns, object input, out ErrorRecord? error) =>
        WrongType(ns.Type, ns.Inode, input, out error) ? null : TargetResolver.OpenNamespace(NamespaceObject.ToIdentity(ns));

    /// <summary>A bare inode, as the user wrote it: whatever PID namespace has it now (there is no id to compare).</summary>
    private static NamespaceFile? OpenInode(NamespaceType type, ulong inode, object input, out ErrorRecord? error) =>
        WrongType(type, inode, input, out error) ? null : TargetResolver.OpenInode(type, inode);

    private static bool WrongType(NamespaceType type, ulong inode, object input, out ErrorRecord? error)
    {
        error = type == NamespaceType.Pid
            ? null
            : ErrorRecords.InvalidArgument(
                "WrongNamespaceType", $"{Nsfs.FormatId(type, inode)} is a {type} namespace; PIDs are translated through a PID namespace.", input);
        return error is not null;
    }

    private static NamespaceFile? Invalid(object input, out ErrorRecord? error)
    {
        error = ErrorRecords.InvalidArgument(
            "InvalidPidNamespace",
            "-PidNamespace takes a PID namespace: a namespace object, its id (pid:[INODE]) or inode, a process (an object with a Pid, or a PID) whose PID namespace it is, or an nsfs file such as /proc/PID/ns/pid.",
            input);
        return null;
    }
}
