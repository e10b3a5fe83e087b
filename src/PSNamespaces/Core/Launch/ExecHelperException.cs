using System;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// The exec helper's file could not be run: missing (ENOENT), unreadable (EACCES), or not a
/// program for this machine (ENOEXEC: not ELF, another architecture, truncated). Its own type,
/// so that the message is about the module's file and not about the namespaces asked for.
/// </summary>
internal sealed class ExecHelperException : Exception
{
    internal ExecHelperException(string path, int errno, string reason, Exception? inner = null)
        : base($"The exec helper '{path}' {reason} ({Interop.Errno.Name(errno)}). It ships in the module folder; reinstall PSNamespaces, or rebuild it with build.ps1.", inner)
    {
        Path = path;
        Errno = errno;
    }

    /// <summary>The helper file as shipped in the module folder.</summary>
    internal string Path { get; }

    /// <summary>ENOENT, EACCES, ENOEXEC, or the errno of the read that failed.</summary>
    internal int Errno { get; }

    /// <summary>The symbolic errno name, for the ErrorRecord id.</summary>
    internal string ErrnoName => Interop.Errno.Name(Errno);
}
