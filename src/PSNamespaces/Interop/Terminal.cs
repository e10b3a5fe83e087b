using System;
using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>
/// The terminal handover the runtime's Process class makes around a child that uses the
/// console: .NET keeps the terminal in its own mode (no echo, no line editing) between reads,
/// and a shell started inside namespaces needs the terminal as the user's login left it.
/// </summary>
internal static partial class Terminal
{
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_ConfigureTerminalForChildProcess")]
    private static partial void ConfigureTerminalForChildProcess(int childUsesTerminal);

    /// <summary>Gives the terminal to a child (true) or takes it back (false); a no-op where the runtime has no such export.</summary>
    internal static void ForChild(bool childUsesTerminal)
    {
        try
        {
            ConfigureTerminalForChildProcess(childUsesTerminal ? 1 : 0);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }
}
