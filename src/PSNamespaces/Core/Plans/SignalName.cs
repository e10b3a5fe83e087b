using System;
using System.Globalization;

namespace PSNamespaces.Core.Plans;

/// <summary>
/// Signal names as kill(1) and unshare --kill-child=SIGNAL take them ("SIGTERM", "term", "15"),
/// for the standard signals of signal(7) on x86 and arm: the numbers both have in common.
/// </summary>
internal static class SignalName
{
    private static readonly string[] s_names =
    {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
        "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    /// <summary>The signal's number, or 0 when the text names none.</summary>
    internal static int Parse(string text)
    {
        string name = text.Trim();
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return number is > 0 and < 65 ? number : 0;
        }

        if (name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
        }

        int index = Array.FindIndex(s_names, n => n.Length > 0 && string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return index > 0 ? index : 0;
    }

    /// <summary>"SIGTERM" for 15; the number for a signal without a standard name.</summary>
    internal static string Format(int signal) =>
        signal > 0 && signal < s_names.Length ? "SIG" + s_names[signal] : signal.ToString(CultureInfo.InvariantCulture);
}
