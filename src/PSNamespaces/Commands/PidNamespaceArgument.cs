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
    internal static NamespaceFile? TryOpen(PSCmdlet cmdlet, object input, out ErrorRecord? error)
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
            error = new ErrorRecord(
                new PSInvalidOperationException($"{Nsfs.FormatId(file.Type, file.Inode)} has no process left: its init (PID 1) has exited, so none of its PIDs names a process."),
                "PidNamespaceEmpty",
                ErrorCategory.ResourceUnavailable,
                input);
        }

        if (error is not null)
        {
            file.Dispose();
            return null;
        }

        return file;
    }

    private static NamespaceFile? TryOpenAny(PSCmdlet cmdlet, object input, out ErrorRecord? error)
    {
        error = null;
        object value = input is PSObject pso ? pso.BaseObject : input;
        switch (value)
        {
            case Namespace ns:
                return Locate(ns.Type, ns.Inode, ns.NsId, input, ns, out error);
            case PSObject shaped when shaped.TypeNames.Contains("Deserialized.PSNamespaces.Namespace"):
                return LanguagePrimitives.TryConvertTo(shaped.Properties["Type"]?.Value, out NamespaceType type) &&
                       LanguagePrimitives.TryConvertTo(shaped.Properties["Inode"]?.Value, out ulong deserializedInode)
                    ? Locate(type, deserializedInode, null, input, null, out error)
                    : Invalid(input, out error);
            case string text when text.Contains('[', StringComparison.Ordinal):
                return Nsfs.TryParseLink(Encoding.UTF8.GetBytes(text.Trim()), out NamespaceType textType, out ulong textInode)
                    ? Locate(textType, textInode, null, input, null, out error)
                    : Invalid(input, out error);
            case string path:
                string? full = ResolvePath(cmdlet, path, out error);
                return full is null ? null : NamespaceResolver.TryOpen(full, input, $"There is no namespace file '{full}'.", out error);
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                ulong number = Convert.ToUInt64(value, CultureInfo.InvariantCulture);
                return number is > 0 and <= PidMaxLimit ? OpenProcess((int)number, input, out error) : Locate(NamespaceType.Pid, number, null, input, null, out error);
            default:
                PSObject shape = PSObject.AsPSObject(input);
                object? pid = shape.Properties["Pid"]?.Value ?? shape.Properties["Id"]?.Value;
                return LanguagePrimitives.TryConvertTo(pid, out int processId) && processId > 0
                    ? OpenProcess(processId, input, out error)
                    : Invalid(input, out error);
        }
    }

    private static NamespaceFile? OpenProcess(int pid, object input, out ErrorRecord? error)
    {
        string path = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/ns/pid";
        NamespaceFile? file = NamespaceResolver.TryOpen(path, input, $"No process with PID {pid} exists.", out error, NamespaceType.Pid);
        if (error is { CategoryInfo.Category: ErrorCategory.ObjectNotFound })
        {
            error = ErrorRecords.ProcessUnreadable(pid, Errno.ENOENT, "open");
        }

        return file;
    }

    private static NamespaceFile? Locate(NamespaceType type, ulong inode, ulong? nsId, object input, Namespace? ns, out ErrorRecord? error)
    {
        error = null;
        if (type != NamespaceType.Pid)
        {
            error = ErrorRecords.InvalidArgument(
                "WrongNamespaceType", $"{Nsfs.FormatId(type, inode)} is a {type} namespace; PIDs are translated through a PID namespace.", input);
            return null;
        }

        try
        {
            // A namespace object's paths and processes are tried first; every candidate is checked to be it.
            string[] paths = ns?.NsfsPaths ?? Array.Empty<string>();
            int[] pids = ns?.Pid is int pid ? new[] { pid } : Array.Empty<int>();
            return NamespaceLocator.TryOpen(type, inode, nsId, paths, pids) ??
                throw new ErrnoException("open", Errno.ENOENT, Nsfs.FormatId(type, inode));
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ENOENT)
        {
            error = ErrorRecords.NamespaceNotFound($"No process or nsfs mount holds {Nsfs.FormatId(type, inode)}: the PID namespace is gone.", input);
        }
        catch (Exception ex) when (ex is ErrnoException or NotANamespaceException)
        {
            error = TargetResolver.Error(ex, input);
        }

        return null;
    }

    private static string? ResolvePath(PSCmdlet cmdlet, string path, out ErrorRecord? error)
    {
        error = null;
        try
        {
            return cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException or NotSupportedException or ProviderNotFoundException or DriveNotFoundException)
        {
            error = new ErrorRecord(ex, "InvalidPath", ErrorCategory.InvalidArgument, path);
            return null;
        }
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
