using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Threading;

// Shared by tests/Arm64Host (compiled in) and tests/Pester/ColdStart.Tests.ps1 (Add-Type -Path):
// plain C# that Add-Type compiles too. Not in a PSNamespaces.* namespace, so that it does not
// count its own methods.
#nullable enable

namespace JitCounting;

/// <summary>
/// Counts, from the runtime's own events, the distinct methods of types whose full name starts
/// with a prefix that ran precompiled code (R2RGetEntryPoint: the runtime found and used the
/// method's ReadyToRun code) and those the JIT compiled with none found.
/// </summary>
/// <remarks>
/// The JIT also recompiles hot precompiled methods (tiered compilation); a method with a
/// precompiled entry point is not counted as compiled for that.
/// </remarks>
public sealed class ModuleMethods : EventListener
{
    // Keywords of the Microsoft-Windows-DotNETRuntime provider: Jit, CompilationDiagnostic.
    private const long JitKeyword = 0x10;
    private const long CompilationDiagnosticKeyword = 0x2000000000;

    private readonly string _prefix;
    private readonly HashSet<string> _precompiled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _jitted = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _events;

    public ModuleMethods(string prefix) => _prefix = prefix;

    /// <summary>Distinct methods that ran their precompiled code.</summary>
    public int Precompiled { get { lock (_gate) { return _precompiled.Count; } } }

    /// <summary>Distinct methods the JIT compiled that had no precompiled code.</summary>
    public int Jitted
    {
        get
        {
            lock (_gate)
            {
                var jitted = new HashSet<string>(_jitted, StringComparer.Ordinal);
                jitted.ExceptWith(_precompiled);
                return jitted.Count;
            }
        }
    }

    /// <summary>Names of the methods in <see cref="Jitted"/>, for a failure message.</summary>
    public string[] JittedNames
    {
        get
        {
            lock (_gate)
            {
                var jitted = new SortedSet<string>(_jitted, StringComparer.Ordinal);
                jitted.ExceptWith(_precompiled);
                return new List<string>(jitted).ToArray();
            }
        }
    }

    /// <summary>
    /// Waits until no runtime event has arrived for a second (at most a minute): the runtime
    /// delivers them to listeners from a buffer, late, and later still under emulation.
    /// </summary>
    public void Settle()
    {
        DateTime deadline = DateTime.UtcNow.AddMinutes(1);
        int seen = -1;
        while (DateTime.UtcNow < deadline && seen != Volatile.Read(ref _events))
        {
            seen = Volatile.Read(ref _events);
            Thread.Sleep(1000);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)(JitKeyword | CompilationDiagnosticKeyword));
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        Interlocked.Increment(ref _events);
        HashSet<string>? set = eventData.EventName switch
        {
            "R2RGetEntryPoint" => _precompiled,
            "MethodJittingStarted_V1" => _jitted,
            _ => null,
        };
        if (set is null || eventData.PayloadNames is null || eventData.Payload is null)
        {
            return;
        }

        int type = eventData.PayloadNames.IndexOf("MethodNamespace");
        int name = eventData.PayloadNames.IndexOf("MethodName");
        int signature = eventData.PayloadNames.IndexOf("MethodSignature");
        if (type < 0 || name < 0 || signature < 0 || eventData.Payload[type] is not string typeName || !typeName.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return;
        }

        lock (_gate)
        {
            set.Add($"{typeName}::{eventData.Payload[name]}{eventData.Payload[signature]}");
        }
    }
}
