// Core/Plans — what the exec helper is to do, computed in C# and nothing run: a LaunchPlan is
// the helper's argv, a list of steps; UnsharePlan (New-Namespace -FilePath), NsenterPlan
// (Enter-Namespace) and NetnsExec (ip netns exec's /etc and /sys) build them from options.
// Uses: Model, Proc, Targets.

using System.Collections.Generic;
using System.Globalization;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// The steps the exec helper (Native/nsexec.c) runs, in order, written as its argv. All the
/// decisions are made here, in C#: which namespaces to create or join, in what order, what to
/// mount, when to fork and when to wait for pwsh. The helper only executes, and reports the index
/// of the step that failed, which <see cref="Steps"/> turns back into words.
/// </summary>
internal sealed class LaunchPlan
{
    /// <summary>Descriptor slots the helper keeps (SLOTS in nsexec.c).</summary>
    private const int SlotCount = 32;

    private readonly List<string> _arguments = new();
    private readonly List<LaunchStep> _steps = new();
    private int _slots;

    /// <summary>The helper's argv after argv[0].</summary>
    internal IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The steps, by the index the helper reports.</summary>
    internal IReadOnlyList<LaunchStep> Steps => _steps;

    /// <summary>A fork step is in the plan: the program is the helper's child, not the helper.</summary>
    internal bool Forks { get; private set; }

    /// <summary>The plan ends with an exec.</summary>
    internal bool Execs { get; private set; }

    private void Add(string function, string? subject, string keyword, params string[] arguments) =>
        Add(new LaunchStep(function, subject, null, Forks), keyword, arguments);

    private void Add(LaunchStep step, string keyword, params string[] arguments)
    {
        _steps.Add(step);
        _arguments.Add(keyword);
        _arguments.AddRange(arguments);
    }

    private int NewSlot()
    {
        if (_slots == SlotCount)
        {
            throw new System.InvalidOperationException("A launch plan holds at most 32 descriptors.");
        }

        return _slots++;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Opens a namespace file and checks it is (device, inode); returns its slot.</summary>
    internal int OpenNamespace(string path, ulong device, ulong inode, string subject)
    {
        int slot = NewSlot();
        Add("open", subject, "nsfd", Number(slot), path, Number(device), Number(inode));
        return slot;
    }

    /// <summary>Pins a process with pidfd_open; returns the slot.</summary>
    internal int OpenPidfd(int pid)
    {
        int slot = NewSlot();
        Add("pidfd_open", Number(pid), "pidfd", Number(slot), Number(pid));
        return slot;
    }

    /// <summary>Fails unless the pinned process still runs.</summary>
    internal void CheckAlive(int slot, int pid) => Add("pidfd_send_signal", Number(pid), "alive", Number(slot));

    internal void Setns(int slot, int cloneFlags, string subject) => Add("setns", subject, "setns", Number(slot), Number(cloneFlags));

    internal void Unshare(int cloneFlags, string subject) => Add("unshare", subject, "unshare", Number(cloneFlags));

    /// <summary>The helper waits while pwsh runs onSync with the PID of the waiting process.</summary>
    internal void Sync(string function, System.Action<int> onSync) => Add(new LaunchStep(function, null, onSync, Forks), "sync");

    /// <summary>From here on, steps run in a child the helper waits for.</summary>
    internal void Fork()
    {
        Add("fork", null, "fork");
        Forks = true;
    }

    /// <summary>PR_SET_PDEATHSIG; with expectedParent &gt; 0, fails if that parent is already gone.</summary>
    internal void ParentDeathSignal(int signal, int expectedParent) =>
        Add("prctl(PR_SET_PDEATHSIG)", null, "pdeathsig", Number(signal), Number(expectedParent));

    internal void NotDumpable() => Add("prctl(PR_SET_DUMPABLE)", null, "nodump");

    internal void Propagation(string path, ulong propagation) =>
        Add("mount_setattr", path, "propagation", path, Number(propagation));

    /// <summary>A new filesystem of fsType (proc, sysfs) on path, with MOUNT_ATTR_* flags.</summary>
    internal void Mount(string fsType, string path, ulong attributes) =>
        Add("mount(" + fsType + ")", path, "mount", fsType, path, Number(attributes));

    internal void Bind(string source, string path) => Add("mount(bind " + source + ")", path, "bind", source, path);

    internal void Unmount(string path) => Add("umount2", path, "umount", path);

    internal void Chroot(string path) => Add("chroot", path, "chroot", path);

    internal void Chdir(string path) => Add("chdir", path, "chdir", path);

    internal void DropSupplementaryGroups() => Add("setgroups", null, "setgroups");

    internal void SetGid(uint gid) => Add("setgid", Number(gid), "setgid", Number(gid));

    internal void SetUid(uint uid) => Add("setuid", Number(uid), "setuid", Number(uid));

    /// <summary>Opens a file with open(2) flags (O_CLOEXEC added by the helper); returns its slot.</summary>
    internal int OpenFile(string path, int flags, string function)
    {
        int slot = NewSlot();
        Add(function, path, "open", Number(slot), Number(flags), path);
        return slot;
    }

    /// <summary>Writes text into an opened file (cgroup.procs).</summary>
    internal void Write(int slot, string text, string function, string subject) => Add(function, subject, "write", Number(slot), text);

    /// <summary>setgid to the owner gid of an opened file, as the user namespace joined by then sees it.</summary>
    internal void SetGidOfOwner(int slot, string subject) => Add("setgid", subject, "setgid-owner", Number(slot));

    /// <summary>setuid to the owner uid of an opened file, as the user namespace joined by then sees it.</summary>
    internal void SetUidOfOwner(int slot, string subject) => Add("setuid", subject, "setuid-owner", Number(slot));

    /// <summary>The program's environment becomes the NAME=VALUE entries of an opened environ file.</summary>
    internal void ReplaceEnvironment(int slot, string subject) => Add("read(environ)", subject, "environ", Number(slot));

    /// <summary>The last step: execvp(file, argv), the environment being the one pwsh gave the helper or the environ step's.</summary>
    internal void Exec(string file, IReadOnlyList<string> argv)
    {
        var arguments = new List<string>(argv.Count + 2) { file, Number(argv.Count) };
        arguments.AddRange(argv);
        Add("execvp", file, "exec", arguments.ToArray());
        Execs = true;
    }
}
