using System.Text.RegularExpressions;
using Xunit;

namespace LabelRep.Tests;

/// <summary>
/// Snapshot tests with approved files: a text is compared with tests/LabelRep.Tests/Snapshots/NAME.approved.*, after
/// the parts that change from run to run (times, temporary paths) are replaced by placeholders. On a difference the
/// text is written beside it as NAME.received.* and the test fails naming the first differing line; review the
/// received file and rename it to approve it (or run the tests with LABELREP_APPROVE=1, which writes every approved
/// file anew).
/// </summary>
public static class Approved
{
    /// <summary>Dates and times (ISO 8601), durations in minutes and seconds, and temporary folders.</summary>
    private static readonly (Regex Pattern, string Placeholder)[] Volatile =
    {
        (new Regex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?"), "<time>"),
        (new Regex(@"\(\d+ min\)"), "(<n> min)"),
        (new Regex(@"/tmp/[^\s)`'""]+"), "<tmp>"),
    };

    public static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "LabelRep.Tests");
            if (Directory.Exists(candidate)) return Path.Combine(candidate, "Snapshots");
        }
        throw new InvalidOperationException("tests/LabelRep.Tests not found above the test binaries");
    }

    /// <summary>The text with its run-to-run parts replaced by placeholders, and Unix line ends.</summary>
    public static string Scrub(string text)
    {
        text = text.Replace("\r\n", "\n");
        foreach (var (pattern, placeholder) in Volatile) text = pattern.Replace(text, placeholder);
        return text;
    }

    public static void Verify(string name, string extension, string text)
    {
        string received = Scrub(text);
        string folder = Folder();
        string approvedPath = Path.Combine(folder, $"{name}.approved.{extension}");
        string receivedPath = Path.Combine(folder, $"{name}.received.{extension}");
        if (Environment.GetEnvironmentVariable("LABELREP_APPROVE") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(approvedPath, received);
        }
        string? approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received);
        if (approved is null) Assert.Fail($"no approved snapshot {approvedPath}; review {receivedPath} and rename it to approve it");
        string[] a = approved.Split('\n'), r = received.Split('\n');
        int line = Enumerable.Range(0, Math.Min(a.Length, r.Length)).FirstOrDefault(i => a[i] != r[i], Math.Min(a.Length, r.Length));
        Assert.Fail($"{name} differs from its approved snapshot at line {line + 1}:\n  approved: {(line < a.Length ? a[line] : "(end)")}\n  received: {(line < r.Length ? r[line] : "(end)")}\n" +
                    $"review {receivedPath} and rename it to {approvedPath} if the change is intended");
    }
}
