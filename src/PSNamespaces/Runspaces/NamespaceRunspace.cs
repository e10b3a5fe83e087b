using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PSNamespaces.Core.Launch;
using PSNamespaces.Core.Targets;

namespace PSNamespaces.Runspaces;

/// <summary>
/// The PowerShell runspace a namespace worker runs script blocks in. Made on the worker's thread
/// with ThreadOptions = UseCurrentThread, so every pipeline runs on that thread, inside the
/// namespaces it joined, and not on a pipeline thread of PowerShell's own.
/// </summary>
/// <remarks>
/// Made before the worker joins, and warmed then when the target has a mount namespace: after
/// setns into one, paths resolve in the target's filesystem, where the assemblies and modules of
/// this pwsh are usually absent. Other namespaces leave the filesystem as it is, so there the
/// runspace loads what a block needs when it needs it, as pwsh itself does: the warm-up costs a
/// one-shot script about as much as the rest of its first call (issue 17).
/// </remarks>
internal sealed class NamespaceRunspace : IDisposable
{
    // The modules most scripts use, imported now so that no command of theirs is auto-loaded
    // (from $PSHOME, by path) inside a mount namespace.
    private static readonly string[] s_preloadedModules =
    {
        "Microsoft.PowerShell.Utility",
        "Microsoft.PowerShell.Management",
    };

    // Runs common paths once before joining, so the assemblies, native libraries and compiled code
    // behind them are loaded while this pwsh's files can still be found: output, errors,
    // formatting to text, JSON, the file system, processes, network interfaces, hashing.
    private const string WarmupScript = @"
        $null = Get-Date | Select-Object -Property Year | Where-Object { $_ } | ForEach-Object { $_ } | Sort-Object | Out-String
        Write-Error -Message warm -ErrorAction SilentlyContinue
        try { throw 'warm' } catch { $null = $_ | Out-String }
        $null = Get-Item -LiteralPath / | Get-ChildItem -ErrorAction SilentlyContinue | Measure-Object
        $null = @{ a = 1 } | ConvertTo-Json | ConvertFrom-Json
        $null = Get-Process -Id $PID | Format-Table | Out-String
        $null = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()
        $null = Get-FileHash -InputStream ([System.IO.MemoryStream]::new())
    ";

    private bool _clean = true;

    private NamespaceRunspace(Runspace runspace) => Runspace = runspace;

    internal Runspace Runspace { get; }

    /// <summary>
    /// Creates and opens a runspace on the calling thread, which it will run on, warmed when the
    /// target has a mount namespace. Called by a namespace worker before it joins its target, on
    /// a thread it has checked is in the session's namespaces.
    /// </summary>
    internal static NamespaceRunspace Create(NamespaceTarget target)
    {
        bool joinsMount = target.Files.ContainsKey(NamespaceType.Mount);
        // A script block may launch a program, which needs the exec helpers' starter thread; made
        // later, inside the target, that thread would be in the target's namespaces (and is
        // refused). Made here, it is in the session's. Once per process; cheap afterwards.
        SpawnerThread.Start();

        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.ThreadOptions = PSThreadOptions.UseCurrentThread;
        if (joinsMount)
        {
            iss.ImportPSModule(s_preloadedModules);
        }

        Runspace runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Name = "PSNamespaces worker";
        try
        {
            runspace.Open();
            if (joinsMount)
            {
                using PowerShell ps = PowerShell.Create();
                ps.Runspace = runspace;
                ps.AddScript(WarmupScript).Invoke();
            }

            return new NamespaceRunspace(runspace);
        }
        catch
        {
            runspace.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Resets the variables a call left in the runspace, as ForEach-Object -Parallel does when it
    /// reuses a runspace (functions and modules a block defined or imported stay). Called after
    /// a call has reported its end, so a loop of calls does not wait for it; a failure is
    /// retried (and reported) by the next <see cref="PrepareCall"/>.
    /// </summary>
    internal void Recycle()
    {
        try
        {
            Runspace.ResetRunspaceState();
            _clean = true;
        }
        catch (Exception)
        {
            // Retried by the next call, which reports it if it fails again.
            _clean = false;
        }
    }

    /// <summary>The runspace as a new one would be, with the caller's location and language mode.</summary>
    internal void PrepareCall(string location, PSLanguageMode languageMode)
    {
        if (!_clean)
        {
            Runspace.ResetRunspaceState();
        }

        _clean = false;
        SessionStateProxy state = Runspace.SessionStateProxy;

        // A constrained caller must not get a full-language runspace by running its block here.
        if (state.LanguageMode != languageMode)
        {
            state.LanguageMode = languageMode;
        }

        // Records of every stream are produced inside; the caller's preferences then decide
        // what is shown, through the cmdlet's own Write* calls.
        state.SetVariable("VerbosePreference", ActionPreference.Continue);
        state.SetVariable("DebugPreference", ActionPreference.Continue);
        state.SetVariable("InformationPreference", ActionPreference.Continue);
        try
        {
            state.Path.SetLocation(WildcardPattern.Escape(location));
        }
        catch (ItemNotFoundException)
        {
            // The caller's directory does not exist here (or any more): start at the root.
            state.Path.SetLocation("/");
        }
    }

    public void Dispose() => Runspace.Dispose();
}
