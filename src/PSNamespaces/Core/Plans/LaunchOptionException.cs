using System;

namespace PSNamespaces.Core.Plans;

/// <summary>What kind of problem a launch option has, for the error category.</summary>
internal enum LaunchOptionProblem
{
    /// <summary>The options contradict each other or a value is malformed.</summary>
    InvalidArgument,

    /// <summary>Something the options refer to does not exist (a user's subordinate ids).</summary>
    NotFound,

    /// <summary>A file the options need cannot be read (the inner exception says why).</summary>
    Unreadable,
}

/// <summary>Options that make a launch meaningless, found before anything is created.</summary>
internal sealed class LaunchOptionException : Exception
{
    internal LaunchOptionException(string errorId, string message, object? target,
        LaunchOptionProblem problem = LaunchOptionProblem.InvalidArgument, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Target = target;
        Problem = problem;
    }

    /// <summary>The stable error id ("ConflictingIdMaps").</summary>
    internal string ErrorId { get; }

    /// <summary>The user's input the problem is about.</summary>
    internal object? Target { get; }

    internal LaunchOptionProblem Problem { get; }
}
