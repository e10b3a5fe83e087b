using System;
using System.Buffers.Text;

namespace PSNamespaces.Core.Proc;

/// <summary>
/// The text of /proc/PID/status, read field by field without making strings
/// ("NSpid:\t1 2\n" → the span "1 2").
/// </summary>
internal readonly ref struct ProcStatusText
{
    private readonly ReadOnlySpan<byte> _text;

    internal ProcStatusText(ReadOnlySpan<byte> text) => _text = text;

    /// <summary>The value after "Name:" (tabs trimmed), or an empty span when the field is absent.</summary>
    internal ReadOnlySpan<byte> Field(ReadOnlySpan<byte> nameWithColon)
    {
        ReadOnlySpan<byte> rest = _text;
        while (!rest.IsEmpty)
        {
            int eol = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = eol < 0 ? rest : rest[..eol];
            if (line.StartsWith(nameWithColon))
            {
                return line[nameWithColon.Length..].Trim((byte)'\t');
            }

            rest = eol < 0 ? default : rest[(eol + 1)..];
        }

        return default;
    }

    internal bool Has(ReadOnlySpan<byte> nameWithColon) => _text.IndexOf(nameWithColon) >= 0;

    /// <summary>A numeric field ("PPid:"), or -1 when absent.</summary>
    internal int Int(ReadOnlySpan<byte> nameWithColon)
    {
        ReadOnlySpan<byte> value = Field(nameWithColon);
        return Utf8Parser.TryParse(value, out int result, out _) ? result : -1;
    }

    /// <summary>A whitespace-separated list of numbers ("NSpid:"), outermost namespace first.</summary>
    internal int[] IntList(ReadOnlySpan<byte> nameWithColon)
    {
        ReadOnlySpan<byte> value = Field(nameWithColon);
        if (value.IsEmpty)
        {
            return Array.Empty<int>();
        }

        int count = 1;
        foreach (byte b in value)
        {
            if (b == (byte)'\t' || b == (byte)' ')
            {
                count++;
            }
        }

        int[] result = new int[count];
        int i = 0;
        while (!value.IsEmpty && i < count)
        {
            value = value.TrimStart("\t "u8);
            if (!Utf8Parser.TryParse(value, out int n, out int consumed))
            {
                break;
            }

            result[i++] = n;
            value = value[consumed..];
        }

        return i == count ? result : result[..i];
    }

    /// <summary>The last number of a list field (a process's PID in its own PID namespace), or -1.</summary>
    internal int LastInt(ReadOnlySpan<byte> nameWithColon)
    {
        ReadOnlySpan<byte> value = Field(nameWithColon).TrimEnd("\t "u8);
        int start = value.LastIndexOfAny((byte)'\t', (byte)' ') + 1;
        return Utf8Parser.TryParse(value[start..], out int n, out _) ? n : -1;
    }

    /// <summary>
    /// Whether this is PID 1 of its PID namespace (the last of NSpid) without a handler for
    /// signal (its bit in SigCgt, a hex mask where bit N-1 stands for signal N): the kernel drops
    /// such a signal sent to it, from inside its namespace or from an ancestor's.
    /// </summary>
    internal bool IsInitWithoutHandler(int signal) =>
        LastInt("NSpid:"u8) == 1
        && Utf8Parser.TryParse(Field("SigCgt:"u8), out ulong caught, out _, 'x')
        && (caught & (1UL << (signal - 1))) == 0;

    /// <summary>A text field ("Name:") as a string; the kernel escapes control characters in it.</summary>
    internal string Text(ReadOnlySpan<byte> nameWithColon) =>
        System.Text.Encoding.UTF8.GetString(Field(nameWithColon));
}
