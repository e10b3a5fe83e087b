using System;
using System.Globalization;
using System.Management.Automation;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Persistence;
using PSNamespaces.Core.Targets;
using PSNamespaces.Interop;

namespace PSNamespaces.Commands;

/// <summary>
/// Every ErrorRecord the module writes is made here: a stable id, a real category, the input as
/// target, and a message that says what is missing.
/// </summary>
internal static class ErrorRecords
{
    /// <summary>The PowerShell category for an errno.</summary>
    internal static ErrorCategory Category(int errno) => errno switch
    {
        Errno.ENOENT or Errno.ESRCH => ErrorCategory.ObjectNotFound,
        Errno.EPERM or Errno.EACCES or Errno.EROFS => ErrorCategory.PermissionDenied,
        Errno.EEXIST => ErrorCategory.ResourceExists,
        Errno.EBUSY => ErrorCategory.ResourceBusy,
        Errno.EINVAL or Errno.ENAMETOOLONG or Errno.ENOTDIR or Errno.EISDIR or Errno.ELOOP => ErrorCategory.InvalidArgument,
        Errno.ENOSYS or Errno.ENOTTY or Errno.EOPNOTSUPP => ErrorCategory.NotImplemented,
        Errno.ENOMEM or Errno.ENOSPC or Errno.EMFILE or Errno.EUSERS => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>An ErrorRecord for a failed system call, id "function,ERRNO".</summary>
    internal static ErrorRecord FromErrno(ErrnoException ex, object? target, string? hint = null)
    {
        var record = new ErrorRecord(ex, ex.Function + "," + ex.ErrnoName, Category(ex.Errno), target);
        if (hint is not null)
        {
            record.ErrorDetails = new ErrorDetails(ex.Message + ". " + hint);
        }

        return record;
    }

    /// <summary>A process asked for by PID could not be read.</summary>
    internal static ErrorRecord ProcessUnreadable(int pid, int errno, string function)
    {
        if (errno is Errno.ENOENT or Errno.ESRCH)
        {
            return new ErrorRecord(
                new ItemNotFoundException(string.Format(CultureInfo.InvariantCulture, "No process with PID {0} exists.", pid)),
                "ProcessNotFound",
                ErrorCategory.ObjectNotFound,
                pid);
        }

        var ex = new ErrnoException(function, errno, "/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        string? hint = errno is Errno.EACCES or Errno.EPERM
            ? "Reading another process's namespaces needs ptrace read access to it: root, or CAP_SYS_PTRACE in the process's user namespace"
            : null;
        return FromErrno(ex, pid, hint);
    }

    /// <summary>Arguments that make the whole call meaningless.</summary>
    internal static ErrorRecord InvalidArgument(string id, string message, object? target) =>
        new(new PSArgumentException(message), id, ErrorCategory.InvalidArgument, target);

    /// <summary>
    /// /proc is not this process's PID namespace's (pwsh started by unshare --pid --fork without
    /// --mount-proc): the cmdlets that start threads or programs cannot check them there.
    /// </summary>
    internal static ErrorRecord ProcOfAnotherPidNamespace(string message) =>
        new(new InvalidOperationException(message), "ProcOfAnotherPidNamespace", ErrorCategory.ResourceUnavailable, "/proc");

    /// <summary>A kind of namespace the CLR cannot join from a thread (user, time).</summary>
    internal static ErrorRecord NotJoinable(NamespaceType type, object? target) =>
        new(
            new PSArgumentException(string.Format(
                CultureInfo.InvariantCulture,
                "A {0} namespace cannot be joined from inside pwsh: the kernel refuses setns into user and time namespaces to a multithreaded process. Use Enter-Namespace to run a program inside it.",
                type)),
            "NamespaceNotJoinable",
            ErrorCategory.InvalidArgument,
            target);

    /// <summary>A named or identified namespace that is not there.</summary>
    internal static ErrorRecord NamespaceNotFound(string message, object? target) =>
        new(new ItemNotFoundException(message), "NamespaceNotFound", ErrorCategory.ObjectNotFound, target);

    /// <summary>A cmdlet that takes -Name or -Path (or both from the pipeline) was given neither.</summary>
    internal static ErrorRecord NoNamespaceGiven() =>
        InvalidArgument("NoNamespaceGiven", "Give -Name or -Path, or pipe in objects with a Name or Path property.", null);

    /// <summary>A file that cannot receive a namespace (it exists, is a symlink or a directory, or its directory is missing).</summary>
    /// <param name="ex">What is wrong with the file.</param>
    /// <param name="target">The input: the name or the path as given.</param>
    /// <param name="name">The netns name when the file is /run/netns/NAME.</param>
    internal static ErrorRecord NamespaceTarget(NamespaceTargetException ex, object target, string? name = null)
    {
        if (name is not null && ex.Kind == NamespaceTargetKind.Exists)
        {
            return new ErrorRecord(
                new PSInvalidOperationException($"A network namespace named '{name}' already exists ({ex.Path}).", ex),
                "NamespaceExists",
                ErrorCategory.ResourceExists,
                target);
        }

        return ex.Kind switch
        {
            NamespaceTargetKind.Exists => new ErrorRecord(ex, "PathExists", ErrorCategory.ResourceExists, target),
            NamespaceTargetKind.SymbolicLink => new ErrorRecord(ex, "PathIsSymbolicLink", ErrorCategory.InvalidArgument, target),
            NamespaceTargetKind.Directory => new ErrorRecord(ex, "PathIsDirectory", ErrorCategory.InvalidArgument, target),
            _ => new ErrorRecord(ex, "DirectoryNotFound", ErrorCategory.ObjectNotFound, target),
        };
    }

    /// <summary>
    /// A failed step of creating, persisting or removing a namespace, with what is missing when
    /// the kernel said no.
    /// </summary>
    internal static ErrorRecord NamespaceChange(ErrnoException ex, object target, bool mountNamespace = false)
    {
        string? hint = (ex.Function, ex.Errno) switch
        {
            ("unshare", Errno.EPERM) => "Creating namespaces needs root (CAP_SYS_ADMIN)",
            ("unshare", Errno.ENOSPC or Errno.EUSERS) => "A limit on namespaces was reached: see /proc/sys/user/max_*_namespaces",
            ("mount" or "umount2" or "mkdir" or "open" or "unlink", Errno.EPERM or Errno.EACCES) =>
                "Mounting and unmounting namespace files needs root (CAP_SYS_ADMIN in the user namespace that owns this mount namespace)",
            ("mount", Errno.EINVAL) when mountNamespace =>
                "A mount namespace cannot be bound onto a shared mount that propagates to others (findmnt -o TARGET,PROPAGATION shows it): choose a file on a private mount",
            ("RTM_NEWNSID", Errno.EPERM) => "Setting a NETNSID needs CAP_NET_ADMIN (root)",
            _ => null,
        };
        return FromErrno(ex, target, hint);
    }

    /// <summary>
    /// Whether an exception is one of those the target resolver (Core/Targets/TargetResolver)
    /// throws for what the user named, so a cmdlet writes it as that input's error and goes on.
    /// </summary>
    /// <remarks>An ArgumentNullException or ArgumentOutOfRangeException is a bug of ours, not the user's input: it is not caught.</remarks>
    internal static bool IsTargetFailure(Exception ex) =>
        ex is ErrnoException or TargetRefusedException or (ArgumentException and not (ArgumentNullException or ArgumentOutOfRangeException));

    /// <summary>The ErrorRecord for a target that could not be opened, with the user's input as its target.</summary>
    /// <param name="ex">What the resolver threw (see <see cref="IsTargetFailure"/>).</param>
    /// <param name="input">What the user named.</param>
    /// <param name="pid">The process the target was, when it was one: a failed open then says the process is gone or unreadable.</param>
    internal static ErrorRecord TargetFailure(Exception ex, object? input, int? pid = null) => ex switch
    {
        TargetRefusedException { Reason: TargetRefusal.NotFound } refused => NamespaceNotFound(refused.Message, input),
        TargetRefusedException { Reason: TargetRefusal.IdUnknown } refused => new ErrorRecord(refused, "NamespaceIdUnknown", ErrorCategory.InvalidArgument, input),
        TargetRefusedException { Reason: TargetRefusal.InvalidName } refused => InvalidArgument("InvalidNamespaceName", refused.Message, input),
        TargetRefusedException refused => InvalidArgument("WrongNamespaceType", refused.Message, input),
        ErrnoException errno when pid is int process => ProcessUnreadable(process, errno.Errno, errno.Function),
        ErrnoException errno => FromErrno(errno, input),
        NotANamespaceException notNs => NotANamespace(notNs, input is string[] ? notNs.Path : input),
        _ => new ErrorRecord(ex, "InvalidNamespaceTarget", ErrorCategory.InvalidArgument, input),
    };

    /// <summary>Launch options that make the call meaningless (Core/Plans found it before anything was created).</summary>
    internal static ErrorRecord LaunchOption(Core.Plans.LaunchOptionException ex) => ex.Problem switch
    {
        Core.Plans.LaunchOptionProblem.NotFound => new ErrorRecord(new ItemNotFoundException(ex.Message), ex.ErrorId, ErrorCategory.ObjectNotFound, ex.Target),
        Core.Plans.LaunchOptionProblem.Unreadable => new ErrorRecord(ex.InnerException ?? ex, ex.ErrorId, ErrorCategory.ReadError, ex.Target),
        _ => InvalidArgument(ex.ErrorId, ex.Message, ex.Target),
    };

    // A program that could not be started inside namespaces.

    /// <summary>A step of the helper failed: the id is "function,ERRNO" like every errno error here.</summary>
    internal static ErrorRecord LaunchStepFailed(Core.Launch.LaunchFailedException ex, string filePath, string? hint)
    {
        ErrnoException error = ex.Error;
        string id = error.Function + "," + error.ErrnoName;
        if (error.Function == "execvp" && error.Errno == Errno.ENOENT)
        {
            return new ErrorRecord(
                new CommandNotFoundException($"The program '{filePath}' was not found inside the namespaces: no such file, or not in PATH there.", error),
                id, ErrorCategory.ObjectNotFound, filePath);
        }

        if (error.Errno == Errno.ESTALE)
        {
            return new ErrorRecord(
                new ItemNotFoundException($"The namespace {ex.Step.Subject} is gone or was replaced after it was looked up (its process exited, or its PID or bind mount now belongs to another): nothing was run.", error),
                "NamespaceChanged", ErrorCategory.ObjectNotFound, filePath);
        }

        if ((error.Function.StartsWith("pidfd_", System.StringComparison.Ordinal) && error.Errno == Errno.ESRCH) ||
            (ex.Step.Process is not null && error.Errno is Errno.ENOENT or Errno.ESRCH))
        {
            string process = ex.Step.Process?.ToString(CultureInfo.InvariantCulture) ?? ex.Step.Subject ?? "";
            return new ErrorRecord(
                new ItemNotFoundException($"The process {process} exited before its namespaces could be entered: nothing was run.", error),
                "ProcessNotFound", ErrorCategory.ObjectNotFound, filePath);
        }

        return ErrorRecords.FromErrno(error, filePath, hint);
    }

    /// <summary>
    /// The module's exec helper could not be run: id "nsexec,ERRNO", the message about the
    /// helper file (not about privileges or id maps, which have nothing to do with it).
    /// </summary>
    internal static ErrorRecord ExecHelper(Core.Launch.ExecHelperException ex, object? target) =>
        new(ex, "nsexec," + ex.ErrnoName, ex.Errno switch
        {
            Errno.ENOENT => ErrorCategory.NotInstalled,
            Errno.EACCES => ErrorCategory.PermissionDenied,
            Errno.ENOEXEC => ErrorCategory.InvalidData,
            _ => ErrorCategory.ReadError,
        }, target);

    /// <summary>What is missing when a step of Enter-Namespace's launch failed: privileges, or a cgroup that cannot take the program.</summary>
    internal static string? HintForNsenterStep(Core.Launch.LaunchFailedException ex)
    {
        if (ex.Step.Function.EndsWith("(cgroup.procs)", StringComparison.Ordinal))
        {
            return ex.Error.Errno switch
            {
                Errno.ENOENT or Errno.ENODEV => "The target's cgroup is gone, or this mount namespace shows another directory there",
                Errno.EROFS => "The cgroup filesystem is mounted read-only in this mount namespace",
                Errno.EBUSY or Errno.EOPNOTSUPP => "The cgroup cannot take processes: in cgroup v2 only leaf cgroups (no controllers in cgroup.subtree_control) hold them",
                Errno.EPERM or Errno.EACCES => "Moving a process into a cgroup needs write access to its cgroup.procs and to that of the common ancestor (root, or a cgroup delegated to you)",
                _ => null,
            };
        }

        if (ex.Error.Errno is not (Errno.EPERM or Errno.EACCES))
        {
            return null;
        }

        return ex.Step.Function switch
        {
            "setns" => "Entering a namespace needs CAP_SYS_ADMIN in the user namespace that owns it (root), and CAP_SYS_CHROOT too for a mount namespace",
            "open" or "pidfd_open" => "Opening another process's namespaces needs ptrace access to it: root, or CAP_SYS_PTRACE",
            "setuid" or "setgid" or "setgroups" => "Changing credentials needs CAP_SETUID/CAP_SETGID, and the ids must be mapped in the entered user namespace",
            _ => null,
        };
    }

    /// <summary>What is missing when a step of New-Namespace's launch that needs privilege failed.</summary>
    internal static string? HintForUnshareStep(Core.Launch.LaunchFailedException ex, System.Collections.Generic.IReadOnlyList<NamespaceType> types)
    {
        if (ex.Error.Errno is not (Errno.EPERM or Errno.EACCES))
        {
            return null;
        }

        bool user = System.Linq.Enumerable.Contains(types, NamespaceType.User);
        return ex.Step.Function switch
        {
            "unshare" when !user =>
                "Creating these namespaces needs CAP_SYS_ADMIN (root). As an ordinary user, add -MapRootUser: a new user namespace, in which you are root, then owns the others",
            "unshare" =>
                "Creating a user namespace was refused: unprivileged user namespaces may be disabled (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, or an AppArmor/SELinux policy)",
            "chroot" => "chroot needs CAP_SYS_CHROOT; as an ordinary user, add -MapRootUser",
            "setuid" or "setgid" or "setgroups" =>
                "Changing credentials needs CAP_SETUID/CAP_SETGID, and the ids must be mapped in the user namespace",
            _ when ex.Step.Function.StartsWith("mount", StringComparison.Ordinal) =>
                user ? "Mounting needs the mount namespace to be owned by the new user namespace (add -Type Mount) and, for /proc, a new PID namespace (-Type Pid)"
                     : "Mounting needs CAP_SYS_ADMIN (root); as an ordinary user, add -MapRootUser",
            _ => null,
        };
    }

    /// <summary>What is missing when pwsh could not write a new user namespace's maps.</summary>
    internal static string? HintForIdMapWrite(ErrnoException ex) =>
        ex.Errno is Errno.EPERM or Errno.EACCES
            ? "Writing an id map needs CAP_SETUID (uid_map) or CAP_SETGID (gid_map) in the parent user namespace; an ordinary user can map only their own ids (-MapRootUser, -MapCurrentUser, -MapUser, -MapGroup), and a gid map of their own needs -SetGroups Deny"
            : null;

    // Inputs the cmdlets check themselves.

    /// <summary>A path PowerShell's providers cannot resolve (a missing drive, a bad provider path).</summary>
    internal static ErrorRecord InvalidPath(Exception ex, string path) =>
        new(ex, "InvalidPath", ErrorCategory.InvalidArgument, path);

    /// <summary>A -Container value that no process's cgroup names.</summary>
    internal static ErrorRecord ContainerNotFound(string container) =>
        new(new ItemNotFoundException($"No container with id or name '{container}' (or starting with it): no process's cgroup names one (docker, containerd, cri-o, podman, runc, lxc, systemd-nspawn, kubepods)."),
            "ContainerNotFound", ErrorCategory.ObjectNotFound, container);

    /// <summary>The target process's cgroups cannot be joined (Enter-Namespace -JoinCgroup); the id is the reason's.</summary>
    internal static ErrorRecord CgroupJoin(Core.Plans.CgroupJoinException ex, object input) =>
        new(ex, ex.ErrorId, ex.ErrorId == "CgroupUnreadable" ? ErrorCategory.ReadError : ErrorCategory.ObjectNotFound, input);

    /// <summary>A PID that names no process (or thread) in the PID namespace it was given in.</summary>
    internal static ErrorRecord PidNotInNamespace(int pid, string pidNamespace, bool threads) =>
        new(new ItemNotFoundException($"No {(threads ? "thread" : "process")} has PID {pid} in {pidNamespace} (or it is one this session cannot see)."),
            "PidNotInNamespace", ErrorCategory.ObjectNotFound, pid);

    /// <summary>A PID namespace whose init has exited: none of its PIDs names a process any more.</summary>
    internal static ErrorRecord PidNamespaceEmpty(string pidNamespace, object? input) =>
        new(new PSInvalidOperationException($"{pidNamespace} has no process left: its init (PID 1) has exited, so none of its PIDs names a process."),
            "PidNamespaceEmpty", ErrorCategory.ResourceUnavailable, input);

    // Invoke-InNamespace.

    /// <summary>Invoke-InNamespace called from a thread that is itself inside other namespaces.</summary>
    internal static ErrorRecord NestedInvokeInNamespace(string namespaces) =>
        new(new PSInvalidOperationException(
                $"Invoke-InNamespace cannot run on a thread that is itself inside other namespaces ({namespaces}), such as inside another Invoke-InNamespace script block. Join every namespace in one call instead (-Type, -Path)."),
            "NestedInvokeInNamespace", ErrorCategory.InvalidOperation, null);

    /// <summary>An argument or $using: value that cannot be handed to another runspace (a script block).</summary>
    internal static ErrorRecord ValueNotPassable(PSArgumentException ex, ScriptBlock block) =>
        new(ex, "ValueNotPassable", ErrorCategory.InvalidArgument, block);

    /// <summary>The worker thread could not join the target or run the block there (not an error of the block itself).</summary>
    internal static ErrorRecord NamespaceWorkerFailed(Exception ex, object input) => ex is ErrnoException errno
        ? FromErrno(errno, input, errno.Errno is Errno.EPERM ? "Joining another process's namespaces needs CAP_SYS_ADMIN in the user namespace that owns them (root)" : null)
        : new(ex, "NamespaceWorkerFailed", ErrorCategory.InvalidOperation, input);

    /// <summary>The block's runspace failed in a way PowerShell did not turn into an ErrorRecord itself.</summary>
    internal static ErrorRecord InvokeInNamespaceFailed(Exception ex, object input) =>
        new(ex, "InvokeInNamespaceFailed", ErrorCategory.NotSpecified, input);

    // Remove-Namespace.

    /// <summary>A namespace file given through a symbolic link (itself or a directory on its path), which removal never follows.</summary>
    internal static ErrorRecord PathIsSymbolicLink(string path, Exception inner, object input) =>
        new(new PSArgumentException($"'{path}' is, or goes through a directory that is, a symbolic link: namespace files are never unmounted through one. Give the path it points to.", inner),
            "PathIsSymbolicLink", ErrorCategory.InvalidArgument, input);

    /// <summary>The namespace was unmounted, but another mount still covers the file, so it stays.</summary>
    internal static ErrorRecord StillMounted(string path, ErrnoException ex, object input) =>
        new(new PSInvalidOperationException($"One namespace was unmounted from '{path}', but another mount is still on it, so the file stays.", ex),
            "unlink,EBUSY", ErrorCategory.ResourceBusy, input);

    /// <summary>A path that is not on nsfs, so no namespace.</summary>
    internal static ErrorRecord NotANamespace(NotANamespaceException ex, object? input) =>
        new(ex, "NotANamespace", ErrorCategory.InvalidArgument, input);

    // Set-NamespaceNetNsId.

    /// <summary>The network namespace already has another NETNSID, which the kernel never changes.</summary>
    internal static ErrorRecord NetNsIdAssigned(string path, int current, object input) =>
        new(new PSInvalidOperationException($"'{path}' already has NETNSID {current}; the kernel does not change an assigned NETNSID."),
            "NetNsIdAssigned", ErrorCategory.ResourceExists, input);

    /// <summary>The NETNSID asked for is another network namespace's.</summary>
    internal static ErrorRecord NetNsIdInUse(int netNsId, ErrnoException ex, object input) =>
        new(new PSInvalidOperationException($"NETNSID {netNsId} already belongs to another network namespace (ip netns list-id shows them).", ex),
            "NetNsIdInUse", ErrorCategory.ResourceExists, input);

    // ConvertTo-NamespaceGraph.

    /// <summary>-OutFile *.svg without Graphviz's dot on PATH.</summary>
    internal static ErrorRecord GraphvizNotInstalled(string outFile) =>
        new(new InvalidOperationException("Rendering an SVG needs Graphviz's dot, which is not on PATH. Install it (Debian, Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz), or write the DOT text with -OutFile x.dot or without -OutFile."),
            "GraphvizNotInstalled", ErrorCategory.NotInstalled, outFile);

    /// <summary>Graphviz's dot ran but could not render the file.</summary>
    internal static ErrorRecord GraphvizFailed(string path, string failure, string outFile) =>
        new(new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "Graphviz could not render {0}: {1}", path, failure)),
            "GraphvizFailed", ErrorCategory.WriteError, outFile);

    // New-Namespace.

    /// <summary>New-Namespace -Type without -Name, -Path or -FilePath: nothing would hold the new namespaces.</summary>
    internal static ErrorRecord NoNamespaceHolder(NamespaceType[] types) =>
        InvalidArgument("NoNamespaceHolder",
            "New-Namespace needs something to hold the new namespaces: -Name NAME (a named network namespace, as ip netns add makes), -Path FILE (a file per -Type, as unshare --net=FILE), or -FilePath PROGRAM (a program run in them, as unshare PROGRAM).",
            types);
}
