using System;
using PSNamespaces.Core.Plans;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Launch;

/// <summary>A step of a launch plan failed in the exec helper; the program never ran.</summary>
internal sealed class LaunchFailedException : Exception
{
    internal LaunchFailedException(LaunchStep step, ErrnoException error, int exitCode)
        : base(error.Message, error)
    {
        Step = step;
        Error = error;
        ExitCode = exitCode;
    }

    /// <summary>The step that failed.</summary>
    internal LaunchStep Step { get; }

    /// <summary>The failed call, in the form every ErrorRecord of the module uses.</summary>
    internal ErrnoException Error { get; }

    /// <summary>The helper's exit code: 127 when the program was not found, 126 when it could not run, else 125.</summary>
    internal int ExitCode { get; }
}
