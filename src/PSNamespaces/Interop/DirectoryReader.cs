using System;

namespace PSNamespaces.Interop;

/// <summary>
/// Walks the entries of an open directory with getdents64 into a caller's buffer, handing out
/// each name as a span: no string is made for an entry the caller skips. Used for /proc and
/// /proc/PID/fd, where most entries are skipped or only parsed as numbers.
/// </summary>
internal unsafe ref struct DirectoryReader
{
    private readonly int _fd;
    private readonly Span<byte> _buffer;
    private int _offset;
    private int _length;

    internal DirectoryReader(int fd, Span<byte> buffer)
    {
        _fd = fd;
        _buffer = buffer;
    }

    /// <summary>The next entry's name (without NUL) and d_type; false at the end or on error (errno then set).</summary>
    internal bool Next(out ReadOnlySpan<byte> name, out byte type, out int errno)
    {
        errno = 0;
        if (_offset >= _length)
        {
            nint n;
            fixed (byte* b = _buffer)
            {
                n = Sys.getdents64(_fd, b, (nuint)_buffer.Length);
            }

            if (n <= 0)
            {
                errno = n < 0 ? Errno.Last : 0;
                name = default;
                type = 0;
                return false;
            }

            _length = (int)n;
            _offset = 0;
        }

        Span<byte> entry = _buffer[_offset.._length];
        int recordLength = entry[Sys.DirentRecLenOffset] | (entry[Sys.DirentRecLenOffset + 1] << 8);
        _offset += recordLength;
        type = entry[Sys.DirentTypeOffset];
        Span<byte> rest = entry[Sys.DirentNameOffset..recordLength];
        int nul = rest.IndexOf((byte)0);
        name = nul < 0 ? rest : rest[..nul];
        return true;
    }

    /// <summary>A directory entry that is a decimal number (a PID, a descriptor), or -1.</summary>
    internal static int ParseNumber(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > 10)
        {
            return -1;
        }

        long value = 0;
        foreach (byte c in name)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9)
            {
                return -1;
            }

            value = (value * 10) + digit;
        }

        return value <= int.MaxValue ? (int)value : -1;
    }
}
