using LabelRep.Cli;
using Xunit;

namespace LabelRep.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Theory]
    [InlineData("--model", "resnet18", "resnet32")]
    [InlineData("--dataset", "imagenet", "fashion-mnist")]
    [InlineData("--label", "glove", "speech")]
    [InlineData("--device", "tpu", "cuda")]
    public void A_wrong_name_lists_the_valid_ones_and_exits_non_zero(string option, string value, string listed)
    {
        var (code, _, err) = Run("train", option, value, "--out", TestData.TempDir("cli"), "--data-dir", TestData.TempDir("nodata"));
        Assert.NotEqual(0, code);
        Assert.Contains(listed, err);
        Assert.DoesNotContain("   at ", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("train", "--out", "")]
    [InlineData("attack", "--run", " ")]
    [InlineData("study", "--out", "")]
    [InlineData("export", "--out", "")]
    [InlineData("report", "--study", "")]
    public void An_empty_path_names_the_option(string command, string option, string value)
    {
        var (code, _, err) = Run(command, option, value);
        Assert.Equal(2, code);
        Assert.Contains($"{option} is empty", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("trian", "unknown command 'trian'; did you mean 'train'? (see 'labelrep --help')")]
    [InlineData("study --presett quick", "unknown option '--presett'; did you mean '--preset'? (see 'labelrep study --help')")]
    [InlineData("study stauts", "did you mean 'status'? (see 'labelrep study --help')")]
    [InlineData("train --epochs three --out X", "--epochs 'three': must be a whole number (see 'labelrep train --help')")]
    [InlineData("train --lr fast --out X", "--lr 'fast': must be a number")]
    [InlineData("", "which command? one of: train, evaluate, attack")]
    [InlineData("labels", "which command? one of: make, stats (see 'labelrep labels --help')")]
    [InlineData("study status", "'--study' is required (see 'labelrep study status --help')")]
    public void A_command_line_the_parser_refuses_is_one_line_in_the_users_terms(string line, string says)
    {
        var (code, _, err) = Run(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, code);
        Assert.Contains(says, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("System.", err);
        Assert.DoesNotContain("LabelRep.Cli", err);
    }

    [Fact]
    public void A_redirected_log_shows_a_long_evaluations_progress_and_no_line_for_a_short_one()
    {
        static string Log(ProgressLine progress) => CliRunner.Capture(() =>
        {
            foreach (var (phase, epoch, done) in new[] { ("validate", 1, 0), ("validate", 1, 400), ("validate", 1, 800), ("validate", 1, 1000),
                                                         ("test", 1, 400), ("test", 1, 700), ("test", 1, 1000) })
                progress.Report(new LabelRep.Training.TrainProgress(phase, epoch, 1, done, 1000, 0.5, 100, TimeSpan.FromSeconds(6)));
            return 0;
        }).Out;
        // The tests' output is redirected, as a study's or a Slurm job's log is.
        Assert.Equal("", Log(new ProgressLine()));
        // Evaluations that outlast the interval: a line for each report after the first, none for the finished one.
        string[] lines = Log(new ProgressLine("[1/2] ", slowEvaluationEvery: TimeSpan.Zero)).Trim().Split(Environment.NewLine);
        Assert.Equal(new[]
        {
            "[1/2] epoch 1/1  validating  400/1000 images  100 img/s  ETA 0m06s",
            "[1/2] epoch 1/1  validating  800/1000 images  100 img/s  ETA 0m06s",
            "[1/2] epoch 1/1  testing the best weights  700/1000 images  100 img/s  ETA 0m06s",
        }, lines);
    }

    [Fact]
    public void A_study_folder_that_is_a_file_is_a_clear_error()
    {
        string file = Path.Combine(TestData.TempDir("cli"), "afile");
        File.WriteAllText(file, "x");
        var (code, _, err) = Run("study", "--preset", "quick", "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("a file, not a folder", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Missing_data_says_where_it_looked()
    {
        string empty = TestData.TempDir("nodata");
        var (code, _, err) = Run("train", "--data-dir", empty, "--out", TestData.TempDir("cli"));
        Assert.Equal(2, code);
        Assert.Contains(empty, err);
    }

    [Fact]
    public void Evaluate_of_a_folder_without_a_run_is_a_clear_error()
    {
        var (code, _, err) = Run("evaluate", "--run", TestData.TempDir("norun"));
        Assert.Equal(2, code);
        Assert.Contains("no config.json", err);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("bench")]
    [InlineData("attack")]
    public void Every_command_has_help(string command)
    {
        var (code, output, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--", output);
    }

    [Fact]
    public void Bad_numbers_are_rejected_with_the_option_name()
    {
        var (code, _, err) = Run("train", "--fraction", "2", "--out", TestData.TempDir("cli"));
        Assert.Equal(2, code);
        Assert.Contains("--fraction", err);
    }

    [Fact]
    public void A_wrong_bench_layout_lists_the_valid_ones()
    {
        var (code, _, err) = Run("bench", "--layout", "nhwc", "--out", Path.Combine(TestData.TempDir("bench"), "bench.json"));
        Assert.NotEqual(0, code);
        Assert.Contains("channels-last", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--attacks", "fgsm,cw", "square")]
    [InlineData("--protocol", "madry", "standard")]
    [InlineData("--targeted", "maybe", "both")]
    [InlineData("--eps", "0,eight", "8/255")]
    public void Attack_options_with_a_wrong_value_say_what_is_valid(string option, string value, string listed)
    {
        var (code, _, err) = Run("attack", "--run", TestData.TempDir("norun"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(listed, err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
