using System;
using System.Diagnostics;
using System.IO;

namespace PSNamespaces.Core.Graph;

/// <summary>Renders DOT text to a file with Graphviz's `dot` program (Debian: apt-get install graphviz).</summary>
internal static class GraphvizDot
{
    /// <summary>The dot program on PATH, or null when Graphviz is not installed.</summary>
    internal static string? Find()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, "dot");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs `dot -T<paramref name="format"/> -o <paramref name="outFile"/>` with the text on its
    /// standard input; null on success, else what dot said (its exit code and standard error).
    /// </summary>
    /// <remarks>
    /// A plain child process, not the namespace helper: dot runs in the caller's namespaces, and
    /// Process.Start forks from the calling thread, which here has never joined any.
    /// </remarks>
    internal static string? Render(string dotProgram, string text, string format, string outFile)
    {
        var start = new ProcessStartInfo(dotProgram)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-T" + format);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(outFile);
        using Process dot = Process.Start(start) ?? throw new InvalidOperationException("dot did not start.");
        // Read stderr while writing, so a chatty dot cannot fill its pipe and stall us both.
        var error = dot.StandardError.ReadToEndAsync();
        var output = dot.StandardOutput.ReadToEndAsync();
        dot.StandardInput.Write(text);
        dot.StandardInput.Close();
        dot.WaitForExit();
        string message = error.GetAwaiter().GetResult().Trim();
        output.GetAwaiter().GetResult();
        return dot.ExitCode == 0 ? null : $"dot exited with code {dot.ExitCode}: {message}";
    }
}
