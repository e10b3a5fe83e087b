using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Core.Proc;

namespace PSNamespaces.Core.Inventory;

/// <summary>
/// What still keeps namespaces alive: processes in them, threads of this session in them, and
/// nsfs bind mounts of them. Open descriptors in other processes and child namespaces hold a
/// namespace too, and are not looked for: reading every process's descriptors costs far more than
/// the removal this serves.
/// </summary>
internal static class NamespaceHolders
{
    /// <summary>For each namespace, a description of every holder found ("PID 1234 (sleep)", "mount /tmp/x"); namespaces with none are absent.</summary>
    internal static Dictionary<(NamespaceType Type, ulong Inode), List<string>> Find(IReadOnlyCollection<(NamespaceType Type, ulong Inode)> namespaces)
    {
        var found = new Dictionary<(NamespaceType, ulong), List<string>>();
        var wanted = new HashSet<(NamespaceType, ulong)>(namespaces);
        var links = new List<NamespaceLink>();
        for (int i = 0; i < NamespaceLinks.Count; i++)
        {
            foreach ((NamespaceType type, _) in wanted)
            {
                if (NamespaceLinks.TypeOf((NamespaceLink)i) == type)
                {
                    links.Add((NamespaceLink)i);
                    break;
                }
            }
        }

        using (var scanner = new ProcessScanner())
        using (var proc = new ProcRoot())
        {
            var hits = new List<(NamespaceType, ulong)>();
            foreach (int pid in proc.ListPids())
            {
                if (Match(proc, pid, links, wanted, hits))
                {
                    string holder = Describe(scanner, pid);
                    foreach ((NamespaceType, ulong) key in hits)
                    {
                        Add(found, key, holder);
                    }
                }
            }
        }

        // This session's threads: a thread kept inside a namespace (Invoke-InNamespace keeps warm ones) holds it too.
        int self = System.Environment.ProcessId;
        using (var tasks = new ProcRoot("/proc/self/task"))
        {
            var hits = new List<(NamespaceType, ulong)>();
            foreach (int tid in tasks.ListPids())
            {
                if (tid != self && Match(tasks, tid, links, wanted, hits))
                {
                    string holder = "thread " + tid.ToString(CultureInfo.InvariantCulture) + " of this PowerShell";
                    foreach ((NamespaceType, ulong) key in hits)
                    {
                        Add(found, key, holder);
                    }
                }
            }
        }

        foreach (NsfsMount mount in NsfsMounts.Read())
        {
            if (wanted.Contains((mount.Type, mount.Inode)))
            {
                Add(found, (mount.Type, mount.Inode), "mount " + mount.MountPoint);
            }
        }

        return found;
    }

    /// <summary>Which of the wanted namespaces /proc/ID/ns shows, into hits; false when none.</summary>
    private static bool Match(ProcRoot root, int id, List<NamespaceLink> links, HashSet<(NamespaceType, ulong)> wanted, List<(NamespaceType, ulong)> hits)
    {
        hits.Clear();
        foreach (NamespaceLink link in links)
        {
            // A process that exited, or may not be read, holds nothing we can name.
            if (root.TryReadLink(id, link, out ulong inode) == 0 && wanted.Contains((NamespaceLinks.TypeOf(link), inode)))
            {
                hits.Add((NamespaceLinks.TypeOf(link), inode));
            }
        }

        return hits.Count > 0;
    }

    private static string Describe(ProcessScanner scanner, int pid)
    {
        NamespaceProcess? process = scanner.TryReadNamespaces(pid, out _, out _);
        string text = "PID " + pid.ToString(CultureInfo.InvariantCulture);
        return process is null ? text : text + " (" + process.Command + ")";
    }

    private static void Add(Dictionary<(NamespaceType, ulong), List<string>> found, (NamespaceType, ulong) key, string holder)
    {
        if (!found.TryGetValue(key, out List<string>? list))
        {
            found[key] = list = new List<string>();
        }

        if (!list.Contains(holder))
        {
            list.Add(holder);
        }
    }
}
