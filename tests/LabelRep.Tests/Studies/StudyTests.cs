using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Reporting;
using LabelRep.Runs;
using LabelRep.Studies;
using LabelRep.Studies.Executors;
using LabelRep.Training;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LabelRep.Tests.Studies;

public class StudyTests
{
    private static readonly string DataDir = TestData.WriteIdxDataset(train: 300, test: 48);

    /// <summary>2 label kinds × 2 fractions × 1 epoch, both attack protocols on a few images, t-SNE of 40 images.</summary>
    private static StudySpec Tiny => new()
    {
        Name = "tiny",
        DataDir = DataDir,
        Labels = new[] { "categorical", "random" },
        Fractions = new[] { 0.5 },
        MainFraction = 1.0,
        Epochs = 1,
        ValidationCount = 48,
        Attack = new StudyAttackSpec
        {
            Limit = 12, StandardEps = new[] { 0, 0.05 }, PaperEps = new[] { 0, 0.2 }, Steps = 2, Queries = 8,
            StandardAttacks = new[] { "fgsm", "pgd", "square" },
        },
        TsneImages = 40,
    };

    /// <summary>Stops a study at a chosen moment, as Ctrl-C would.</summary>
    private sealed class Interrupter : IStudyObserver, IProgress<TrainProgress>
    {
        private readonly CancellationTokenSource _cancel;
        private readonly Func<string, bool> _atMessage;
        private readonly bool _midEpoch;
        private string _prefix = "";
        private readonly string _midRun;

        public Interrupter(CancellationTokenSource cancel, Func<string, bool> atMessage, string midRun = "")
        {
            _cancel = cancel;
            _atMessage = atMessage;
            _midRun = midRun;
            _midEpoch = midRun.Length > 0;
        }

        public void Message(string line)
        {
            if (_atMessage(line)) _cancel.Cancel();
        }

        public IProgress<TrainProgress> Training(string prefix)
        {
            _prefix = prefix;
            return this;
        }

        public IProgress<AttackProgress>? Attacking(string prefix) => null;

        public void Report(TrainProgress p)
        {
            if (_midEpoch && _prefix.StartsWith(_midRun) && p.Phase == "train" && p.Step == 1) _cancel.Cancel();
        }
    }

    /// <summary>Everything the database says about results, without timings and process bookkeeping.</summary>
    internal static string Content(string dir)
    {
        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        var lines = new List<string>();
        lines.AddRange(store.RunStatus().Select(r => $"run {r.Id} {r.Status} {r.Label} {r.Fraction}"));
        lines.AddRange(store.Results().Select(r => (r with { TrainSeconds = 0 }).ToString()));
        lines.AddRange(store.Epochs().Select(e => $"{e.RunId} {e.Epoch with { Seconds = 0 }}"));
        lines.AddRange(store.AttackResults().Select(a => $"{a.RunId} {a.Result with { Seconds = 0 }}"));
        lines.AddRange(store.AttackFlags().Select(f => f.ToString()));
        lines.AddRange(store.Features().Select(f => $"{f.RunId} {f.Embedding.Silhouette:R} {f.Embedding.CentroidAccuracy:R} {string.Join(",", f.Embedding.X.Take(5))}"));
        lines.AddRange(store.LabelStatistics().Select(s => s.ToString()));
        return string.Join("\n", lines);
    }

    [Fact]
    public void A_spec_overrides_only_the_budgets_it_sets_so_the_autoattack_suite_runs_square_at_5000_queries()
    {
        // Given: a spec that names the autoattack suite and sets no budget, and one that sets queries
        var plain = new StudyAttackSpec { Protocols = new[] { "standard" }, Suite = "autoattack", StandardAttacks = Array.Empty<string>() };
        IAttack square = AttackRegistry.Get("square");
        SuiteMember member = AttackSuite.AutoAttack.Attacks.Single(m => m.Attack == "square");

        // Then: the suite member keeps its own 5,000 queries unless the spec sets another number
        Assert.DoesNotContain("queries", plain.Options.Keys);
        Assert.Equal(5000, plain.RequestFor(AttackProtocol.Standard, transfer: false).OptionsFor(square, member)["queries"]);
        Assert.Equal(500, plain.RequestFor(AttackProtocol.Standard, transfer: false).OptionsFor(square)["queries"]);
        Assert.Equal(50, (plain with { Queries = 50 }).RequestFor(AttackProtocol.Standard, transfer: false).OptionsFor(square, member)["queries"]);
        Assert.DoesNotContain("\"queries\"", new StudySpec { Attack = plain }.ToJson());
    }

    [Fact]
    public void A_study_with_the_autoattack_suite_records_square_at_5000_queries_and_the_passes_each_attack_spent()
    {
        // Given: a one-run study with the autoattack suite, through the command line as a user runs it
        var spec = Tiny with
        {
            Labels = new[] { "categorical" },
            Fractions = Array.Empty<double>(),
            TsneImages = 0,
            Attack = new StudyAttackSpec { Protocols = new[] { "standard" }, Limit = 6, StandardEps = new[] { 0, 8 / 255.0 }, StandardAttacks = Array.Empty<string>(), Suite = "autoattack", Transfer = false },
        };
        string dir = TestData.TempDir("study-aa");
        string file = Path.Combine(TestData.TempDir("spec"), "aa.json");
        File.WriteAllText(file, spec.ToJson());
        var (code, _, err) = Cli.CliRunner.Run("study", "--spec", file, "--out", dir, "--device", "cpu", "--parallel", "1");
        Assert.True(code == 0, err);
        Assert.Equal(0, Cli.CliRunner.Run("export", "--study", dir, "--format", "csv").Code);
        var (statusCode, status, statusErr) = Cli.CliRunner.Run("study", "status", "--study", dir);
        Assert.True(statusCode == 0, statusErr);
        Assert.EndsWith("1 done", status.Trim()); // a local study's status, through the executor that ran it

        // Then: attacks.csv says Square ran 5,000 queries, and every attack row says what it spent
        string[] lines = File.ReadAllLines(Path.Combine(dir, "export", "attacks.csv"));
        string[] header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        string Col(string[] row, string name) => row[Array.IndexOf(header, name)];
        string[] squareRow = rows.Single(r => Col(r, "attack") == "autoattack:square" && Col(r, "eps") != "0");
        Assert.Equal("5000", Col(squareRow, "queries"));
        string[] apgdT = rows.Single(r => Col(r, "attack") == "autoattack:apgd-t" && Col(r, "eps") != "0");
        Assert.Equal("9", Col(apgdT, "targets"));
        Assert.Equal("100", Col(apgdT, "steps"));
        string[] apgdCe = rows.Single(r => Col(r, "attack") == "autoattack:apgd-ce" && Col(r, "eps") != "0");
        Assert.True(long.Parse(Col(apgdCe, "backwards"), System.Globalization.CultureInfo.InvariantCulture) > 0, "APGD-CE spent no backward pass");
        Assert.True(long.Parse(Col(apgdCe, "forwards"), System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(Col(apgdCe, "backwards"), System.Globalization.CultureInfo.InvariantCulture));
        string runAttacks = File.ReadAllText(Directory.GetFiles(dir, "attacks.json", SearchOption.AllDirectories).Single());
        Assert.Contains("\"queries\": 5000", runAttacks);
        Assert.Equal("9", Col(rows.Single(r => Col(r, "attack") == "autoattack:fab-t" && Col(r, "eps") != "0"), "targets"));
        // And: the checks that ran are recorded, each on the images it saw (6 here, fewer than the gate's 100 for convergence)
        using var store = StudyStore.OpenExisting(StudyRunner.DatabasePath(dir));
        var checks = store.RunChecks().Select(c => c.Check).ToDictionary(c => c.Name);
        Assert.Equal(new[] { AttackDiagnostics.ConvergenceCheck, AttackDiagnostics.SquareCheck, AttackDiagnostics.UnboundedCheck }, checks.Keys.Order());
        Assert.True(checks[AttackDiagnostics.ConvergenceCheck].Images <= 6);
        Assert.Equal(10, store.SweepClasses().Values.Single());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("slurm")]
    public void A_study_refused_for_another_spec_leaves_the_folders_spec_as_it_was(string executor)
    {
        // Given: a folder that holds study A's spec.json, and a spec B for the same folder
        string dir = TestData.TempDir("refused-" + executor);
        string specA = Tiny.ToJson(), specB = (Tiny with { Epochs = 2 }).ToJson();
        File.WriteAllText(Path.Combine(dir, "spec.json"), specA);
        string fileB = Path.Combine(TestData.TempDir("spec"), "b.json");
        File.WriteAllText(fileB, specB);

        // When: study B is asked to run there
        var (code, _, err) = Cli.CliRunner.Run("study", "--spec", fileB, "--out", dir, "--device", "cpu", "--executor", executor);

        // Then: one line says why, and spec.json is still A's, byte for byte; nothing else was written
        Assert.NotEqual(0, code);
        Assert.Contains("holds a study with another spec", err);
        Assert.Equal(specA, File.ReadAllText(Path.Combine(dir, "spec.json")));
        Assert.Equal(new[] { "spec.json" }, Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void A_tiny_study_runs_end_to_end_and_writes_its_report()
    {
        // Given: the spec in a file; When: the study command runs it, as a user would
        string dir = TestData.TempDir("study");
        string spec = Path.Combine(TestData.TempDir("spec"), "tiny.json");
        File.WriteAllText(spec, Tiny.ToJson());

        var (code, output, err) = Cli.CliRunner.Run("study", "--spec", spec, "--out", dir, "--device", "cpu", "--parallel", "1");

        Assert.True(code == 0, err);
        Assert.Contains("report:", output);
        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        Assert.Equal(4, store.RunStatus().Count(r => r.Status == "done"));
        Assert.Equal(4, store.Results().Count);
        var attacks = store.AttackResults();
        Assert.Contains(attacks, a => a.Label == "random" && a.Result.Protocol == "standard" && a.Result.Attack == "transfer");
        Assert.Contains(attacks, a => a.Label == "categorical" && a.Result.Protocol == "paper" && a.Result.Targeted);
        Assert.DoesNotContain(attacks, a => store.Results().Single(r => r.Id == a.RunId).Fraction != 1.0);
        Assert.Equal(2, store.Features().Count);
        foreach (string file in new[] { "report.html", "report.md", "robustness-standard-fashion-mnist-smallcnn.png", "efficiency-fashion-mnist-smallcnn.png", "tsne-fashion-mnist-smallcnn-random.png" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("src=\"robustness", html); // self-contained
        Assert.Contains("s claims</h2>", html);

        // Running it again does nothing new; the report can be rewritten and the tables exported from the database alone.
        string before = Content(dir);
        Assert.Equal(0, new StudyRunner(dir, Tiny, "cpu").Run());
        Assert.Equal(before, Content(dir));
        File.Delete(Path.Combine(dir, "report.html"));
        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
        Assert.Equal(0, Cli.CliRunner.Run("export", "--study", dir, "--format", "csv").Code);
        string export = Path.Combine(dir, "export");
        Assert.Equal(5, File.ReadAllLines(Path.Combine(export, "runs.csv")).Length);
        Assert.StartsWith("run_id,dataset,model,label,seed,protocol,norm,attack", File.ReadAllLines(Path.Combine(export, "attacks.csv"))[0]);
    }

    [Fact]
    public void A_study_in_two_threat_models_keeps_distances_draws_a_curve_per_norm_and_judges_the_area_the_spec_names()
    {
        string dir = TestData.TempDir("study-norms");
        StudySpec spec = Tiny with
        {
            Name = "norms",
            Fractions = new[] { 1.0 },
            Attack = Tiny.Attack with
            {
                Protocols = new[] { "standard", "standard-l2" },
                StandardAttacks = new[] { "pgd", "fab-t", "fmn" },
                NormEps = new Dictionary<string, double[]> { ["l2"] = new[] { 0, 0.5, 1.0 } },
                Judge = new Dictionary<string, string> { ["standard-l2"] = "area:1", ["standard"] = "at:0.05" },
            },
        };
        string file = Path.Combine(TestData.TempDir("spec"), "norms.json");
        File.WriteAllText(file, spec.ToJson());

        var (code, _, err) = Cli.CliRunner.Run("study", "--spec", file, "--out", dir, "--device", "cpu", "--parallel", "1");

        Assert.True(code == 0, err);
        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        var distances = store.Distances();
        // Per attacked run, protocol and minimum-norm attack, one distance per attacked image.
        Assert.Equal(2 * 2 * 2, distances.Count);
        Assert.All(distances, d => Assert.Equal(12, d.Distances.Length));
        Assert.Contains(store.AttackResults(), a => a.Result.Protocol == "standard-l2" && a.Result.Eps == 0.5 && a.Result.Norm == Norm.L2);
        foreach (string protocol in new[] { "standard", "standard-l2" })
            Assert.True(File.Exists(Path.Combine(dir, $"robustness-curve-{protocol}-fashion-mnist-smallcnn.png")), protocol);
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("judged on the area under R(ε) up to L2 ε = 1", report);
        Assert.Contains("judged at L∞ ε = ", report);
        Assert.Contains("median smallest fooling perturbation (L2", report);

        // A judge the spec cannot honour is refused before anything runs.
        string bad = Path.Combine(TestData.TempDir("spec"), "bad.json");
        File.WriteAllText(bad, (spec with { Attack = spec.Attack with { StandardAttacks = new[] { "pgd" } } }).ToJson());
        var refused = Cli.CliRunner.Run("study", "--spec", bad, "--out", TestData.TempDir("study-bad"), "--device", "cpu");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("minimum-norm attack", refused.Err);
    }

    [Fact]
    public void A_results_database_left_half_made_is_completed_and_the_study_runs()
    {
        // Given: a results.db with 4 of LabelRep's tables and nothing else, as a full disk left the older, table-by-table creation
        string dir = TestData.TempDir("study-half");
        string spec = Path.Combine(TestData.TempDir("spec"), "half.json");
        File.WriteAllText(spec, (Tiny with { Labels = new[] { "categorical" }, Fractions = Array.Empty<double>(), TsneImages = 0 }).ToJson());
        using (var db = new SqliteConnection($"Data Source={StudyRunner.DatabasePath(dir)};Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "CREATE TABLE study (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE runs (id TEXT PRIMARY KEY); " +
                                  "CREATE TABLE epochs (run_id TEXT); CREATE TABLE metrics (run_id TEXT PRIMARY KEY);";
            command.ExecuteNonQuery();
        }

        // When: the study runs on that folder, through the CLI
        var (code, _, err) = Cli.CliRunner.Run("study", "--spec", spec, "--out", dir, "--device", "cpu");

        // Then: it completes the database instead of refusing it
        Assert.True(code == 0, err);
        using var store = StudyStore.OpenExisting(StudyRunner.DatabasePath(dir));
        Assert.Equal("done", store.RunStatus().Single().Status);
    }

    [Fact]
    public void Reading_commands_never_write_into_the_database_even_one_from_an_older_version()
    {
        // Given: a finished study whose database lacks the tables a later version added (the checks) and has a foreign table
        string dir = TestData.TempDir("study-readonly");
        string spec = Path.Combine(TestData.TempDir("spec"), "readonly.json");
        File.WriteAllText(spec, (Tiny with { Labels = new[] { "categorical" }, Fractions = Array.Empty<double>(), TsneImages = 0 }).ToJson());
        Assert.Equal(0, Cli.CliRunner.Run("study", "--spec", spec, "--out", dir, "--device", "cpu").Code);
        string db = StudyRunner.DatabasePath(dir);
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE attack_checks; DROP TABLE attack_sweeps; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            command.ExecuteNonQuery();
        }
        byte[] before = File.ReadAllBytes(db);

        // When: every reading command runs on it
        foreach (string[] args in new[]
                 {
                     new[] { "report", "--study", dir }, new[] { "export", "--study", dir, "--format", "csv" }, new[] { "study", "status", "--study", dir },
                 })
        {
            var (code, _, err) = Cli.CliRunner.Run(args);
            Assert.True(code == 0, $"{string.Join(" ", args)}: {err}");
        }

        // Then: the file is byte for byte what it was, still without the later tables, and in its own journal mode
        Assert.Equal(before, File.ReadAllBytes(db));
        Assert.False(File.Exists(db + "-wal") && new FileInfo(db + "-wal").Length > 0, "a reader wrote a WAL");
    }

    [Fact]
    public void An_interrupted_study_ends_with_the_same_database_as_an_uninterrupted_one()
    {
        string straight = TestData.TempDir("study-straight");
        new StudyRunner(straight, Tiny, "cpu").Run();

        string broken = TestData.TempDir("study-broken");
        // 1. Stopped between runs: right after the first run's attacks are recorded.
        using (var cancel = new CancellationTokenSource())
        {
            var stop = new Interrupter(cancel, line => line.StartsWith("[1/4]") && line.Contains("standard attacks done"));
            Assert.Throws<OperationCanceledException>(() => new StudyRunner(broken, Tiny, "cpu", stop).Run(cancel.Token));
        }
        // 2. Stopped in the middle of the third run's training.
        using (var cancel = new CancellationTokenSource())
        {
            var stop = new Interrupter(cancel, _ => false, midRun: "[3/4]");
            Assert.Throws<OperationCanceledException>(() => new StudyRunner(broken, Tiny, "cpu", stop).Run(cancel.Token));
        }
        // 3. A kill -9 leaves the fourth run claimed by a process that no longer exists.
        using (var db = new SqliteConnection($"Data Source={StudyRunner.DatabasePath(broken)};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"UPDATE runs SET status = 'running', owner = '{Environment.MachineName}:999999999:1' WHERE status != 'done'";
            Assert.True(cmd.ExecuteNonQuery() >= 1);
        }

        Assert.Equal(0, new StudyRunner(broken, Tiny, "cpu").Run());

        Assert.Equal(Content(straight), Content(broken));
    }

    [Fact]
    public void Cells_in_parallel_worker_processes_give_the_database_of_a_sequential_study()
    {
        // Given: the same spec run sequentially and in two processes, one thread per cell in both
        string sequential = TestData.TempDir("study-sequential"), parallel = TestData.TempDir("study-parallel");
        string spec = Path.Combine(TestData.TempDir("spec"), "tiny.json");
        File.WriteAllText(spec, Tiny.ToJson());
        try
        {
            Assert.Equal(0, new StudyRunner(sequential, Tiny, "cpu", threads: 1).Run());

            var (code, output, err) = Cli.CliRunner.Run("study", "--spec", spec, "--out", parallel, "--device", "cpu", "--parallel", "2", "--threads", "1");

            // Then: two worker processes ran the cells (the study's own process only shows their lines), and the
            // databases agree, timings and owners aside
            Assert.True(code == 0, err + output);
            Assert.Contains("[worker 1]", output);
            Assert.Contains("[worker 2]", output);
            Assert.Equal(Content(sequential), Content(parallel));
            // and no cell was trained by both processes (a claim held by a live process is respected)
            var trained = output.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"^\[worker \d+\] ", "").Trim())
                .Where(l => l.Contains(": training ")).Select(l => l[..l.IndexOf(": training ", StringComparison.Ordinal)]).ToList();
            Assert.Equal(Tiny.Runs().Count, trained.Count);
            Assert.Equal(trained.Count, trained.Distinct().Count());
        }
        finally
        {
            LabelRep.Native.TorchRuntime.SetThreads(2);
        }
    }

    private sealed class Lines : IStudyObserver
    {
        public List<string> All { get; } = new();
        public void Message(string line) { lock (All) All.Add(line); }
        public IProgress<TrainProgress>? Training(string prefix) => null;
        public IProgress<AttackProgress>? Attacking(string prefix) => null;
    }

    [Fact]
    public void A_parallel_study_prepares_in_its_own_process_and_reports_workers_that_die()
    {
        // Given: a parallel executor whose "workers" end at once with an abnormal exit code (as a crash would)
        string dir = TestData.TempDir("study-workers");
        var seen = new Lines();
        var job = new StudyJob(dir, Tiny, "cpu", seen, null, _ =>
        {
            var info = new System.Diagnostics.ProcessStartInfo("sh");
            foreach (string a in new[] { "-c", "echo started; exit 3" }) info.ArgumentList.Add(a);
            return info;
        });

        // When
        int failures = new LocalExecutor(parallel: 2, threads: 1).Execute(job, CancellationToken.None);

        // Then: the study's own process prepared the study (grid and labels recorded) but ran no cell, both workers'
        // lines were shown with their numbers, and both deaths are counted and named
        Assert.Equal(2, failures);
        using (var store = StudyStore.OpenExisting(StudyRunner.DatabasePath(dir)))
        {
            Assert.NotEmpty(store.RunStatus());
            Assert.All(store.RunStatus(), r => Assert.NotEqual("done", r.Status));
        }
        Assert.Contains("[worker 1] started", seen.All);
        Assert.Contains("[worker 2] started", seen.All);
        Assert.Equal(2, seen.All.Count(l => l.Contains("ended with exit code 3")));

        // and a folder of another spec fails in the study's own process, before any worker starts
        var other = job with { Spec = Tiny with { Epochs = 2 } };
        var e = Assert.Throws<LabelRepException>(() => new LocalExecutor(2, 1).Execute(other, CancellationToken.None));
        Assert.Contains("another spec", e.Message);
    }

    [Fact]
    public void A_study_folder_refuses_a_different_spec()
    {
        string dir = TestData.TempDir("study-spec");
        var spec = Tiny with { Labels = new[] { "categorical" }, Fractions = Array.Empty<double>(), Attack = Tiny.Attack with { Protocols = Array.Empty<string>() }, TsneImages = 0 };
        new StudyRunner(dir, spec, "cpu").Run();

        var e = Assert.Throws<LabelRepException>(() => new StudyRunner(dir, spec with { Epochs = 2 }, "cpu").Run());
        Assert.Contains("another spec", e.Message);
    }

    [Fact]
    public void A_study_trains_on_the_official_banks_of_a_labels_dir_and_records_each_banks_hash()
    {
        // Given: official CIFAR-10 banks under their official names (constant is "uniform"), for this 10-class dataset
        string banks = TestData.TempDir("banks");
        foreach (var (official, name) in new[] { ("cifar10_uniform.npy", "uniform"), ("cifar10_lowdim.npy", "lowdim") })
            File.Copy(Tests.Labels.OfficialRecipeTests.OfficialLabels(official), Path.Combine(banks, $"fashion-mnist_{name}.npy"));
        var spec = (Tiny with
        {
            Labels = new[] { "categorical", "constant", "lowdim", "random" },
            Fractions = Array.Empty<double>(),
            Attack = Tiny.Attack with { Protocols = Array.Empty<string>() },
            TsneImages = 0,
        }).WithLabelsDir(banks);
        string dir = TestData.TempDir("study-banks");

        Assert.Equal(0, new StudyRunner(dir, spec, "cpu").Run());

        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        var bank = store.Results().ToDictionary(r => r.Label, r => r.LabelBank);
        string Sha(string file) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(banks, file)))).ToLowerInvariant();
        Assert.Equal($"sha256:{Sha("fashion-mnist_uniform.npy")} (fashion-mnist_uniform.npy)", bank["constant"]);
        Assert.StartsWith($"sha256:{Sha("fashion-mnist_lowdim.npy")}", bank["lowdim"]);
        Assert.Equal("generated by random (label seed 7)", bank["random"]); // a kind drawn at random: its training seed's own draw
        var stats = store.LabelStatistics().ToDictionary(s => s.Stats.Kind, s => s.Stats);
        Assert.Equal(0, stats["constant"].Entropy, 6); // the official constant bank, not a generated one
        Assert.Equal(new[] { "10" }, new[] { stats["lowdim"].Shape });
    }

    [Fact]
    public void A_study_with_adversarial_arms_and_parameterized_labels_runs_and_judges_each_regime_on_its_own()
    {
        // Given: categorical, MMC and a Hadamard code with a parameter, each trained plainly and adversarially, 2 seeds
        // (the verdicts of these claims are tested on hand-made databases in VerdictTests)
        string dir = TestData.TempDir("beyond");
        var spec = Tiny with
        {
            Name = "beyond-tiny",
            Labels = new[] { "categorical", "mmc", "hadamard:length=32" },
            Seeds = new[] { 7, 77 },
            Fractions = Array.Empty<double>(),
            Training = new[] { "plain", "adversarial" },
            Adversarial = new AdversarialTraining { Eps = 0.1, Steps = 1 },
            Attack = Tiny.Attack with { Protocols = new[] { "standard" }, StandardAttacks = new[] { "fgsm", "pgd" } },
            TsneImages = 0,
        };

        // When
        Assert.Equal(0, new StudyRunner(dir, spec, "cpu").Run());

        // Then: every arm is its own label in the results, and an adversarial arm's transfer attack comes from the adversarial categorical run
        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        var results = store.Results();
        Assert.Equal(12, results.Count);
        string at = spec.AdversarialSettings.Key;
        Assert.Equal(new[] { "categorical", "mmc", "hadamard:length=32", $"categorical+{at}", $"mmc+{at}", $"hadamard:length=32+{at}" }.Order(),
            results.Select(r => r.Label).Distinct().Order());
        var transfers = store.AttackResults().Where(a => a.Result.Attack == "transfer").ToArray();
        Assert.All(transfers.Where(a => a.Label.Contains('+')), a => Assert.StartsWith($"categorical+{at}:", a.Result.Source));
        Assert.All(transfers.Where(a => !a.Label.Contains('+')), a => Assert.StartsWith("categorical:", a.Result.Source));
        Assert.Contains(store.LabelStatistics(), s => s.Stats.Kind == "hadamard:length=32" && s.Stats.Dimension == 32 && s.Stats.Rank == 10);

        var claims = Claims.Evaluate(new LabelRep.Reporting.Sections.StudyData(store));
        Assert.Contains(claims, c => c.Claim.StartsWith("Later label geometries"));
        Assert.Contains(claims, c => c.Claim.Contains($"on top of adversarial training ({at}"));
        StudyReport.Write(dir, store);
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("Robustness against label properties", html);
        Assert.Contains($"mmc+{at}", html);
    }

    [Fact]
    public void Specs_read_from_yaml_and_json_and_presets_expand_to_their_grids()
    {
        string yaml = Path.Combine(TestData.TempDir("spec"), "s.yaml");
        File.WriteAllText(yaml, "name: y\nlabels: [categorical, speech]\nseeds: [7, 77]\nfractions: [0.01, 0.1]\nepochs: 4\nattack:\n  limit: 50\n  transfer: false\n");
        StudySpec s = StudySpec.Read(yaml);
        Assert.Equal(new[] { 7, 77 }, s.Seeds);
        Assert.Equal(50, s.Attack.Limit);
        Assert.False(s.Attack.Transfer);
        Assert.Equal(2 * 2 * 3, s.Runs().Count);
        Assert.Equal(s.ToJson(), StudySpec.FromJson(s.ToJson(), "json").ToJson());

        StudySpec quick = StudySpec.Preset("quick");
        var runs = quick.Runs(_ => 60000);
        Assert.Equal(5 * 5 + 5 * 1 * 3, runs.Count); // 5 seeds of main runs, 3 seeds of the sweep fraction
        Assert.Equal(5 * 3, runs.Count(r => r.Attacked)); // attack.seeds: the 3 seeds a verdict needs, at full strength
        Assert.All(runs.Where(r => r.Attacked), r => Assert.Contains(r.Config.Seed, quick.Attack.Seeds!));
        Assert.Throws<LabelRepException>(() => (quick with { Attack = quick.Attack with { Seeds = new[] { 8 } } }).Validate());
        var reeval = StudySpec.Preset("reeval").Runs(_ => 60000);
        Assert.Equal(StudySpec.ReevalKinds.Length * 3, reeval.Count);
        Assert.Equal("adaptive", StudySpec.Preset("reeval").Attack.Suite);
        Assert.Equal("categorical", runs[0].Config.Label);
        Assert.True(runs.First(r => r.Config.Label == "speech" && r.Config.Fraction == 0.01).Config.Epochs > quick.Epochs, "min_steps lengthens small fractions");
        var paper = StudySpec.Preset("paper").Runs(_ => 50000);
        Assert.Equal(2 * 3 * 7 * 5 * 7, paper.Count);
        Assert.All(paper, r => Assert.Equal(new[] { 300, 450 }, r.Config.Milestones));
        var beyond = StudySpec.Preset("beyond").Runs(_ => 60000);
        Assert.Equal(StudySpec.BeyondKinds.Length * 5 * 2, beyond.Count);
        Assert.Equal(beyond.Count / 2, beyond.Count(r => r.Config.Adversarial is { Steps: 7 }));
        Assert.Contains(beyond, r => r.Arm == "mmc+pgd7-8/255");
        Assert.Equal(beyond.Count, beyond.Select(r => r.Id).Distinct().Count());
        Assert.Throws<LabelRepException>(() => StudySpec.Preset("huge"));
        Assert.Throws<LabelRepException>(() => (quick with { Training = new[] { "robust" } }).Validate());
        Assert.Throws<LabelRepException>(() => (quick with { Labels = new[] { "speech", "speech" } }).Validate());
        Assert.Throws<LabelRepException>(() => (quick with { Labels = new[] { "controlled:levelz=1" } }).Validate());
        Assert.Throws<LabelRepException>(() => (quick with { Training = new[] { "adversarial" }, Adversarial = new AdversarialTraining { Steps = 0 } }).Validate());
        Assert.Throws<LabelRepException>(() => (quick with { Models = new[] { "resnet18" } }).Validate());
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"epoch\": 3}", "unknown key 'epoch'")]
    [InlineData("{\"name\": \"x\", \"attack\": {\"limt\": 5}}", "unknown key 'attack.limt'")]
    [InlineData("{\"name\": \"x\", \"epochs\": \"three\"}", "'epochs' must be a whole number")]
    [InlineData("{\"name\": \"x\", \"seeds\": 7}", "'seeds' must be a list")]
    [InlineData("{\"name\": \"x\", \"attack\": {\"transfer\": \"yes\"}}", "'attack.transfer' must be true or false")]
    [InlineData("{\"name\": \"x\", \"attack\": [1]}", "'attack' must be a mapping")]
    public void A_misspelt_or_mistyped_spec_key_is_named_in_the_error(string json, string says)
    {
        var e = Assert.Throws<LabelRepException>(() => StudySpec.FromJson(json, "s.json"));
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain("System.", e.Message); // no .NET type names
        Assert.DoesNotContain("LabelRep.", e.Message);
    }
}

public class ReportAndTsneTests
{
    [Fact]
    public void Tsne_separates_well_separated_clusters()
    {
        var rng = new Random(3);
        var points = new List<float[]>();
        var classes = new List<int>();
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 40; i++)
            {
                points.Add(Enumerable.Range(0, 20).Select(k => (float)((k % 3 == c ? 10 : 0) + rng.NextDouble())).ToArray());
                classes.Add(c);
            }
        }

        var (x, y) = Tsne.Embed(points.ToArray(), seed: 1, iterations: 500);

        Assert.True(Tsne.Silhouette(x, y, classes.ToArray()) > 0.6, $"silhouette {Tsne.Silhouette(x, y, classes.ToArray())}");
        Assert.Equal(1.0, Tsne.NearestCentroidAccuracy(points.ToArray(), classes.ToArray()));
        var (x2, _) = Tsne.Embed(points.ToArray(), seed: 1, iterations: 500);
        Assert.Equal(x, x2);
        // Random labels on the same points do not look separated.
        int[] shuffled = classes.OrderBy(_ => rng.Next()).ToArray();
        Assert.True(Tsne.Silhouette(x, y, shuffled) < 0.2);
    }
}
