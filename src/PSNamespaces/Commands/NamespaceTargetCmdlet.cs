using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Attribution;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Commands;

/// <summary>
/// The base of every cmdlet that acts inside existing namespaces (Enter-Namespace,
/// Invoke-InNamespace, Get-NamespaceInterface): the one way to name the target — a process, namespace objects, nsfs files
/// a named network namespace or a container — declared once, with one help text
/// (docs/en-US/NamespaceTarget.parameters.md), and resolved once, here, through
/// Core/Targets/TargetResolver: each derived cmdlet gets the open target in
/// <see cref="ProcessRecordWithTarget"/> and never names namespaces a second way.
/// </summary>
public abstract class NamespaceTargetCmdlet : NamespaceCmdlet
{
    protected const string PidSet = "Pid";
    protected const string NamespaceSet = "Namespace";
    protected const string PathSet = "Path";
    protected const string NameSet = "Name";
    protected const string ContainerSet = "Container";

    // With NamespacesTogether: the namespace objects of the whole pipeline, resolved at its end.
    private readonly List<Namespace> _together = new();

    /// <summary>
    /// Processes whose namespaces to use (nsenter --target); the command runs once for each. Each
    /// is pinned with a pidfd while its namespaces are opened, so a PID reused meanwhile is refused.
    /// </summary>
    // Position 1, not 0: positions only order the positional parameters, so `Enter-Namespace 1234`
    // binds -Pid, and Invoke-InNamespace's script block keeps position 0.
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PidSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "ProcessId")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(PidCompleter))]
    public int[] Pid { get; set; } = Array.Empty<int>();

    /// <summary>
    /// Namespace objects, as Get-Namespace and -PassThru write them. Each is reopened through what
    /// holds it (its bind mounts, its name, its process) and checked to be that namespace.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = NamespaceSet, ValueFromPipeline = true)]
    [NamespaceEventTransformation]
    public Namespace[] Namespace { get; set; } = Array.Empty<Namespace>();

    /// <summary>
    /// nsfs files to use together, one per kind: /proc/PID/ns/* entries or bind mounts of them
    /// (such as /run/netns/NAME). Taken literally, no wildcards.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Named network namespaces (files in /run/netns, as ip netns names them); the command runs
    /// once for each. Wildcards run it in every name that matches, in name order (-Name * is
    /// ip -all netns exec).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetnsNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Containers whose namespaces to use, by id, a unique prefix of it (the short id docker ps
    /// prints), a name (docker, podman, runc, lxc, machines) or "runtime:id", as the processes'
    /// cgroups name them; a pattern must select one container. The command runs once for each,
    /// in the namespaces of the container's lowest PID (nsenter -t (the State.Pid of docker inspect ID)).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ContainerSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string[] Container { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The processes -Pid or -Container name, each with the input an error should name. A
    /// container that is not found or not unique is an error of its own, and left out.
    /// </summary>
    private IEnumerable<(int Pid, object Input)> TargetProcesses()
    {
        if (ParameterSetName != ContainerSet)
        {
            foreach (int pid in Pid)
            {
                yield return (pid, pid);
            }

            yield break;
        }

        List<RunningContainer> running = ContainerResolver.Running(StopToken);
        foreach (string container in Container)
        {
            if (ContainerResolver.ResolveOne(container, running, out ErrorRecord? error) is RunningContainer found)
            {
                WriteVerbose($"Container {container}: {found.Key}, entering through its lowest PID, {found.Pid}.");
                yield return (found.Pid, container);
            }
            else
            {
                WriteError(error!);
            }
        }
    }

    /// <summary>Whether -Name can name more than one namespace (several names, or a pattern that is not an existing name).</summary>
    protected bool SeveralNames => Name.Length > 1 || (Name.Length == 1 && !WildcardPatterns.NetnsName(Name[0], out _).IsLiteral);

    /// <summary>-Type: the kinds to act in; null when not given.</summary>
    protected abstract NamespaceType[]? TargetTypes { get; }

    /// <summary>Without -Type, the kinds of a process's namespaces to consider (those where it differs from pwsh are taken).</summary>
    protected abstract IReadOnlyCollection<NamespaceType> ProcessKinds { get; }

    /// <summary>
    /// Whether every namespace object of the pipeline makes one target, resolved once the
    /// pipeline has given them all (Enter-Namespace: one program in all of them), instead of one
    /// target per object.
    /// </summary>
    protected virtual bool NamespacesTogether => false;

    /// <summary>
    /// Acts in one resolved target. The target is the derived cmdlet's to dispose (or to hand on).
    /// </summary>
    /// <param name="target">The open namespaces, the kinds of -Type (or the default) only.</param>
    /// <param name="input">What the user named, for errors: a PID, a container, a namespace object (or all of them), a path (or all), a name.</param>
    /// <param name="netnsName">With -Name, the named network namespace the target is.</param>
    private protected abstract void ProcessRecordWithTarget(NamespaceTarget target, object input, string? netnsName);

    protected sealed override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PidSet or ContainerSet:
                foreach ((int pid, object input) in TargetProcesses())
                {
                    Resolve(new TargetDescription.Process(pid), input, null, pid);
                }

                break;
            case NamespaceSet when NamespacesTogether:
                _together.AddRange(Namespace);
                break;
            case NamespaceSet:
                foreach (Namespace ns in Namespace)
                {
                    Resolve(new TargetDescription.Namespaces(new[] { NamespaceObject.ToIdentity(ns) }), ns, null);
                }

                break;
            case PathSet:
                var paths = new List<string>();
                foreach (string path in Path)
                {
                    if (ResolveFileSystemPath(path, out ErrorRecord? error) is not string resolved)
                    {
                        WriteError(error!);
                        return;
                    }

                    paths.Add(resolved);
                }

                Resolve(new TargetDescription.Paths(paths), Path.Length == 1 ? Path[0] : Path, null);
                break;
            case NameSet:
                foreach (string name in TargetNames())
                {
                    Resolve(new TargetDescription.NetnsName(name), name, name);
                }

                break;
        }
    }

    protected sealed override void EndProcessing()
    {
        if (_together.Count > 0)
        {
            Resolve(
                new TargetDescription.Namespaces(_together.ConvertAll(NamespaceObject.ToIdentity)),
                _together.Count == 1 ? _together[0] : _together.ToArray(),
                null);
        }
    }

    /// <summary>Opens one target and hands it on; one that cannot be opened is that input's error.</summary>
    private void Resolve(TargetDescription description, object input, string? netnsName, int? pid = null)
    {
        StopToken.ThrowIfCancellationRequested();
        NamespaceTarget target;
        try
        {
            target = TargetResolver.Open(description, TargetTypes, ProcessKinds);
        }
        catch (Exception ex) when (ErrorRecords.IsTargetFailure(ex))
        {
            WriteError(ErrorRecords.TargetFailure(ex, input, pid));
            return;
        }

        ProcessRecordWithTarget(target, input, netnsName);
    }

    /// <summary>
    /// The names -Name gives, a wildcard expanded to the matching entries of /run/netns in
    /// ordinal order; a wildcard that matches none is an error of its own (ip -all netns exec
    /// says nothing then, but a user who asked for every namespace should learn there is none).
    /// </summary>
    private IEnumerable<string> TargetNames()
    {
        foreach (string text in Name)
        {
            NetnsNameMatcher matcher = WildcardPatterns.NetnsName(text, out ErrorRecord? invalid);
            if (!matcher.IsLiteral && !matcher.IsValid)
            {
                WriteError(invalid!);
                continue;
            }

            List<string> names = matcher.Names();
            if (names.Count == 0)
            {
                WriteError(ErrorRecords.NamespaceNotFound(NetnsNameMatcher.NoMatchMessage(text), text));
                continue;
            }

            foreach (string name in names)
            {
                yield return name;
            }
        }
    }
}
