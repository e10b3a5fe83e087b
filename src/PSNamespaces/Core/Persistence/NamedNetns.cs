using PSNamespaces.Core.Model;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Persistence;

/// <summary>Named network namespaces, where and how iproute2 keeps them.</summary>
internal static class NamedNetns
{
    /// <summary>
    /// Makes /run/netns ready to hold a new name, exactly as `ip netns add` does: the directory is
    /// created (0755), and under an exclusive flock on it, made a shared mount — when it is not a
    /// mount point yet, first bound onto itself and made private, so that it gets a peer group of
    /// its own. Shared, an unmount of a name propagates to every mount namespace that copied
    /// /run/netns, so a deleted namespace is not kept alive by a copy.
    /// </summary>
    /// <returns>
    /// The directory, opened after it became a mount: files created relative to it land in the
    /// shared mount. Never followed through a symlink.
    /// </returns>
    internal static SafeFd PrepareRunDirectory()
    {
        int err = Sys.TryMkdir(NamespaceName.RunDirectory, 0x1ed /* 0755 */);
        if (err is not (0 or Errno.EEXIST))
        {
            throw new ErrnoException("mkdir", err, NamespaceName.RunDirectory);
        }

        // The lock is on the directory's inode, which the bind below does not change: holding it
        // on this first descriptor serialises against every other creator.
        SafeFd? lockFd = OpenDirectory();
        SafeFd? top = null;
        try
        {
            // iproute2 goes on without the lock when flock fails; so do we.
            Sys.TryFlock(lockFd, Sys.LOCK_EX);
            bool madeMount = false;
            while ((err = Sys.TryMount(null, Sys.FdPath(top ?? lockFd), LibC.MS_SHARED | LibC.MS_REC)) != 0)
            {
                // EINVAL: not a mount point yet. Anything else, or EINVAL after we made it one, is a failure.
                if (err != Errno.EINVAL || madeMount)
                {
                    throw new ErrnoException("mount", err, NamespaceName.RunDirectory);
                }

                Sys.Mount(Sys.FdPath(lockFd), Sys.FdPath(lockFd), LibC.MS_BIND | LibC.MS_REC, NamespaceName.RunDirectory);
                // lockFd still names the directory under the new mount; a fresh open reaches the mount's root.
                top = OpenDirectory();
                Sys.Mount(null, Sys.FdPath(top), LibC.MS_PRIVATE | LibC.MS_REC, NamespaceName.RunDirectory);
                madeMount = true;
            }

            if (top is null)
            {
                Sys.TryFlock(lockFd, Sys.LOCK_UN);
                (top, lockFd) = (lockFd, null);
            }

            return top;
        }
        catch
        {
            top?.Dispose();
            throw;
        }
        finally
        {
            // Closing the descriptor releases its lock.
            lockFd?.Dispose();
        }
    }

    private static SafeFd OpenDirectory() =>
        Sys.OpenAt(LibC.AT_FDCWD, NamespaceName.RunDirectory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW);
}
