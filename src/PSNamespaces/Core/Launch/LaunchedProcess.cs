using System;
using System.Threading;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Model;
using PSNamespaces.Core.Proc;

namespace PSNamespaces;

/// <summary>
/// A program started inside namespaces by New-Namespace or Enter-Namespace: its PID, the
/// namespace it is in for each kind (read just before it was exec'd), and, once it has ended, its
/// exit code as a shell reports it (128 + N after signal N).
/// </summary>
public sealed class LaunchedProcess
{
    private readonly ManualResetEventSlim _exited = new();
    private HelperProcess? _helper;

    internal LaunchedProcess(int pid, string filePath, string[] argumentList, Namespace[] namespaces)
    {
        Pid = pid;
        FilePath = filePath;
        ArgumentList = argumentList;
        Namespaces = namespaces;
    }

    /// <summary>The program's PID, as the caller's PID namespace sees it.</summary>
    public int Pid { get; }

    /// <summary>The program as it was given.</summary>
    public string FilePath { get; }

    /// <summary>Its arguments.</summary>
    public string[] ArgumentList { get; }

    /// <summary>The namespace of each kind the program runs in.</summary>
    public Namespace[] Namespaces { get; }

    /// <summary>The exit code, once the program has ended; $null while it runs.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Whether the program has ended.</summary>
    public bool HasExited => _exited.IsSet;

    /// <summary>Waits for the program to end; false when the timeout passed first (-1: no timeout).</summary>
    public bool WaitForExit(int milliseconds = -1) => _exited.Wait(milliseconds);

    /// <summary>Kills the program with SIGKILL (a PID namespace's init takes every process in it along).</summary>
    public void Kill()
    {
        lock (_exited)
        {
            if (!HasExited)
            {
                _helper?.Kill();
            }
        }
    }

    internal void SetExited(int? exitCode)
    {
        lock (_exited)
        {
            ExitCode = exitCode;
            _exited.Set();
            _helper?.Dispose();
        }
    }

    /// <summary>Reaps the helper on a background thread, for a program started without waiting.</summary>
    internal void WaitInBackground(HelperProcess helper)
    {
        _helper = helper;
        var waiter = new Thread(() =>
        {
            int? code = helper.WaitForExit(CancellationToken.None);
            SetExited(code);
        })
        {
            IsBackground = true,
            Name = "PSNamespaces waiter " + Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        waiter.Start();
    }

    /// <summary>The namespace of each kind a process is in; kinds that cannot be read are left out.</summary>
    internal static Namespace[] ReadNamespaces(int pid)
    {
        string path = "/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Interop.Sys.TryOpenAt(Tmds.Linux.LibC.AT_FDCWD, Interop.Sys.NullTerminated(path), Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_DIRECTORY, out int raw) != 0)
        {
            return Array.Empty<Namespace>();
        }

        using (var directory = new Interop.SafeFd(raw))
        {
            int fd = directory.Fd;
            var namespaces = new System.Collections.Generic.List<Namespace>(NamespaceTypes.All.Length);
            foreach (NamespaceType type in NamespaceTypes.All)
            {
                NamespaceLink link = NamespaceLinks.Of(type);
                if (ProcessNamespaceReader.TryReadLink(fd, link, out ulong inode) == 0 && inode != 0)
                {
                    // With its NS_GET_ID, as Get-Namespace's objects: only the id tells a namespace
                    // from a later one that got its inode number, when the object is given back.
                    // Inode and id from one descriptor: the link may name another namespace by the
                    // time it is opened (a setns, or the PID reused), and the pair must be one namespace's.
                    ulong? id = null;
                    if (Interop.Sys.TryOpenAt(fd, NamespaceLinks.RelativePath(link), Interop.Sys.O_RDONLY, out int nsFd) == 0)
                    {
                        using var ns = new Interop.SafeFd(nsFd);
                        if (Interop.Sys.TryFstatx(ns.Fd, Interop.Sys.STATX_INO, out Tmds.Linux.statx stx) == 0)
                        {
                            inode = stx.stx_ino;
                            id = NamespaceIoctl.TryGetId(ns.Fd);
                        }
                    }

                    namespaces.Add(new Namespace(type, inode, Nsfs.Device) { NsId = id });
                }
            }

            return namespaces.ToArray();
        }
    }

    public override string ToString() => $"{Pid} {FilePath}";
}
