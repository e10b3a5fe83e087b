using System.Runtime.InteropServices;
using PSNamespaces.Loader;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// The loader's choice of runtimes/RID/ for each architecture: the arm64 branch runs on no
/// machine of the test suite, and a wrong folder would load an image the runtime refuses.
/// </summary>
public class ArchitectureLoaderTests
{
    [Theory]
    [InlineData(Architecture.X64, "linux-x64")]
    [InlineData(Architecture.Arm64, "linux-arm64")]
    public void Picks_the_folder_build_ps1_writes_for_each_shipped_architecture(Architecture architecture, string expected)
    {
        Assert.Equal(expected, ArchitectureLoader.RuntimeIdentifierOf(architecture));
    }

    [Theory]
    [InlineData(Architecture.X86)]
    [InlineData(Architecture.Arm)]
    [InlineData(Architecture.S390x)]
    [InlineData(Architecture.RiscV64)]
    public void Has_no_folder_for_an_architecture_that_does_not_ship(Architecture architecture)
    {
        Assert.Null(ArchitectureLoader.RuntimeIdentifierOf(architecture));
    }

    [Fact]
    public void Agrees_with_the_module_on_this_process()
    {
        Assert.Equal(PSNamespaces.Interop.RuntimeAssets.RuntimeIdentifier, ArchitectureLoader.RuntimeIdentifierOf(RuntimeInformation.ProcessArchitecture));
    }
}
