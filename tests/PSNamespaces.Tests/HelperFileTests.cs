using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using PSNamespaces.Core.Launch;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The checks the exec helper's file passes before it is run: ELF headers read without any sum
/// that can wrap (a huge e_phoff or p_offset), and the build id that binds it to this module.
/// </summary>
public class HelperFileTests
{
    private const ushort X86_64 = 62;

    /// <summary>A 64-bit little-endian x86-64 executable of 4 KiB with one program header (its segment the whole file).</summary>
    private static byte[] Elf()
    {
        byte[] file = new byte[4096];
        "\u007fELF"u8.CopyTo(file);
        file[4] = 2; // ELFCLASS64
        file[5] = 1; // ELFDATA2LSB
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(16), 2);       // e_type ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), X86_64);  // e_machine
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(32), 64);      // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(54), 56);      // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(56), 1);       // e_phnum
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(64 + 8), 0);     // p_offset
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(64 + 32), 4096); // p_filesz
        return file;
    }

    [Fact]
    public void Accepts_a_whole_program() => Assert.Null(HelperElf.Problem(Elf(), X86_64));

    [Fact]
    public void Refuses_a_program_header_offset_so_large_that_offset_plus_size_wraps()
    {
        byte[] file = Elf();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(32), ulong.MaxValue - 16);
        Assert.StartsWith("is truncated", HelperElf.Problem(file, X86_64), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_section_header_offset_that_wraps()
    {
        byte[] file = Elf();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(40), ulong.MaxValue - 16);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(58), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(60), 1);
        Assert.StartsWith("is truncated", HelperElf.Problem(file, X86_64), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_segment_whose_offset_plus_size_wraps()
    {
        byte[] file = Elf();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(64 + 8), 16);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(64 + 32), ulong.MaxValue - 8);
        Assert.StartsWith("is truncated", HelperElf.Problem(file, X86_64), StringComparison.Ordinal);
    }

    private static string SourceSha256([CallerFilePath] string here = "") =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(here)!, "../../src/PSNamespaces/Native/nsexec.c"))));

    [Fact]
    public void The_assembly_expects_the_SHA256_of_the_helper_source() =>
        Assert.Equal(SourceSha256(), HelperBuildId.Expected);

    [Fact]
    public void Accepts_a_program_that_carries_the_expected_id()
    {
        byte[] program = [.. Elf(), .. "PSNamespaces-nsexec-build-id:"u8, .. Encoding.ASCII.GetBytes(SourceSha256()), 0];
        Assert.Null(HelperBuildId.Problem(program, HelperBuildId.Expected));
    }

    [Fact]
    public void Refuses_another_program_of_this_machine()
    {
        byte[] program = File.ReadAllBytes("/bin/true");
        Assert.Null(HelperElf.Problem(program, PSNamespaces.Interop.RuntimeAssets.ElfMachine));
        Assert.Equal("is not the exec helper of PSNamespaces: it carries no helper build id", HelperBuildId.Problem(program, HelperBuildId.Expected));
    }

    [Fact]
    public void Refuses_a_helper_of_another_build_and_names_both_ids()
    {
        byte[] program = [.. Elf(), .. "PSNamespaces-nsexec-build-id:"u8, .. "none"u8, 0];
        string? problem = HelperBuildId.Problem(program, HelperBuildId.Expected);
        Assert.Contains("another build", problem, StringComparison.Ordinal);
        Assert.Contains("'none'", problem, StringComparison.Ordinal);
        Assert.Contains(HelperBuildId.Expected, problem, StringComparison.Ordinal);
    }
}
