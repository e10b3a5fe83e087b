using System;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Plans;
using PSNamespaces.Core.Targets;
using PSNamespaces.Core.Threads;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Persistence;

/// <summary>New namespaces made with unshare(2) on a dedicated thread, handed back as descriptors.</summary>
internal static class NamespaceUnshare
{
    /// <summary>The work here is a handful of system calls: 256 KiB of stack is plenty, and starts faster than the default.</summary>
    private const int SmallStack = 256 * 1024;

    /// <summary>
    /// Creates one new namespace of each type with a single unshare(2) and returns descriptors that
    /// hold them. The unshare happens on a new thread that ends with it, so no thread of the
    /// session ever changes namespace; the descriptors keep the namespaces alive after it is gone.
    /// </summary>
    /// <param name="types">
    /// The kinds to create; never User (refused in a multithreaded process), nor Pid (its
    /// pid_for_children cannot be opened before a process is its PID 1).
    /// </param>
    /// <param name="loopbackUp">Set lo up in the new network namespace.</param>
    internal static NamespaceTarget Create(NamespaceType[] types, bool loopbackUp)
    {
        int flags = 0;
        foreach (NamespaceType type in types)
        {
            flags |= type.CloneFlag();
        }

        return NamespaceThread.Run(() =>
        {
            if (LibC.unshare(flags) != 0)
            {
                throw new ErrnoException("unshare", LibC.errno, string.Join(", ", types));
            }

            if (Array.IndexOf(types, NamespaceType.Mount) >= 0)
            {
                // A new mount namespace gets recursive private propagation, as unshare(1) gives it
                // by default: otherwise mounts made inside would propagate back to the session's.
                Sys.Mount(null, "/", LibC.MS_REC | LibC.MS_PRIVATE, "/");
            }

            if (loopbackUp)
            {
                Loopback.Up();
            }

            var files = new NamespaceFile?[types.Length];
            try
            {
                for (int i = 0; i < types.Length; i++)
                {
                    files[i] = NamespaceFile.OpenOwn("/proc/thread-self/ns/" + NamespaceLinks.FileName(ChildLink(types[i])), types[i]);
                }

                return NamespaceTarget.FromFiles(files!);
            }
            catch
            {
                foreach (NamespaceFile? file in files)
                {
                    file?.Dispose();
                }

                throw;
            }
        }, name: null, SmallStack); // unnamed: a loop making many namespaces pays for every thread's start
    }

    /// <summary>
    /// Creates new namespaces that include a user namespace, which pwsh cannot make itself (the
    /// kernel refuses unshare(CLONE_NEWUSER) to a multithreaded process): the single-threaded exec
    /// helper unshares them all in one call and waits at a sync step while pwsh opens them through
    /// /proc/HELPER/ns/*. The descriptors keep them alive after the helper exits. No id map is
    /// written, as with unshare --user=FILE without --map-*.
    /// </summary>
    internal static NamespaceTarget CreateWithHelper(NamespaceType[] types)
    {
        int flags = 0;
        foreach (NamespaceType type in types)
        {
            flags |= type.CloneFlag();
        }

        var plan = new LaunchPlan();
        plan.Unshare(flags, string.Join(",", Array.ConvertAll(types, t => t.ProcName())));
        if (Array.IndexOf(types, NamespaceType.Mount) >= 0)
        {
            plan.Propagation("/", MountPropagation.Private);
        }

        plan.Sync(SyncWork.OpenNamespaces, "open", "open the new namespaces");
        NamespaceTarget? made = null;
        void Open(SyncWork work, int pid)
        {
            var files = new NamespaceFile?[types.Length];
            try
            {
                for (int i = 0; i < types.Length; i++)
                {
                    string link = NamespaceLinks.FileName(ChildLink(types[i]));
                    files[i] = NamespaceFile.Open($"/proc/{pid}/ns/{link}", types[i]);
                }

                made = NamespaceTarget.FromFiles(files!);
            }
            catch
            {
                foreach (NamespaceFile? file in files)
                {
                    file?.Dispose();
                }

                throw;
            }
        }

        HelperProcess.RunToEnd(plan, Open);
        return made ?? throw new InvalidOperationException("The exec helper ended before its namespaces were opened.");
    }

    /// <summary>
    /// The entry that names the new namespace of a kind: unshare(2) of a PID or time namespace
    /// moves only the thread's future children, so their new namespace is in *_for_children.
    /// </summary>
    private static NamespaceLink ChildLink(NamespaceType type) => type switch
    {
        NamespaceType.Pid => NamespaceLink.PidForChildren,
        NamespaceType.Time => NamespaceLink.TimeForChildren,
        _ => NamespaceLinks.Of(type),
    };
}
