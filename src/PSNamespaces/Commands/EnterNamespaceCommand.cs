using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PSNamespaces.Core;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Commands;

/// <summary>
/// <para type="synopsis">Runs a program inside existing namespaces: those of a process, namespace objects,
/// nsfs files, or a named network namespace (like nsenter and ip netns exec). Without a program, an
/// interactive shell.</para>
/// </summary>
[Cmdlet(VerbsCommon.Enter, "Namespace", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(string), typeof(LaunchedProcess))]
public sealed class EnterNamespaceCommand : NamespaceCmdlet
{
    private const string PidSet = "Pid";
    private const string NamespaceSet = "Namespace";
    private const string PathSet = "Path";
    private const string NameSet = "Name";

    private readonly List<Namespace> _namespaces = new();

    /// <summary>The process whose namespaces to enter (nsenter --target). It is pinned with a pidfd
    /// and its namespaces joined with one setns(pidfd, flags).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PidSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(PidCompleter))]
    public int Pid { get; set; }

    /// <summary>Namespaces to enter, one per kind, as Get-Namespace and -PassThru write them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NamespaceSet, ValueFromPipeline = true)]
    public Namespace[] Namespace { get; set; } = Array.Empty<Namespace>();

    /// <summary>nsfs files to enter, one per kind: /proc/PID/ns/* entries or bind mounts of them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>A named network namespace (/run/netns/NAME), entered as ip netns exec does: with
    /// /etc/netns/NAME/* bound over /etc and a fresh /sys, in a mount namespace of the program's own.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>The kinds to enter. Default: with -Pid, every kind in which the process differs from
    /// pwsh (nsenter --all); otherwise every kind given.</summary>
    [Parameter(ParameterSetName = PidSet)]
    [Parameter(ParameterSetName = NamespaceSet)]
    [Parameter(ParameterSetName = PathSet)]
    public NamespaceType[]? Type { get; set; }

    /// <summary>The program to run, looked up in PATH inside the namespaces. Default: an interactive
    /// shell, $SHELL or, without it, pwsh with this module.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? FilePath { get; set; }

    /// <summary>The program's arguments, each passed as is.</summary>
    [Parameter]
    [Alias("Args")]
    [ValidateNoNul]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    /// <summary>The root directory (chroot) for the program, a path inside the entered namespaces (nsenter --root).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? Root { get; set; }

    /// <summary>The working directory, inside the entered namespaces (nsenter --wd). Default: pwsh's
    /// location, or / of an entered mount namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string? WorkingDirectory { get; set; }

    /// <summary>The uid to run as (nsenter --setuid). Entering a user namespace, 0 unless -PreserveCredentials.</summary>
    [Parameter]
    public uint? UserId { get; set; }

    /// <summary>The gid to run as (nsenter --setgid). Entering a user namespace, 0 unless -PreserveCredentials.</summary>
    [Parameter]
    public uint? GroupId { get; set; }

    /// <summary>Keeps uid, gid and groups as they are when entering a user namespace (nsenter --preserve-credentials).</summary>
    [Parameter]
    public SwitchParameter PreserveCredentials { get; set; }

    /// <summary>Writes an object with the program's PID, its namespaces and, once it ended, its exit code.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Starts the program in the background (standard input from /dev/null) and writes its object at once.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == NamespaceSet)
        {
            // Every namespace piped in is entered by one program, once the pipeline has given them all.
            _namespaces.AddRange(Namespace);
            return;
        }

        object target = ParameterSetName switch
        {
            PidSet => Pid,
            PathSet => Path,
            _ => Name,
        };
        Enter(target);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == NamespaceSet && _namespaces.Count > 0)
        {
            Enter(_namespaces.ToArray());
        }
    }

    private void Enter(object target)
    {
        NamespaceTarget? namespaces = Resolve(target);
        if (namespaces is null)
        {
            return;
        }

        using (namespaces)
        {
            (string file, string[] arguments) = Program();
            var runner = new ProgramRunner(this, StopToken) { PassThru = PassThru, NoWait = NoWait };
            runner.Run(NsenterPlan.Build(Options(namespaces)), file, arguments, Hint);
        }
    }

    /// <summary>Opens the namespaces the user named, or writes why not and returns null.</summary>
    private NamespaceTarget? Resolve(object target)
    {
        try
        {
            return ParameterSetName switch
            {
                PidSet => FromPid(),
                NamespaceSet => FromNamespaces((Namespace[])target),
                PathSet => Selected(NamespaceTarget.FromPaths(Path.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)))),
                _ => NamespaceTarget.FromNetnsName(Name),
            };
        }
        catch (ErrnoException ex) when (ParameterSetName == PidSet)
        {
            WriteError(ErrorRecords.ProcessUnreadable(Pid, ex.Errno, ex.Function));
        }
        catch (ErrnoException ex) when (ParameterSetName == NameSet && ex.Errno == Errno.ENOENT)
        {
            WriteError(ErrorRecords.NamespaceNotFound($"There is no network namespace named '{Name}' in {NamedNetns.RunDirectory}.", Name));
        }
        catch (ErrnoException ex)
        {
            WriteError(ErrorRecords.FromErrno(ex, target));
        }
        catch (NotANamespaceException ex)
        {
            WriteError(new ErrorRecord(ex, "NotANamespace", ErrorCategory.InvalidArgument, ex.Path));
        }
        catch (ArgumentException ex)
        {
            WriteError(ErrorRecords.InvalidArgument("InvalidNamespaceTarget", ex.Message, target));
        }

        return null;
    }

    /// <summary>
    /// The process's namespaces: the kinds asked for, or (nsenter --all) every kind in which it
    /// differs from pwsh. A user namespace pwsh is already in cannot be entered again (setns
    /// refuses, so that no one regains capabilities they dropped).
    /// </summary>
    private NamespaceTarget FromPid()
    {
        NamespaceTarget all = NamespaceTarget.FromPid(Pid, Type ?? NamespaceTypes.All);
        try
        {
            IEnumerable<NamespaceType> kinds = all.Files.Keys.Where(t => Type is not null || all.Files[t].Inode != OwnInode(t));
            if (Type is not null && Type.Contains(NamespaceType.User) && all.Files[NamespaceType.User].Inode == OwnInode(NamespaceType.User))
            {
                throw new ArgumentException($"pwsh is already in the user namespace of process {Pid}; setns refuses to enter it again. Leave User out of -Type.");
            }

            return all.Select(kinds.ToArray());
        }
        catch
        {
            all.Dispose();
            throw;
        }
    }

    /// <summary>The namespace of a kind pwsh's pipeline thread is in (all of pwsh's threads share it).</summary>
    private static ulong OwnInode(NamespaceType type)
    {
        if (Sys.TryOpenAt(LibC.AT_FDCWD, "/proc/thread-self\0"u8, LibC.O_RDONLY | LibC.O_DIRECTORY, out int fd) != 0)
        {
            return 0;
        }

        try
        {
            return ProcessNamespaceReader.ReadLink(fd, NamespaceLinks.Of(type), out ulong inode) == 0 ? inode : 0;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>
    /// Opens each namespace object through a path that holds it (its bind mounts, a process in it)
    /// and checks the identity: only the values of the object are trusted, so one from another
    /// session or from Import-Clixml works as long as that namespace still exists.
    /// </summary>
    private NamespaceTarget FromNamespaces(Namespace[] namespaces)
    {
        var paths = new List<string>();
        using var scanner = new ProcessScanner();
        foreach (Namespace ns in namespaces)
        {
            paths.Add(PathHolding(ns, scanner) ??
                throw new ErrnoException("open", Errno.ENOENT, ns.Id + ": no process or bind mount holds it any more"));
        }

        NamespaceTarget target = Selected(NamespaceTarget.FromPaths(paths));
        foreach (Namespace ns in namespaces)
        {
            if (!target.Files.TryGetValue(ns.Type, out NamespaceFile? file) || file.Inode != ns.Inode || ns.Device != Nsfs.Device)
            {
                target.Dispose();
                throw new ErrnoException("open", Errno.ESTALE, ns.Id + " was replaced while it was opened");
            }
        }

        return target;
    }

    private static string? PathHolding(Namespace ns, ProcessScanner scanner)
    {
        // Get-Namespace's objects may carry where they are held; plain ones are looked up in /proc.
        var properties = PSObject.AsPSObject(ns).Properties;
        if (properties["NsfsPaths"]?.Value is IEnumerable<string> nsfsPaths && nsfsPaths.FirstOrDefault() is string nsfs)
        {
            return nsfs;
        }

        if (properties["Pid"]?.Value is int holder && holder > 0)
        {
            return $"/proc/{holder}/ns/{ns.Type.ProcName()}";
        }

        NamespaceLink link = NamespaceLinks.Of(ns.Type);
        foreach (int pid in scanner.ListPids())
        {
            if (scanner.TryReadNamespaces(pid, out _, out _, link, ns.Inode) is not null)
            {
                return $"/proc/{pid}/ns/{ns.Type.ProcName()}";
            }
        }

        return null;
    }

    private NamespaceTarget Selected(NamespaceTarget target)
    {
        if (Type is null)
        {
            return target;
        }

        try
        {
            return target.Select(Type);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    private NsenterOptions Options(NamespaceTarget target)
    {
        bool user = target.Files.ContainsKey(NamespaceType.User);
        bool setCredentials = user && !PreserveCredentials;
        uint? uid = UserId ?? (setCredentials ? 0u : null);
        uint? gid = GroupId ?? (setCredentials ? 0u : null);
        // In a user namespace whose setgroups is "deny", setgroups(2) always fails: leave the groups.
        bool dropGroups = !PreserveCredentials && (uid is not null || gid is not null) &&
                          (!user || (target.Pid is int pid && SetgroupsAllowed(pid)));
        bool netns = ParameterSetName == NameSet;
        List<EtcBind>? binds = null;
        bool unmountSys = false;
        if (netns)
        {
            var missing = new List<string>();
            binds = NetnsExec.EtcBinds(Name, missing);
            foreach (string file in missing)
            {
                WriteWarning($"{NetnsExec.EtcDirectory}/{Name}/{System.IO.Path.GetFileName(file)} is not bound: {file} does not exist.");
            }

            unmountSys = NetnsExec.SysIsMounted();
        }

        return new NsenterOptions
        {
            Target = target,
            CallerDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            Fork = target.Files.ContainsKey(NamespaceType.Pid),
            UserFirst = LibC.geteuid() != 0,
            NetnsBinds = binds,
            UnmountSys = unmountSys,
            SysReadOnly = netns && !unmountSys && NetnsExec.SysReadOnly(),
            Root = Root,
            WorkingDirectory = WorkingDirectory,
            DropSupplementaryGroups = dropGroups,
            UserId = uid,
            GroupId = gid,
        };
    }

    private static bool SetgroupsAllowed(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/setgroups").Trim() == "allow";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The program, or (like nsenter) an interactive shell: $SHELL, else this pwsh with the module.</summary>
    private (string File, string[] Arguments) Program()
    {
        if (FilePath is not null)
        {
            return (FilePath, ArgumentList);
        }

        string? shell = Environment.GetEnvironmentVariable("SHELL");
        if (!string.IsNullOrEmpty(shell) && System.IO.Path.GetFileName(shell) != "pwsh")
        {
            return (shell, ArgumentList);
        }

        string pwsh = string.IsNullOrEmpty(shell) ? System.IO.Path.Combine(AppContext.BaseDirectory, "pwsh") : shell;
        string module = System.IO.Path.GetDirectoryName(typeof(EnterNamespaceCommand).Assembly.Location)!;
        return (pwsh, new[] { "-NoLogo", "-NoExit", "-Command", $"Import-Module '{module.Replace("'", "''", StringComparison.Ordinal)}'" });
    }

    private static string? Hint(LaunchFailedException ex)
    {
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
}
