using System.Runtime.InteropServices;

namespace PSNamespaces.Core.Launch;

/// <summary>What the exec helper reports over its socket (struct report in Native/nsexec.c).</summary>
internal enum HelperReportKind
{
    /// <summary>A step failed: Value is the errno; the helper exits.</summary>
    Failed = 1,

    /// <summary>The helper waits at a sync step for one byte from pwsh.</summary>
    Sync = 2,

    /// <summary>A fork step made a child: Value is its PID in the caller's PID namespace.</summary>
    Child = 3,
}

/// <summary>The one message format of the helper's socket: three native ints.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HelperReport
{
    internal int Kind;
    internal int Step;
    internal int Value;
}
