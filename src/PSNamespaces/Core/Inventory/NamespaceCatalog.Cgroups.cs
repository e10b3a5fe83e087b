using System;
using PSNamespaces.Core.Attribution;

namespace PSNamespaces.Core.Inventory;

// Who owns each namespace (Core/Attribution), and the rule for when a process's cgroup file is
// worth its read: for the lowest PID always, for every process only when asked.
internal sealed partial class NamespaceCatalog
{
    // The cgroup file is read for each namespace's lowest PID only, unless every process's is
    // asked for (Units and Containers in full, -Unit and -Container filters): one more open and
    // read per process would cost the full scan a good part of its time.
    private CgroupFile _cgroups = new();
    private bool _allCgroups;

    /// <summary>Reads a process's cgroup and notes its unit and container on every namespace it is in.</summary>
    private CgroupAttribution? ReadCgroup(int processFd, ReadOnlySpan<ulong> inodes, Entry[] entries)
    {
        CgroupAttribution? cgroup = _cgroups.Read(processFd);
        if (cgroup is null)
        {
            return null;
        }

        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            var link = (NamespaceLink)i;
            if (inodes[i] != 0 && link is not (NamespaceLink.PidForChildren or NamespaceLink.TimeForChildren))
            {
                entries[i].AddCgroup(cgroup);
            }
        }

        return cgroup;
    }
}
