using System;
using System.Collections.Generic;
using System.Management.Automation;
using PSNamespaces.Core.Model;

namespace PSNamespaces.Commands;

/// <summary>
/// The base of every cmdlet that acts inside existing namespaces (Enter-Namespace,
/// Invoke-InNamespace): the one way to name the target — a process, namespace objects, nsfs files
/// a named network namespace or a container — declared once, with one help text
/// (docs/en-US/NamespaceTarget.parameters.md).
/// </summary>
public abstract class NamespaceTargetCmdlet : NamespaceCmdlet
{
    protected const string PidSet = "Pid";
    protected const string NamespaceSet = "Namespace";
    protected const string PathSet = "Path";
    protected const string NameSet = "Name";
    protected const string ContainerSet = "Container";

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

    /// <summary>Whether -Name can name more than one namespace (several names, or a wildcard).</summary>
    protected bool SeveralNames => Name.Length > 1 || Array.Exists(Name, WildcardPattern.ContainsWildcardCharacters);

    /// <summary>
    /// The names -Name gives, a wildcard expanded to the matching entries of /run/netns in
    /// ordinal order; a wildcard that matches none is an error of its own (ip -all netns exec
    /// says nothing then, but a user who asked for every namespace should learn there is none).
    /// </summary>
    protected IEnumerable<string> TargetNames()
    {
        foreach (string name in Name)
        {
            // ip netns allows [, ] and * in names: a name that exists is taken as it is.
            if (!WildcardPattern.ContainsWildcardCharacters(name) || System.IO.File.Exists(NamespaceName.PathOf(name)))
            {
                yield return name;
                continue;
            }

            if (!WildcardPatterns.TryCompile(name, WildcardOptions.None, out WildcardPattern pattern, out ErrorRecord? invalid))
            {
                WriteError(invalid!);
                continue;
            }

            var matches = new List<string>();
            if (System.IO.Directory.Exists(NamespaceName.RunDirectory))
            {
                foreach (string path in System.IO.Directory.EnumerateFileSystemEntries(NamespaceName.RunDirectory))
                {
                    string entry = System.IO.Path.GetFileName(path);
                    if (pattern.IsMatch(entry))
                    {
                        matches.Add(entry);
                    }
                }
            }

            if (matches.Count == 0)
            {
                WriteError(ErrorRecords.NamespaceNotFound($"No network namespace in {NamespaceName.RunDirectory} matches '{name}'.", name));
                continue;
            }

            matches.Sort(StringComparer.Ordinal);
            foreach (string match in matches)
            {
                yield return match;
            }
        }
    }

    /// <summary>
    /// Containers whose namespaces to use, by id, a unique prefix of it, a name (lxc, machines) or
    /// "runtime:id", as the processes' cgroups name them; the command runs once for each, in the
    /// namespaces of the container's lowest PID (nsenter -t (the State.Pid of docker inspect ID)).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ContainerSet)]
    [ValidateNotNullOrEmpty]
    [ValidateNoNul]
    public string[] Container { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The processes -Pid or -Container name, each with the input an error should name. A
    /// container that is not found or not unique is an error of its own, and left out.
    /// </summary>
    protected IEnumerable<(int Pid, object Input)> TargetProcesses()
    {
        if (ParameterSetName != ContainerSet)
        {
            foreach (int pid in Pid)
            {
                yield return (pid, pid);
            }

            yield break;
        }

        foreach (string container in Container)
        {
            if (ContainerResolver.Resolve(container, StopToken, out ErrorRecord? error) is int pid)
            {
                WriteVerbose($"Container {container}: entering through its lowest PID, {pid}.");
                yield return (pid, container);
            }
            else
            {
                WriteError(error!);
            }
        }
    }
}
