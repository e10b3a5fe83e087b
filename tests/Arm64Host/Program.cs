using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using JitCounting;

namespace Arm64Host;

/// <summary>
/// Imports a module in a new runspace and runs a script there: Arm64Host MODULE SCRIPT. Each
/// output object is printed as a line; errors go to stderr and make the exit code 1. The script
/// sees $ModuleMethods, which counts how the module's methods got their code.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Arm64Host MODULE SCRIPT");
            return 2;
        }

        // Listening from the first line, so the module's import is counted too.
        using var methods = new ModuleMethods("PSNamespaces.");
        var state = InitialSessionState.CreateDefault2();
        // The SDK has no Modules folder: the common commands (ConvertTo-Json, Get-Item, ...) come
        // from its assemblies beside this program, not from whatever pwsh's PSModulePath names.
        state.ImportPSModule(
            Path.Combine(AppContext.BaseDirectory, "Microsoft.PowerShell.Commands.Utility.dll"),
            Path.Combine(AppContext.BaseDirectory, "Microsoft.PowerShell.Commands.Management.dll"),
            args[0]);
        state.Variables.Add(new SessionStateVariableEntry("ModuleMethods", methods, "How the module's methods got their code"));
        state.ThrowOnRunspaceOpenError = true;
        using Runspace runspace = RunspaceFactory.CreateRunspace(state);
        using PowerShell shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(args[1]);
        try
        {
            // Opening it imports the module: a module that fails to load ends here.
            runspace.Open();
            foreach (PSObject item in shell.Invoke())
            {
                Console.WriteLine(item?.ToString());
            }
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine(e.ToString());
            return 1;
        }

        foreach (ErrorRecord error in shell.Streams.Error)
        {
            Console.Error.WriteLine(error.ToString());
        }

        return shell.HadErrors ? 1 : 0;
    }
}
