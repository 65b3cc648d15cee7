using LabelRep.Native;
using Xunit;

namespace LabelRep.Tests.Native;

public class ElfPatchTests
{
    private static string GlueLibrary() =>
        new[] { Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"), Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") }
            .First(File.Exists);

    [Fact]
    public void The_glibcxx_3_4_32_requirement_of_a_fresh_copy_is_made_weak_once()
    {
        // Given: a copy of the library with the flag cleared again (the shipped copy was patched at start-up)
        string copy = Path.Combine(TestData.TempDir("elf"), "lib.so");
        File.Copy(GlueLibrary(), copy);
        byte[] bytes = File.ReadAllBytes(copy);
        int offset = ElfVersionPatch.FindVernauxFlagsOffset(bytes, "GLIBCXX_3.4.32");
        Assert.True(offset > 0);
        bytes[offset] = (byte)(bytes[offset] & ~0x2);
        File.WriteAllBytes(copy, bytes);

        // When / Then
        Assert.Equal(ElfVersionPatch.Result.Patched, ElfVersionPatch.MakeWeak(copy, "GLIBCXX_3.4.32"));
        Assert.Equal(2, File.ReadAllBytes(copy)[offset] & 0x2);
        Assert.Equal(ElfVersionPatch.Result.AlreadyWeak, ElfVersionPatch.MakeWeak(copy, "GLIBCXX_3.4.32"));
        Assert.Equal(ElfVersionPatch.Result.NotRequired, ElfVersionPatch.MakeWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.FindVernauxFlagsOffset(new byte[100], "X"));
    }
}
