using System.Collections.Generic;

namespace PSNamespaces.Core.Plans;

/// <summary>What pwsh does while the exec helper waits at a sync step, given the waiting process's PID.</summary>
internal enum SyncWork
{
    /// <summary>Write the procfs control files of <see cref="LaunchStep.Writes"/> (id maps, setgroups, time offsets).</summary>
    WriteProcFiles,

    /// <summary>Bind the waiting process's new namespaces on files (New-Namespace -FilePath with -Path or -Name).</summary>
    Persist,

    /// <summary>Read the waiting process's namespaces, for the LaunchedProcess object (-PassThru, -NoWait).</summary>
    ReadNamespaces,

    /// <summary>Open the waiting process's new namespaces (a namespace persisted without a program).</summary>
    OpenNamespaces,
}

/// <summary>A procfs control file of the waiting process (/proc/PID/NAME) and the text pwsh writes into it.</summary>
internal sealed record ProcFileWrite(string Name, string Text);

/// <summary>
/// One step of a <see cref="LaunchPlan"/>: the helper's keyword and arguments (its argv), the
/// call it makes and what it acts on, so a failure reads "unshare(net,pid): Operation not
/// permitted", and the step as a person reads it, for -Verbose.
/// </summary>
internal sealed class LaunchStep
{
    /// <summary>
    /// Every step keyword of Native/nsexec.c and its fixed number of arguments (the C table
    /// `steps[]`; a test checks both are the same). exec takes ARGC more after its two.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, int> ArgumentCounts = new Dictionary<string, int>
    {
        ["nsfd"] = 4, ["pidfd"] = 2, ["alive"] = 1, ["setns"] = 2, ["unshare"] = 1, ["sync"] = 0,
        ["fork"] = 0, ["pdeathsig"] = 2, ["nodump"] = 0, ["propagation"] = 2, ["mount"] = 3,
        ["bind"] = 2, ["umount"] = 1, ["chroot"] = 1, ["chdir"] = 1, ["setgroups"] = 0,
        ["setgid"] = 1, ["setuid"] = 1, ["open"] = 3, ["write"] = 2, ["setgid-owner"] = 1,
        ["setuid-owner"] = 1, ["environ"] = 1, ["exec"] = 2,
    };

    internal LaunchStep(string keyword, IReadOnlyList<string> arguments, string function, string? subject, bool afterFork, string text)
    {
        int count = ArgumentCounts[keyword];
        if (keyword == "exec" ? arguments.Count < count : arguments.Count != count)
        {
            throw new System.ArgumentException($"The helper step '{keyword}' takes {count} arguments, not {arguments.Count}.", nameof(arguments));
        }

        Keyword = keyword;
        Arguments = arguments;
        Function = function;
        Subject = subject;
        AfterFork = afterFork;
        Text = text;
    }

    /// <summary>The helper's keyword (argv word) for the step.</summary>
    internal string Keyword { get; }

    /// <summary>Its arguments, as the helper reads them.</summary>
    internal IReadOnlyList<string> Arguments { get; }

    /// <summary>The system call or operation ("unshare", "setns", "execvp").</summary>
    internal string Function { get; }

    /// <summary>What it acted on (a path, a PID, the kinds), or null.</summary>
    internal string? Subject { get; }

    /// <summary>The step runs in the forked child (the program's process).</summary>
    internal bool AfterFork { get; }

    /// <summary>The step as -Verbose shows it ("unshare net,pid", "setuid 0").</summary>
    internal string Text { get; }

    /// <summary>For a sync step: what pwsh does while the helper waits.</summary>
    internal SyncWork? Sync { get; init; }

    /// <summary>
    /// The target process whose /proc entry the step opens, or null. ENOENT or ESRCH there means
    /// the process exited after pwsh resolved it (an exiting process loses its namespaces before
    /// its /proc entry and its pidfd go), not that a file is missing.
    /// </summary>
    internal int? Process { get; init; }

    /// <summary>For a <see cref="SyncWork.WriteProcFiles"/> step: the files and what is written, in order.</summary>
    internal IReadOnlyList<ProcFileWrite>? Writes { get; init; }

    public override string ToString() => Text;
}
