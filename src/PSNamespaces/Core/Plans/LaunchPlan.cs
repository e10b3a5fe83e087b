// Core/Plans — what the exec helper is to do, computed in C# from plain options and nothing
// run: a LaunchPlan is the helper's argv, a list of steps; UnsharePlan (New-Namespace -FilePath,
// its option policy in UnsharePolicy), NsenterPlan (Enter-Namespace) and NetnsExec (ip netns
// exec's /etc and /sys) build them from options that hold only values (kinds, inodes, descriptor
// numbers, PIDs), never an open descriptor.
// Uses: Model, Proc, Inventory, Targets.

using System.Collections.Generic;
using System.Globalization;
using System.Text;
using PSNamespaces.Interop;
using Tmds.Linux;

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

    /// <summary>The program the plan ends by exec'ing, as given; null without an exec step.</summary>
    internal string? Program { get; private set; }

    /// <summary>The program's arguments after argv[0].</summary>
    internal string[] ProgramArguments { get; private set; } = System.Array.Empty<string>();

    /// <summary>The plan as one line for -Verbose: "nsexec: unshare net; exec true".</summary>
    public override string ToString() => "nsexec: " + string.Join("; ", _steps);

    private void Add(string keyword, string function, string? subject, string text, params string[] arguments) =>
        Add(new LaunchStep(keyword, arguments, function, subject, Forks, text));

    private void Add(LaunchStep step)
    {
        _steps.Add(step);
        _arguments.Add(step.Keyword);
        _arguments.AddRange(step.Arguments);
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

    /// <summary>A word as a shell would need it: quoted when empty or holding anything but letters, digits and _./:=,@%+-.</summary>
    internal static string Quote(string word)
    {
        foreach (char c in word)
        {
            // Only what no shell reads specially stays bare, so a word copied from the line means what ran.
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or ':' or '=' or ',' or '@' or '%' or '+' or '-'))
            {
                return "'" + word.Replace("'", "'\\''", System.StringComparison.Ordinal) + "'";
            }
        }

        return word.Length == 0 ? "''" : word;
    }

    /// <summary>
    /// Opens a namespace file and checks it is (device, inode); returns its slot. process: the
    /// target process, when the file is its /proc/PID/ns entry (<see cref="LaunchStep.Process"/>).
    /// </summary>
    internal int OpenNamespace(string path, ulong device, ulong inode, string identity, int? process = null)
    {
        int slot = NewSlot();
        Add(new LaunchStep("nsfd", new[] { Number(slot), path, Number(device), Number(inode) }, "open", identity, Forks, $"open {Quote(path)} = {identity}") { Process = process });
        return slot;
    }

    /// <summary>Pins a process with pidfd_open; returns the slot.</summary>
    internal int OpenPidfd(int pid)
    {
        int slot = NewSlot();
        Add("pidfd", "pidfd_open", Number(pid), "pidfd " + Number(pid), Number(slot), Number(pid));
        return slot;
    }

    /// <summary>Fails unless the pinned process still runs.</summary>
    internal void CheckAlive(int slot, int pid) =>
        Add("alive", "pidfd_send_signal", Number(pid), $"check {Number(pid)} alive", Number(slot));

    /// <summary>Joins the namespaces of a slot; subject names them ("1234 net,uts", "net:[4026532008]").</summary>
    internal void Setns(int slot, int cloneFlags, string subject) =>
        Add("setns", "setns", subject, "setns " + subject, Number(slot), Number(cloneFlags));

    /// <summary>unshare(2) of the kinds; subject lists them ("user,net").</summary>
    internal void Unshare(int cloneFlags, string subject) =>
        Add("unshare", "unshare", subject, "unshare " + subject, Number(cloneFlags));

    /// <summary>The helper waits while pwsh does the work (with its PID), then goes on.</summary>
    /// <param name="work">What pwsh does.</param>
    /// <param name="function">The operation, for an error ("write", "mount").</param>
    /// <param name="what">The work in words, for -Verbose.</param>
    /// <param name="writes">For <see cref="SyncWork.WriteProcFiles"/>: the files to write.</param>
    internal void Sync(SyncWork work, string function, string what, IReadOnlyList<ProcFileWrite>? writes = null) =>
        Add(new LaunchStep("sync", System.Array.Empty<string>(), function, null, Forks, $"wait for pwsh to {what}")
        {
            Sync = work,
            Writes = writes,
        });

    /// <summary>From here on, steps run in a child the helper waits for.</summary>
    internal void Fork()
    {
        Add("fork", "fork", null, "fork");
        Forks = true;
    }

    /// <summary>PR_SET_PDEATHSIG; with expectedParent &gt; 0, fails if that parent is already gone.</summary>
    internal void ParentDeathSignal(int signal, int expectedParent) =>
        Add("pdeathsig", "prctl(PR_SET_PDEATHSIG)", null,
            "pdeathsig " + SignalName.Format(signal) + (expectedParent > 0 ? " if parent " + Number(expectedParent) : ""),
            Number(signal), Number(expectedParent));

    internal void NotDumpable() => Add("nodump", "prctl(PR_SET_DUMPABLE)", null, "nodump");

    /// <summary>The recursive propagation of the mounts at path.</summary>
    internal void Propagation(string path, MountPropagation propagation) =>
        Add("propagation", "mount_setattr", path, $"propagation {Quote(path)} {propagation.ToString().ToLowerInvariant()}",
            path, Number(PropagationFlag(propagation)));

    private static ulong PropagationFlag(MountPropagation propagation) => propagation switch
    {
        MountPropagation.Shared => (ulong)LibC.MS_SHARED,
        MountPropagation.Slave => (ulong)LibC.MS_SLAVE,
        MountPropagation.Private => (ulong)LibC.MS_PRIVATE,
        _ => throw new System.ArgumentOutOfRangeException(nameof(propagation)),
    };

    /// <summary>A new filesystem of fsType (proc, sysfs) on path, with MOUNT_ATTR_* flags.</summary>
    internal void Mount(string fsType, string path, ulong attributes) =>
        Add("mount", "mount(" + fsType + ")", path, $"mount {fsType} {Quote(path)}{MountAttributes(attributes)}",
            fsType, path, Number(attributes));

    private static string MountAttributes(ulong attributes)
    {
        var names = new List<string>();
        if ((attributes & Sys.MOUNT_ATTR_RDONLY) != 0)
        {
            names.Add("ro");
        }

        if ((attributes & Sys.MOUNT_ATTR_NOSUID) != 0)
        {
            names.Add("nosuid");
        }

        if ((attributes & Sys.MOUNT_ATTR_NODEV) != 0)
        {
            names.Add("nodev");
        }

        if ((attributes & Sys.MOUNT_ATTR_NOEXEC) != 0)
        {
            names.Add("noexec");
        }

        return names.Count == 0 ? "" : " (" + string.Join(",", names) + ")";
    }

    internal void Bind(string source, string path) =>
        Add("bind", "mount(bind " + source + ")", path, $"bind {Quote(source)} {Quote(path)}", source, path);

    internal void Unmount(string path) => Add("umount", "umount2", path, "umount " + Quote(path), path);

    internal void Chroot(string path) => Add("chroot", "chroot", path, "chroot " + Quote(path), path);

    internal void Chdir(string path) => Add("chdir", "chdir", path, "chdir " + Quote(path), path);

    internal void DropSupplementaryGroups() => Add("setgroups", "setgroups", null, "setgroups none");

    internal void SetGid(uint gid) => Add("setgid", "setgid", Number(gid), "setgid " + Number(gid), Number(gid));

    internal void SetUid(uint uid) => Add("setuid", "setuid", Number(uid), "setuid " + Number(uid), Number(uid));

    /// <summary>
    /// Opens a file with open(2) flags (O_CLOEXEC added by the helper); returns its slot. process:
    /// the target process, when the file is in its /proc/PID (<see cref="LaunchStep.Process"/>).
    /// </summary>
    internal int OpenFile(string path, int flags, string function, int? process = null)
    {
        int slot = NewSlot();
        Add(new LaunchStep("open", new[] { Number(slot), Number(flags), path }, function, path, Forks, "open " + Quote(path)) { Process = process });
        return slot;
    }

    /// <summary>Writes text into an opened file (cgroup.procs).</summary>
    internal void Write(int slot, string text, string function, string subject) =>
        Add("write", function, subject, $"write {Quote(text)} to {Quote(subject)}", Number(slot), text);

    /// <summary>setgid to the owner gid of an opened file, as the user namespace joined by then sees it.</summary>
    internal void SetGidOfOwner(int slot, string subject) =>
        Add("setgid-owner", "setgid", subject, "setgid to the " + subject, Number(slot));

    /// <summary>setuid to the owner uid of an opened file, as the user namespace joined by then sees it.</summary>
    internal void SetUidOfOwner(int slot, string subject) =>
        Add("setuid-owner", "setuid", subject, "setuid to the " + subject, Number(slot));

    /// <summary>The program's environment becomes the NAME=VALUE entries of an opened environ file.</summary>
    internal void ReplaceEnvironment(int slot, string subject) =>
        Add("environ", "read(environ)", subject, "environment of " + Quote(subject), Number(slot));

    /// <summary>The last step: execvp(file, [file, arguments...]), the environment being the one pwsh gave the helper or the environ step's.</summary>
    internal void Exec(string file, IReadOnlyList<string> arguments)
    {
        var words = new List<string>(arguments.Count + 3) { file, Number(arguments.Count + 1), file };
        words.AddRange(arguments);
        var text = new StringBuilder("exec ").Append(Quote(file));
        foreach (string argument in arguments)
        {
            text.Append(' ').Append(Quote(argument));
        }

        Add(new LaunchStep("exec", words, "execvp", file, Forks, text.ToString()));
        Program = file;
        ProgramArguments = System.Linq.Enumerable.ToArray(arguments);
    }
}
