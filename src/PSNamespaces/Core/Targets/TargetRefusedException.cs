using System;

namespace PSNamespaces.Core.Targets;

/// <summary>Why a target the user named is refused, each a stable error id of its own.</summary>
internal enum TargetRefusal
{
    /// <summary>Not there: a namespace object's namespace is gone (also when another has its inode now), a name or file that does not exist.</summary>
    NotFound,

    /// <summary>A namespace object without NsId on a kernel that has NS_GET_ID: its inode cannot tell it from a newer namespace.</summary>
    IdUnknown,

    /// <summary>A netns name that cannot be a file name in /run/netns.</summary>
    InvalidName,

    /// <summary>A namespace of another kind than the context needs (a PID namespace, a network namespace).</summary>
    WrongType,
}

/// <summary>A target refused for a reason of the namespace domain (not a failed system call); the message says what the user can do.</summary>
internal sealed class TargetRefusedException : Exception
{
    internal TargetRefusedException(TargetRefusal reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    internal TargetRefusal Reason { get; }
}
