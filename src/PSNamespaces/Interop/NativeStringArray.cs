using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace PSNamespaces.Interop;

/// <summary>
/// A NULL-terminated array of NUL-terminated UTF-8 strings in one native block, as execve and
/// posix_spawn take argv and envp.
/// </summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private byte* _block;

    internal NativeStringArray(IReadOnlyList<string> strings)
    {
        int pointers = (strings.Count + 1) * sizeof(byte*);
        int size = pointers;
        foreach (string s in strings)
        {
            if (s.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("An argument or environment variable cannot contain a NUL character.", nameof(strings));
            }

            size += Encoding.UTF8.GetByteCount(s) + 1;
        }

        _block = (byte*)NativeMemory.Alloc((nuint)size);
        byte** table = (byte**)_block;
        byte* next = _block + pointers;
        for (int i = 0; i < strings.Count; i++)
        {
            table[i] = next;
            int n = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(next, size - (int)(next - _block)));
            next[n] = 0;
            next += n + 1;
        }

        table[strings.Count] = null;
    }

    internal byte** Pointer => (byte**)_block;

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }
}
