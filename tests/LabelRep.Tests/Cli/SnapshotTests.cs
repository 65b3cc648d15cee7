using Xunit;

namespace LabelRep.Tests.Cli;

/// <summary>The command line's tables, against approved snapshots (see <see cref="Approved"/>).</summary>
public class SnapshotTests
{
    [Fact]
    public void The_label_statistics_table_matches_its_approved_snapshot()
    {
        // Kinds whose banks are exact on every CPU: one-hot, constant matrices and Hadamard codewords.
        var (code, output, error) = CliRunner.Run("labels", "stats", "--dataset", "fashion-mnist", "--kinds", "categorical,constant,hadamard");
        Assert.True(code == 0, error);
        Approved.Verify("labels-stats", "txt", output);
    }

    [Fact]
    public void The_attack_list_in_help_matches_its_approved_snapshot()
    {
        var (code, output, error) = CliRunner.Run("attack", "--help");
        Assert.True(code == 0, error);
        Approved.Verify("attack-help", "txt", output);
    }
}
