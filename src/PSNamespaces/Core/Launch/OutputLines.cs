using System;
using System.Text;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// Turns a program's captured standard output into lines, as pwsh does for a native command
/// whose output goes down the pipeline: decoded with the console's output encoding, split on
/// '\n', a trailing '\r' dropped, the last line given even without a newline.
/// </summary>
internal sealed class OutputLines
{
    private readonly Action<string> _onLine;
    private readonly Decoder _decoder = Console.OutputEncoding.GetDecoder();
    private readonly StringBuilder _pending = new();
    private char[] _chars = new char[4096];

    internal OutputLines(Action<string> onLine) => _onLine = onLine;

    internal void Add(ReadOnlySpan<byte> bytes)
    {
        int needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[needed];
        }

        int count = _decoder.GetChars(bytes, _chars, flush: false);
        int start = 0;
        for (int i = 0; i < count; i++)
        {
            if (_chars[i] == '\n')
            {
                _pending.Append(_chars, start, i - start);
                Emit();
                start = i + 1;
            }
        }

        _pending.Append(_chars, start, count - start);
    }

    /// <summary>The program's output ended: give what is left as the last line.</summary>
    internal void Flush()
    {
        if (_pending.Length > 0)
        {
            Emit();
        }
    }

    private void Emit()
    {
        int length = _pending.Length;
        if (length > 0 && _pending[length - 1] == '\r')
        {
            length--;
        }

        _onLine(_pending.ToString(0, length));
        _pending.Clear();
    }
}
