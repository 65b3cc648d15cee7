using LabelRep.Tests.Cli;
using Xunit;

namespace LabelRep.Tests.Hostile;

/// <summary>
/// Every case of <see cref="HostileCorpus"/> through the command line, as a user or an attacker would send it: one line
/// of error that names the file or option, a non-zero exit, no stack trace or raw exception, no file that existed before
/// changed, and nothing in the input executed. A valid-but-odd input must succeed, with the same guarantees.
/// </summary>
public class HostileInputTests : IClassFixture<HostileFixture>
{
    private readonly HostileFixture _fixture;

    public HostileInputTests(HostileFixture fixture) => _fixture = fixture;

    public static IEnumerable<object[]> Cases() => HostileCorpus.All().Select(c => new object[] { c });

    [Fact]
    public void The_corpus_has_at_least_200_cases_across_every_kind_of_input()
    {
        var cases = HostileCorpus.All().ToArray();
        Assert.True(cases.Length >= 200, $"{cases.Length} cases");
        Assert.Equal(cases.Length, cases.Select(c => c.ToString()).Distinct().Count());
        foreach (string kind in new[] { "idx", "cifar", "npy", "wav", "run", "safetensors", "pytorch", "spec", "results.db", "argument", "folder", "write", "threat model", "resume journal", "bounds" })
            Assert.Contains(cases, c => c.Kind == kind);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_input_gets_one_clear_line_and_damages_nothing(HostileCase hostile)
    {
        // Given: a fresh workspace holding the hostile input and what it sits beside
        var workspace = new Workspace(_fixture, hostile.Kind.Replace('.', '-'));
        var (args, mention) = hostile.Make(workspace);
        var before = workspace.Snapshot();
        string cwdMarker = Path.Combine(Environment.CurrentDirectory, "PWNED");

        // When: the command reads it (a hang is a failure, not a stuck suite)
        var run = Task.Run(() => CliRunner.Run(args));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3))) == run, $"{hostile}: still running after 3 minutes (a hang?)");
        var (code, output, error) = await run;

        // Then
        string shown = $"{hostile}\nexit {code}\nstderr: {error}\nstdout: {output[..Math.Min(output.Length, 500)]}";
        if (hostile.Succeeds)
        {
            Assert.True(code == 0, shown);
        }
        else
        {
            Assert.True(code != 0, shown);
            string[] lines = error.Trim().Split('\n');
            Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), shown);
            Assert.True(error.Contains(mention, StringComparison.Ordinal), $"the error does not name '{mention}'\n{shown}");
            Assert.DoesNotContain("   at ", error);
            Assert.False(System.Text.RegularExpressions.Regex.IsMatch(error, @"\b[A-Z][A-Za-z]*Exception\b"), $"a raw .NET exception\n{shown}");
            Assert.DoesNotContain("frame #", error);
        }
        var after = workspace.Snapshot();
        foreach (var (file, hash) in before)
        {
            Assert.True(after.ContainsKey(file), $"{hostile}: {file} was deleted");
            Assert.True(after[file] == hash, $"{hostile}: {file} was changed");
        }
        Assert.DoesNotContain(after.Keys, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.False(File.Exists(workspace.Marker) || File.Exists(cwdMarker), $"{hostile}: a payload ran");
    }
}
