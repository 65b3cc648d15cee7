using LabelRep.IO;
using Xunit;

namespace LabelRep.Tests.IO;

public class OutputFolderTests
{
    [Fact]
    public void A_missing_folder_and_its_parents_are_created_and_an_existing_one_is_kept()
    {
        string root = TestData.TempDir("out");
        string nested = Path.Combine(root, "a", "b");
        OutputFolder.Create(nested, "run");
        Assert.True(Directory.Exists(nested));
        File.WriteAllText(Path.Combine(nested, "kept.txt"), "x");
        OutputFolder.Create(nested, "run");
        Assert.True(File.Exists(Path.Combine(nested, "kept.txt")));
    }

    [Fact]
    public void A_file_in_its_place_or_a_place_without_folders_is_one_clear_error()
    {
        string file = Path.Combine(TestData.TempDir("out"), "afile");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<LabelRepException>(() => OutputFolder.Create(file, "study"));
        Assert.Contains("a file, not a folder", e.Message);
        // Below a file: the file system refuses, and the error says where and what to do.
        var below = Assert.Throws<LabelRepException>(() => OutputFolder.Create(Path.Combine(file, "run"), "run"));
        Assert.Contains("cannot create the run folder", below.Message);
        Assert.Contains("writable", below.Message);
    }
}
