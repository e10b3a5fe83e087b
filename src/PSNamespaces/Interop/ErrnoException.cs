using System;

namespace PSNamespaces.Interop;

/// <summary>
/// The one exception for a failed system call. Nothing above the interop layer sees -1:
/// it sees which call failed, on what, and why, in the kernel's own words.
/// </summary>
public sealed class ErrnoException : Exception
{
    internal ErrnoException(string function, int errno, string? subject = null)
        : base(Format(function, errno, subject))
    {
        Function = function;
        Errno = errno;
        ErrnoName = Interop.Errno.Name(errno);
        Subject = subject;
    }

    /// <summary>The C function or system call that failed ("setns").</summary>
    public string Function { get; }

    /// <summary>The errno value.</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name ("EPERM").</summary>
    public string ErrnoName { get; }

    /// <summary>The path, PID or name the call acted on, when there is one.</summary>
    public string? Subject { get; }

    private static string Format(string function, int errno, string? subject) =>
        subject is null
            ? $"{function}: {Interop.Errno.Message(errno)} ({Interop.Errno.Name(errno)})"
            : $"{function}({subject}): {Interop.Errno.Message(errno)} ({Interop.Errno.Name(errno)})";

    /// <summary>Throws for the errno of the last P/Invoke; call right after the failing call.</summary>
    internal static ErrnoException FromLast(string function, string? subject = null) =>
        new(function, Interop.Errno.Last, subject);
}
