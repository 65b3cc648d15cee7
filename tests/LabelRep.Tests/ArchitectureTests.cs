using System.Text.RegularExpressions;
using Xunit;

namespace LabelRep.Tests;

public class ArchitectureTests
{
    /// <summary>The library's folders in docs/ARCHITECTURE.md's order: a folder may use only those before it.</summary>
    private static readonly string[] Layers =
        { "Native", "IO", "Data", "Audio", "Labels", "Models", "Evaluation", "Runs", "Training", "Interop", "Studies", "Reporting" };

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "LabelRep");
            if (Directory.Exists(Path.Combine(candidate, "Labels"))) return candidate;
        }
        throw new InvalidOperationException("src/LabelRep not found above the test binaries");
    }

    [Fact]
    public void Each_folder_uses_only_the_folders_before_it()
    {
        string root = SourceRoot();
        var reference = new Regex(@"\bLabelRep\.(" + string.Join("|", Layers) + @")\b");
        var violations = new List<string>();
        foreach (string folder in Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")))
        {
            int layer = Array.IndexOf(Layers, folder);
            Assert.True(layer >= 0, $"src/LabelRep/{folder} is not in docs/ARCHITECTURE.md's flow; add it to both");
            foreach (string file in Directory.GetFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match m in reference.Matches(File.ReadAllText(file)))
                {
                    if (Array.IndexOf(Layers, m.Groups[1].Value) > layer)
                        violations.Add($"{Path.GetRelativePath(root, file)} uses {m.Value}");
                }
            }
        }
        Assert.Empty(violations.Distinct());
    }
}
