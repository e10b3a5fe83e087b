using System;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// One step of a <see cref="LaunchPlan"/>, as C# describes it for an error: the call the helper
/// makes and what it acts on, so a failure reads "unshare(net,pid): Operation not permitted".
/// </summary>
/// <param name="Function">The system call or operation ("unshare", "setns", "execvp").</param>
/// <param name="Subject">What it acted on (a path, a PID, the kinds), or null.</param>
/// <param name="OnSync">For a sync step: what pwsh does while the helper waits, given the PID of
/// the waiting process.</param>
/// <param name="AfterFork">The step runs in the forked child (the program's process).</param>
internal sealed record LaunchStep(string Function, string? Subject, Action<int>? OnSync, bool AfterFork);
