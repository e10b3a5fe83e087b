using System.Runtime;

namespace PSNamespaces.Core.Threads;

/// <summary>
/// Keeps the runtime from starting its background-GC thread while any of our threads is inside
/// a target's namespaces. The GC creates that thread (".NET BGC") from whichever thread's
/// allocation starts the first background collection, and again whenever it has ended after
/// 20 idle seconds; created by a namespace worker, it was born in the target and held it for
/// good, since every later background collection of the session wakes it there (a removed netns
/// lived on "held by thread"). No warm-up can prevent it, because the thread ends by itself and
/// is made again on demand; so while a thread is inside, collections are blocking
/// (<see cref="GCLatencyMode.Batch"/>: the runtime starts a background collection only in the
/// interactive and sustained-low-latency modes) and run on the allocating thread, creating none.
/// </summary>
internal static class BackgroundGc
{
    private static readonly object s_lock = new();
    private static int s_inside;
    private static GCLatencyMode s_saved;

    /// <summary>
    /// Called before a thread leaves the session's namespaces (from the session, before setns or
    /// unshare): background collections stop until every such call is matched by <see cref="Resume"/>.
    /// </summary>
    internal static void Suspend()
    {
        lock (s_lock)
        {
            if (s_inside++ == 0)
            {
                s_saved = GCSettings.LatencyMode;
                GCSettings.LatencyMode = GCLatencyMode.Batch;
            }
        }
    }

    /// <summary>Called once the thread that was inside has ended; the last one restores the session's mode.</summary>
    internal static void Resume()
    {
        lock (s_lock)
        {
            // Left alone if someone chose another mode meanwhile.
            if (--s_inside == 0 && GCSettings.LatencyMode == GCLatencyMode.Batch)
            {
                GCSettings.LatencyMode = s_saved;
            }
        }
    }
}
