using System;
using System.Text;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// Reads a process's cgroup from /proc/PID/cgroup: the cgroup v2 line "0::PATH". On a machine
/// with only cgroup v1 hierarchies (no "0::" line, or an empty one where v2 is not mounted)
/// the named systemd hierarchy's line "N:name=systemd:PATH" is used, as libsystemd does.
/// </summary>
internal sealed class CgroupFile
{
    // Many processes share a cgroup: each path is parsed once per scan. Watch-Namespace keeps one
    // for as long as it runs, while containers' cgroups come and go: past MaxParsed it starts over.
    private const int MaxParsed = 4096;
    private readonly System.Collections.Generic.Dictionary<string, CgroupAttribution> _parsed = new(System.StringComparer.Ordinal);
    private readonly RuncStateDirectory _runc;
    private string? _systemdRoot;
    private bool? _systemdBooted;

    internal CgroupFile(string? systemdRoot = null, RuncStateDirectory? runc = null)
    {
        _systemdRoot = systemdRoot;
        _runc = runc ?? RuncStateDirectory.Default;
    }

    /// <summary>The cgroup systemd manages, read once from PID 1 (see <see cref="CgroupRoot"/>).</summary>
    internal string SystemdRoot => _systemdRoot ??= CgroupRoot.FromInitCgroup(ReadInitPath());

    /// <summary>
    /// Whether systemd runs this machine, tested as libsystemd's sd_booted does: the directory
    /// /run/systemd/system exists. Read once.
    /// </summary>
    internal bool SystemdBooted => _systemdBooted ??= System.IO.Directory.Exists("/run/systemd/system");

    /// <summary>Reads and parses a process's cgroup; null when the file cannot be read (the process exited).</summary>
    internal CgroupAttribution? Read(int processFd)
    {
        if (ReadPath(processFd) is not string path)
        {
            return null;
        }

        if (!_parsed.TryGetValue(path, out CgroupAttribution? attribution))
        {
            if (_parsed.Count >= MaxParsed)
            {
                _parsed.Clear();
            }

            _parsed[path] = attribution = CgroupAttribution.Parse(path, SystemdRoot, SystemdBooted, _runc);
        }

        return attribution;
    }

    /// <summary>The cgroup path of the process whose /proc/PID directory is open as processFd; null when unreadable.</summary>
    internal static string? ReadPath(int processFd)
    {
        Span<byte> text = stackalloc byte[4096];
        return Sys.TryReadSmallFileAt(processFd, "cgroup\0"u8, text, out int n) != 0 ? null : PathIn(text[..n]);
    }

    /// <summary>The path the file's text gives: the "0::" line, else the name=systemd line; null when neither.</summary>
    internal static string? PathIn(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> legacy = default;
        while (!text.IsEmpty)
        {
            int end = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? text : text[..end];
            text = end < 0 ? default : text[(end + 1)..];
            if (line.StartsWith("0::"u8))
            {
                return Encoding.UTF8.GetString(line[3..]);
            }

            int first = line.IndexOf((byte)':');
            if (first >= 0 && line[(first + 1)..].StartsWith("name=systemd:"u8))
            {
                legacy = line[(first + 1 + "name=systemd:".Length)..];
            }
        }

        return legacy.IsEmpty ? null : Encoding.UTF8.GetString(legacy);
    }

    private static string? ReadInitPath()
    {
        if (Sys.TryOpenAt(Tmds.Linux.LibC.AT_FDCWD, "/proc/1\0"u8, Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_DIRECTORY, out int fd) != 0)
        {
            return null;
        }

        using var init = new SafeFd(fd);
        return ReadPath(init.Fd);
    }
}
