using System;
using System.Buffers.Binary;
using System.Globalization;

namespace PSNamespaces.Core.Launch;

/// <summary>
/// Checks that a file's bytes are a whole 64-bit little-endian ELF program for one machine, so
/// a helper that is a script, another architecture's build or cut short is refused by name
/// before the kernel is asked to run it (it would say only ENOEXEC, or crash the program).
/// </summary>
internal static class HelperElf
{
    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const int ExecutableType = 2;   // ET_EXEC
    private const int SharedObjectType = 3; // ET_DYN (a position-independent executable)

    /// <summary>Null when the bytes are such a program; otherwise what is wrong with them.</summary>
    internal static string? Problem(ReadOnlySpan<byte> file, ushort machine)
    {
        if (file.Length < HeaderSize || file[0] != 0x7f || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
        {
            return file.Length == 0 ? "is empty" : "is not an ELF program";
        }

        if (file[4] != 2 || file[5] != 1)
        {
            return "is not a 64-bit little-endian ELF program";
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(file[16..]);
        ushort fileMachine = BinaryPrimitives.ReadUInt16LittleEndian(file[18..]);
        if (type is not (ExecutableType or SharedObjectType))
        {
            return "is an ELF file but not an executable";
        }

        if (fileMachine != machine)
        {
            return string.Format(CultureInfo.InvariantCulture, "is built for {0} (ELF machine {1}), but this process runs on {2} ({3})", MachineName(fileMachine), fileMachine, MachineName(machine), machine);
        }

        // Cut short anywhere: the program headers' segments or the section headers (written last) run past the end.
        ulong length = (ulong)file.Length;
        ulong programHeaders = BinaryPrimitives.ReadUInt64LittleEndian(file[32..]);
        ulong sectionHeaders = BinaryPrimitives.ReadUInt64LittleEndian(file[40..]);
        ushort programHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(file[54..]);
        ushort programHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(file[56..]);
        ushort sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(file[58..]);
        ushort sectionHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(file[60..]);
        // Every offset and size is the file's word, so none may be added before it is known to fit:
        // a huge e_phoff or p_offset would wrap around and pass.
        if (programHeaderSize != ProgramHeaderSize || programHeaderCount == 0 ||
            !Fits(programHeaders, (ulong)programHeaderCount * ProgramHeaderSize, length) ||
            !Fits(sectionHeaders, (ulong)sectionHeaderCount * sectionHeaderSize, length))
        {
            return Truncated(length);
        }

        for (int i = 0; i < programHeaderCount; i++)
        {
            ReadOnlySpan<byte> header = file.Slice((int)programHeaders + (i * ProgramHeaderSize), ProgramHeaderSize);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (!Fits(offset, size, length))
            {
                return Truncated(length);
            }
        }

        return null;
    }

    /// <summary>Whether [offset, offset + size) lies within length bytes, without computing a sum that could wrap.</summary>
    private static bool Fits(ulong offset, ulong size, ulong length) => offset <= length && size <= length - offset;

    private static string Truncated(ulong length) =>
        string.Format(CultureInfo.InvariantCulture, "is truncated: its ELF headers describe more than its {0} bytes", length);

    private static string MachineName(ushort machine) => machine switch
    {
        62 => "x86-64",
        183 => "aarch64",
        _ => "another machine",
    };
}
