using System.Collections.Generic;
using System.IO;
using PSNamespaces.Interop;
using Tmds.Linux;

namespace PSNamespaces.Core.Plans;

/// <summary>A file of /etc/netns/NAME bound over its namesake in /etc.</summary>
internal sealed record EtcBind(string Source, string Target);

/// <summary>
/// What `ip netns exec NAME` sets up besides joining the network namespace, in a mount namespace
/// of the program's own: /etc/netns/NAME/* bound over the files of the same name in /etc, and a
/// fresh /sys that shows the joined namespace's network devices.
/// </summary>
internal static unsafe class NetnsExec
{
    /// <summary>iproute2's NETNS_ETC_DIR.</summary>
    internal const string EtcDirectory = "/etc/netns";

    /// <summary>
    /// The bind mounts to make. A target that is a symlink (/etc/resolv.conf often is) is
    /// resolved here, as mount(2) would follow it for iproute2, so the helper mounts on the final
    /// file and refuses any symlink it meets. Targets that do not exist are left out and listed
    /// in missing (iproute2 warns about them and goes on).
    /// </summary>
    internal static List<EtcBind> EtcBinds(string name, List<string> missing)
    {
        var binds = new List<EtcBind>();
        var directory = new DirectoryInfo(Path.Combine(EtcDirectory, name));
        if (!directory.Exists)
        {
            return binds;
        }

        foreach (FileSystemInfo entry in directory.EnumerateFileSystemInfos())
        {
            string target = Path.Combine("/etc", entry.Name);
            FileSystemInfo? final = new FileInfo(target).ResolveLinkTarget(returnFinalTarget: true);
            string resolved = final?.FullName ?? target;
            if (!Path.Exists(resolved))
            {
                missing.Add(target);
                continue;
            }

            binds.Add(new EtcBind(entry.FullName, resolved));
        }

        return binds;
    }

    /// <summary>Whether /sys is a mount point of its own (so it can be unmounted before the fresh one).</summary>
    internal static bool SysIsMounted()
    {
        int err = Sys.TryStatxAt(LibC.AT_FDCWD, "/sys\0"u8, LibC.AT_SYMLINK_NOFOLLOW, Sys.STATX_TYPE, out statx stx);
        return err == 0 && (stx.stx_attributes_mask & Sys.STATX_ATTR_MOUNT_ROOT) != 0 &&
               (stx.stx_attributes & Sys.STATX_ATTR_MOUNT_ROOT) != 0;
    }

    /// <summary>
    /// Whether the fresh sysfs must be read-only: when /sys is no mount point, the sysfs goes over
    /// whatever holds /sys, and a read-only filesystem cannot be shadowed by a read-write one.
    /// </summary>
    internal static bool SysReadOnly()
    {
        statvfs st;
        fixed (byte* path = "/sys\0"u8)
        {
            if (LibC.statvfs(path, &st) != 0)
            {
                return false;
            }
        }

        return ((ulong)st.f_flag & (ulong)LibC.ST_RDONLY) != 0;
    }
}
