using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using LabelRep.Evaluation;
using LabelRep.Runs;
using Xunit;

namespace LabelRep.Tests.Cli;

/// <summary>A small trained run, made through the CLI itself, shared by the command and kill -9 tests.</summary>
public sealed class CliRunFixture
{
    public CliRunFixture()
    {
        DataDir = TestData.WriteIdxDataset(train: 240, test: 48, gzip: false);
        Run = Path.Combine(TestData.TempDir("cli-run"), "run");
        var (code, _, err) = CliRunner.Run("train", "--data-dir", DataDir, "--label", "lowdim", "--epochs", "2", "--val-count", "48", "--batch-size", "32",
            "--seed", "3", "--threads", "2", "--out", Run);
        if (code != 0) throw new InvalidOperationException("training through the CLI failed: " + err);
    }

    public string DataDir { get; }
    public string Run { get; }
}

public class KillAndCommandTests : IClassFixture<CliRunFixture>
{
    private readonly CliRunFixture _fixture;

    public KillAndCommandTests(CliRunFixture fixture) => _fixture = fixture;

    private static string Copy(string source, string target)
    {
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
        return target;
    }

    [Fact]
    public void Two_exports_of_a_run_are_the_same_bytes()
    {
        string work = TestData.TempDir("export-bytes");
        string first = Path.Combine(work, "first"), second = Path.Combine(work, "second");
        Assert.Equal(0, CliRunner.Run("export", "--run", _fixture.Run, "--format", "pytorch", "--out", first).Code);
        Thread.Sleep(2100); // the zip's times count in steps of 2 s
        Assert.Equal(0, CliRunner.Run("export", "--run", _fixture.Run, "--format", "pytorch", "--out", second).Code);

        foreach (string file in new[] { "state_dict.pt", "labels.npy", "model.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(first, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(second, file))), $"{file} differs between two exports");
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(first, "state_dict.pt"));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
    }

    [Fact]
    public void Export_then_import_then_evaluate_gives_the_same_accuracy_through_the_command_line()
    {
        string work = TestData.TempDir("roundtrip");
        var (code, output, err) = CliRunner.Run("export", "--run", _fixture.Run, "--format", "pytorch", "--out", Path.Combine(work, "model"));
        Assert.True(code == 0, err);
        (code, output, err) = CliRunner.Run("import", "--pytorch", Path.Combine(work, "model", "state_dict.pt"), "--model", "smallcnn", "--label", "lowdim",
            "--labels", Path.Combine(work, "model", "labels.npy"), "--dataset", "fashion-mnist", "--data-dir", _fixture.DataDir, "--val-count", "48",
            "--out", Path.Combine(work, "imported"));
        Assert.True(code == 0, err);
        (code, output, err) = CliRunner.Run("evaluate", "--run", Path.Combine(work, "imported"));
        Assert.True(code == 0, err);

        double original = TrainMetrics.Read(Path.Combine(_fixture.Run, "metrics.json")).TestAccuracy;
        Assert.Contains($"test accuracy {original:P2}", output.Replace('\u00a0', ' '));
    }

    [Fact]
    public void The_binarization_test_runs_on_a_trained_run_through_the_command_line()
    {
        // A categorical model trained through the CLI on the fixture's data: its scores move with the input, so the test
        // has separable images on every CPU setting (the fixture's 2-epoch lowdim model left 2 of 6, and under
        // ATEN_CPU_CAPABILITY=default APGD broke 1 of them, a sample too small to judge).
        string run = Path.Combine(TestData.TempDir("cli-binarize"), "run");
        var (code, output, err) = CliRunner.Run("train", "--data-dir", _fixture.DataDir, "--label", "categorical", "--epochs", "3", "--val-count", "48",
            "--batch-size", "32", "--seed", "3", "--threads", "2", "--out", run);
        Assert.True(code == 0, err);

        (code, output, err) = CliRunner.Run("attack", "--run", run, "--binarization", "--limit", "12");

        // The trained head passes: APGD breaks every binarized head built to be breakable.
        Assert.True(code == 0, err + output);
        Assert.Matches(@"binarization test of apgd at ε=0\.03137: broke ([0-9]+) of \1 binarized models", output);
    }

    [Fact]
    public void Labels_make_and_stats_and_bench_run_through_the_command_line()
    {
        string work = TestData.TempDir("cli-labels");
        var (code, output, err) = CliRunner.Run("labels", "make", "--kind", "composite", "--data-dir", _fixture.DataDir, "--out", work);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(work, "fashion-mnist_composite.npy")));
        Assert.Equal(10, Directory.GetFiles(Path.Combine(work, "fashion-mnist_composite"), "*.png").Length);
        (code, output, err) = CliRunner.Run("labels", "stats", "--kinds", "categorical,random,lowdim", "--data-dir", _fixture.DataDir, "--json", Path.Combine(work, "s.json"));
        Assert.True(code == 0, err);
        Assert.Contains("random", output);
        (code, output, err) = CliRunner.Run("bench", "--models", "smallcnn", "--steps", "1", "--repeats", "1", "--batch-size", "8", "--out", Path.Combine(work, "bench.json"));
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(work, "bench.json")));
        (code, output, err) = CliRunner.Run("bench", "--mode", "attack", "--models", "smallcnn", "--decoder", "--steps", "1", "--repeats", "1", "--batch-size", "8",
            "--out", Path.Combine(work, "bench-attack.json"));
        Assert.True(code == 0, err);
        Assert.Contains("attack", File.ReadAllText(Path.Combine(work, "bench-attack.json")));
        Assert.Contains("decoder", output);
        (code, output, err) = CliRunner.Run("bench", "--mode", "attack-unfolded", "--models", "smallcnn", "--steps", "1", "--repeats", "1", "--batch-size", "8",
            "--out", Path.Combine(work, "bench-unfolded.json"));
        Assert.True(code == 0, err);
        Assert.Contains("attack unfolded", File.ReadAllText(Path.Combine(work, "bench-unfolded.json")));
        (code, output, err) = CliRunner.Run("bench", "--mode", "adversarial", "--models", "smallcnn", "--steps", "1", "--repeats", "1", "--batch-size", "8",
            "--out", Path.Combine(work, "bench-adversarial.json"));
        Assert.True(code == 0, err);
        Assert.Contains("craft+forward", output);
        Assert.Contains("adversarial pgd7-8/255", File.ReadAllText(Path.Combine(work, "bench-adversarial.json")));
        // Each layer alone, with the list bench/layer_bench.py reads back.
        (code, output, err) = CliRunner.Run("bench", "--mode", "layers", "--models", "smallcnn", "--steps", "1", "--batch-size", "4", "--threads", "1",
            "--out", Path.Combine(work, "bench-layers.json"));
        Assert.True(code == 0, err);
        Assert.Contains("bn 32 @28", output);
        string layers = File.ReadAllText(Path.Combine(work, "bench-layers.json"));
        Assert.Contains("\"kind\": \"conv\"", layers);
        Assert.Contains("\"backward_ms\"", layers);
        Assert.Contains("\"layout\": \"channels-last\"", layers);
        // The same in libtorch's default layout, for a layer-by-layer comparison of the two (bench/layers_compare.sh LAYOUT).
        (code, output, err) = CliRunner.Run("bench", "--mode", "layers", "--models", "smallcnn", "--steps", "1", "--batch-size", "4", "--threads", "1",
            "--layout", "nchw", "--out", Path.Combine(work, "bench-layers-nchw.json"));
        Assert.True(code == 0, err);
        Assert.Contains("train mode, nchw", output);
        Assert.Contains("\"layout\": \"nchw\"", File.ReadAllText(Path.Combine(work, "bench-layers-nchw.json")));
        // An attack step's profile: the folded model's layers in order, with the decoder's too.
        (code, output, err) = CliRunner.Run("bench", "--mode", "attack-layers", "--models", "smallcnn", "--decoder", "--steps", "1", "--batch-size", "4", "--threads", "1",
            "--out", Path.Combine(work, "bench-attack-layers.json"));
        Assert.True(code == 0, err);
        Assert.Contains("conv3x3 1→32", output);
        Assert.Contains("deconv4x4/2 64→32", output);
        Assert.Contains("\"mode\": \"attack-layers\"", File.ReadAllText(Path.Combine(work, "bench-attack-layers.json")));
        // Parameterized names in a comma list, with the closest pair and the rank in the table.
        (code, output, err) = CliRunner.Run("labels", "stats", "--kinds", "hadamard,controlled:levels=16,rank=3,distance=4", "--data-dir", _fixture.DataDir);
        Assert.True(code == 0, err);
        Assert.Contains("controlled:levels=16,rank=3,distance=4", output);
        Assert.Contains("rank", output);
    }

    [Fact]
    public void Adversarial_training_runs_through_the_command_line_and_records_its_settings()
    {
        string run = Path.Combine(TestData.TempDir("cli-adv"), "run");
        var (code, output, err) = CliRunner.Run("train", "--data-dir", _fixture.DataDir, "--label", "mmc", "--epochs", "1", "--val-count", "48", "--batch-size", "32",
            "--adversarial", "pgd", "--adv-eps", "4/255", "--adv-steps", "2", "--adv-loss", "margin", "--threads", "2", "--out", run);
        Assert.True(code == 0, err);
        TrainConfig config = TrainConfig.Read(Path.Combine(run, "config.json"));
        Assert.Equal(new LabelRep.Runs.AdversarialTraining { Eps = 4 / 255.0, Steps = 2, Loss = LabelRep.Evaluation.AttackLoss.Margin }, config.Adversarial);
        Assert.Equal("mmc+pgd2-4/255-margin", config.Arm);
        // MMC trains at a tenth of the learning rate, and epochs.csv says so.
        string[] epoch1 = File.ReadAllLines(Path.Combine(run, "epochs.csv"))[1].Split(',');
        Assert.Equal("1", epoch1[0]);
        Assert.Equal(0.01, double.Parse(epoch1[1], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Theory]
    [InlineData("de_DE.UTF-8")]
    [InlineData("tr_TR.UTF-8")]
    public void Decimal_options_mean_the_same_in_every_locale(string locale)
    {
        // Given: a process whose culture would read "0.05" as 5 (de_DE: ',' is the decimal mark) if it followed the environment
        string data = TestData.WriteIdxDataset(train: 200, test: 40);
        string run = Path.Combine(TestData.TempDir("locale"), "run");
        var environment = new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "0", ["LC_ALL"] = locale, ["LANG"] = locale };

        // When: every kind of decimal option is given
        var (code, err) = RunProcess(new[]
        {
            "train", "--data-dir", data, "--epochs", "1", "--batch-size", "32", "--val-count", "40", "--threads", "1", "--out", run,
            "--lr", "0.05", "--momentum", "0.85", "--weight-decay", "0.0005", "--gamma", "0.5", "--fraction", "0.5", "--label-smoothing", "0.1",
        }, environment: environment);

        // Then: the run trains at exactly those values
        Assert.True(code == 0, err);
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        var root = config.RootElement;
        Assert.Equal(0.05, root.GetProperty("learning_rate").GetDouble());
        Assert.Equal(0.85, root.GetProperty("momentum").GetDouble());
        Assert.Equal(0.0005, root.GetProperty("weight_decay").GetDouble());
        Assert.Equal(0.5, root.GetProperty("gamma").GetDouble());
        Assert.Equal(0.5, root.GetProperty("fraction").GetDouble());
        Assert.Equal(0.1, root.GetProperty("label_smoothing").GetDouble());
    }

    // ---- kill -9 at random moments, then the same command again ----

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "LabelRep.Cli.dll");

    private static (int Code, string Error) RunProcess(string[] args, TimeSpan? killAfter = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (code, _, error) = RunProcessWithOutput(args, killAfter, environment);
        return (code, error);
    }

    /// <summary><see cref="RunProcess"/>, with what the process printed on stdout before it ended or was killed.</summary>
    private static (int Code, string Output, string Error) RunProcessWithOutput(string[] args, TimeSpan? killAfter = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliDll);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            Process.Start("kill", new[] { "-9", process.Id.ToString() })!.WaitForExit();
            process.WaitForExit();
            return (-9, stdout.Result, "");
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(true);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs once to the end into A; into B, starts it, kills it (kill -9) at random moments, then runs it to the end; the files must agree.</summary>
    private static void KilledThenRerunEqualsUninterrupted(Func<string, string[]> command, string a, string b, Action<string, string> compare, int seed)
    {
        var (code, err) = RunProcess(command(a));
        Assert.True(code == 0, err);
        var random = new Random(seed);
        for (int kill = 0; kill < 3; kill++)
            RunProcess(command(b), TimeSpan.FromMilliseconds(400 + random.Next(2600)));
        (code, err) = RunProcess(command(b));
        Assert.True(code == 0, err);
        compare(a, b);
        Assert.Empty(Directory.GetFiles(b, "*.tmp", SearchOption.AllDirectories));
    }

    private static void SameFiles(string a, string b, Func<string, string> read)
    {
        string[] files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).OrderBy(f => f).ToArray();
        Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).OrderBy(f => f).ToArray());
        foreach (string f in files) Assert.True(read(Path.Combine(a, f)) == read(Path.Combine(b, f)), $"{f} differs");
    }

    private static string Bytes(string path) => Convert.ToHexString(File.ReadAllBytes(path));

    [Fact]
    public void An_attack_killed_at_random_moments_and_rerun_writes_what_an_uninterrupted_one_does()
    {
        string root = TestData.TempDir("kill-attack");
        string a = Copy(_fixture.Run, Path.Combine(root, "a", "run")), b = Copy(_fixture.Run, Path.Combine(root, "b", "run"));
        string[] Attack(string run) => new[] { "attack", "--run", run, "--eps", "0,2/255,8/255", "--limit", "32", "--attacks", "fgsm,pgd,square", "--queries", "60", "--threads", "2" };
        // Timings differ from run to run; everything else must not.
        string WithoutTimes(string path) => path.EndsWith(".json") ? StripSeconds(JsonNode.Parse(File.ReadAllText(path))!).ToJsonString()
            : path.EndsWith(".csv") ? string.Join("\n", File.ReadAllLines(path).Select(l => string.Join(",", l.Split(',').Where((_, i) => i != Array.IndexOf(AttackResult.CsvHeader.Split(','), "seconds")))))
            : Bytes(path);
        KilledThenRerunEqualsUninterrupted(Attack, a, b, (x, y) => SameFiles(x, y, WithoutTimes), seed: 1);
    }

    [Fact]
    public void A_suite_killed_at_several_points_resumes_from_its_journal_and_writes_what_an_uninterrupted_one_does()
    {
        string root = TestData.TempDir("kill-suite");
        string a = Copy(_fixture.Run, Path.Combine(root, "a", "run")), b = Copy(_fixture.Run, Path.Combine(root, "b", "run"));
        string[] Attack(string run) => new[]
        {
            "attack", "--run", run, "--suite", "apgd-ce,apgd-t,fab-t,square", "--eps", "0,4/255,8/255", "--limit", "48", "--batch-size", "6",
            "--steps", "20", "--targets", "3", "--queries", "200", "--skip-checks", "--threads", "2",
        };
        string journal = Path.Combine(b, "attacks-standard.journal");
        string WithoutTimes(string path) => path.EndsWith(".json") ? StripSeconds(JsonNode.Parse(File.ReadAllText(path))!).ToJsonString()
            : path.EndsWith(".csv") ? string.Join("\n", File.ReadAllLines(path).Select(l => string.Join(",", l.Split(',').Where((_, i) => i != Array.IndexOf(AttackResult.CsvHeader.Split(','), "seconds")))))
            : Bytes(path);

        var clock = Stopwatch.StartNew();
        var (code, err) = RunProcess(Attack(a));
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.True(code == 0, err);
        // Kills at 50%, 65% and 80% of an uninterrupted run's time, past start-up: the first leaves some finished batches,
        // the later reruns read them back and add to them (or, being faster for what they read back, finish).
        var recorded = new List<int>();
        var printed = new System.Text.StringBuilder();
        foreach (double share in new[] { 0.5, 0.65, 0.8 })
        {
            var (_, killedOutput, _) = RunProcessWithOutput(Attack(b), TimeSpan.FromMilliseconds((int)(share * seconds * 1000)));
            printed.Append(killedOutput);
            recorded.Add(File.Exists(journal) ? File.ReadAllLines(journal).Length - 1 : 0);
        }
        var (finalCode, output, finalErr) = CliRunner.Run(Attack(b));
        printed.Append(output);

        Assert.True(finalCode == 0, finalErr);
        Assert.True(recorded.Max() > 0, $"no batch was recorded before a kill ({string.Join(", ", recorded)}; an uninterrupted run took {seconds:F1} s)");
        Assert.Contains("resuming an interrupted attack", printed.ToString());
        Assert.False(File.Exists(journal), "the journal outlived the finished attack");
        SameFiles(a, b, WithoutTimes);
    }

    /// <summary>The processes whose environment names <paramref name="parent"/> as their study parent (its workers).</summary>
    private static int[] WorkersOf(int parent) => Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0).Where(pid => pid > 0)
        .Where(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"{LabelRep.Native.ProcessLinks.ParentVariable}={parent}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }).ToArray();

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    [InlineData("INT")]
    [InlineData("KILL")]
    public void A_parallel_study_s_workers_end_with_their_parent(string signal)
    {
        string data = TestData.WriteIdxDataset(train: 600, test: 48);
        string spec = Path.Combine(TestData.TempDir("signal-spec"), "spec.json");
        File.WriteAllText(spec, new LabelRep.Studies.StudySpec
        {
            Name = "signals", DataDir = data, Labels = new[] { "categorical", "random" }, Seeds = new[] { 7, 77 }, Fractions = new[] { 1.0 }, Epochs = 40,
            ValidationCount = 48, TsneImages = 0, Attack = new LabelRep.Studies.StudyAttackSpec { Protocols = Array.Empty<string>() },
        }.ToJson());
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { CliDll, "study", "--spec", spec, "--out", TestData.TempDir("signal-study"), "--parallel", "2", "--threads", "1" }) info.ArgumentList.Add(a);
        using var parent = Process.Start(info)!;
        _ = parent.StandardOutput.ReadToEndAsync();
        _ = parent.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (WorkersOf(parent.Id).Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
        int[] workers = WorkersOf(parent.Id);
        Assert.Equal(2, workers.Length);
        Thread.Sleep(1500); // the workers past their start-up, training

        Process.Start("kill", new[] { "-" + signal, parent.Id.ToString() })!.WaitForExit();

        clock.Restart();
        while (workers.Any(w => Directory.Exists($"/proc/{w}")) && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
        Assert.True(workers.All(w => !Directory.Exists($"/proc/{w}") || File.ReadAllText($"/proc/{w}/stat").Split(' ')[2] == "Z"),
            $"a worker outlived its parent's SIG{signal} by 20 s");
        Assert.True(parent.WaitForExit(20_000), $"the parent did not end on SIG{signal}");
    }

    [Fact]
    public void Apgd_t_takes_its_target_count_from_the_command_line()
    {
        string run = Copy(_fixture.Run, Path.Combine(TestData.TempDir("targets"), "run"));

        var (code, _, err) = CliRunner.Run("attack", "--run", run, "--suite", "apgd-t", "--targets", "2", "--steps", "5", "--eps", "0,8/255", "--limit", "8", "--threads", "2");

        Assert.True(code == 0, err);
        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "attacks.json")))!.AsArray()
            .SelectMany(report => report!["results"]!.AsArray()).Where(r => r!["attack"]!.GetValue<string>().StartsWith("apgd-t", StringComparison.Ordinal) && r["loss"]!.GetValue<string>() == "dlr").ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(2, r!["targets"]!.GetValue<int>()));
    }

    private static JsonNode StripSeconds(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (string key in o.Select(kv => kv.Key).ToArray())
            {
                if (key == "seconds") o.Remove(key);
                else if (o[key] is { } child) StripSeconds(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? child in array) if (child != null) StripSeconds(child);
        }
        return node;
    }

    [Fact]
    public void Labels_make_killed_at_random_moments_and_rerun_writes_what_an_uninterrupted_one_does()
    {
        string root = TestData.TempDir("kill-labels");
        string[] Make(string dir) => new[] { "labels", "make", "--kind", "composite", "--data-dir", _fixture.DataDir, "--out", dir };
        KilledThenRerunEqualsUninterrupted(Make, Path.Combine(root, "a"), Path.Combine(root, "b"), (x, y) => SameFiles(x, y, Bytes), seed: 2);
    }

    [Fact]
    public void Export_killed_at_random_moments_and_rerun_writes_what_an_uninterrupted_one_does()
    {
        string root = TestData.TempDir("kill-export");
        string[] Export(string dir) => new[] { "export", "--run", _fixture.Run, "--format", "pytorch", "--out", dir };
        // state_dict.pt is a zip whose entries carry the time they were written: compare what is inside.
        string Content(string path) => path.EndsWith(".pt")
            ? string.Join("|", ZipFile.OpenRead(path).Entries.OrderBy(e => e.FullName).Select(e => e.FullName + ":" + Hash(e)))
            : Bytes(path);
        KilledThenRerunEqualsUninterrupted(Export, Path.Combine(root, "a"), Path.Combine(root, "b"), (x, y) => SameFiles(x, y, Content), seed: 3);
    }

    private static string Hash(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
