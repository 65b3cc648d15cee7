using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Runs;
using LabelRep.Training;
using Xunit;

namespace LabelRep.Tests.Training;

public class TrainerTests
{
    private static readonly string DataDir = TestData.WriteIdxDataset(train: 400, test: 100);

    private static TrainMetrics Train(TrainConfig config, string outDir, bool resume = false, IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        using var setup = RunSetup.Create(config);
        return new Trainer(setup, new RunDirectory(outDir), progress).Run(resume, cancel);
    }

    private static string Csv(string runDir) => File.ReadAllText(Path.Combine(runDir, "epochs.csv"))
        .Split('\n').Select(l => string.Join(",", l.Split(',').Take(5))).Aggregate((a, b) => a + "\n" + b); // without the seconds column

    [Fact]
    public void Training_learns_the_synthetic_task_and_writes_every_file()
    {
        string dir = TestData.TempDir("run");
        var m = Train(TestData.TinyConfig(DataDir, epochs: 2), dir);

        Assert.True(m.TestAccuracy > 0.5, $"test accuracy {m.TestAccuracy}");
        Assert.Equal(100, m.TestImages);
        Assert.Equal(336, m.TrainImages);
        Assert.InRange(m.BestEpoch, 1, 2);
        foreach (string f in new[] { "config.json", "metrics.json", "best.safetensors", "checkpoint.json", "epochs.csv" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "tensorboard"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Same_seed_gives_identical_losses_and_accuracy()
    {
        string a = TestData.TempDir("det-a"), b = TestData.TempDir("det-b");
        var ma = Train(TestData.TinyConfig(DataDir, epochs: 2), a);
        var mb = Train(TestData.TinyConfig(DataDir, epochs: 2), b);

        Assert.Equal(Csv(a), Csv(b));
        Assert.Equal(ma.TestAccuracy, mb.TestAccuracy);
        Assert.Equal(ma.TestLoss, mb.TestLoss);
    }

    /// <summary>An uninterrupted 3-epoch run, trained once for the interruption tests to compare against.</summary>
    private static readonly Lazy<(string Dir, TrainMetrics Metrics)> Straight = new(() =>
    {
        string dir = TestData.TempDir("straight");
        return (dir, Train(TestData.TinyConfig(DataDir, epochs: 3), dir));
    });

    [Theory]
    [InlineData("train", 3, 3)]       // in the middle of epoch 2's training, after its third step
    [InlineData("validate", 0, 11)]   // as epoch 2's validation starts, all 11 of its steps done
    public void An_interrupted_run_keeps_its_steps_and_resumes_to_the_same_result(string phase, int atStep, int savedSteps)
    {
        // Given: a run cancelled in epoch 2
        var config = TestData.TinyConfig(DataDir, epochs: 3);
        string broken = TestData.TempDir("broken-" + phase);
        using var cancel = new CancellationTokenSource();
        var stopper = new Stopper(p => p.Phase == phase && p.Epoch == 2 && p.Step == atStep, cancel);
        Assert.Throws<OperationCanceledException>(() => Train(config, broken, progress: stopper, cancel: cancel.Token));
        Assert.False(File.Exists(Path.Combine(broken, "metrics.json")));
        // The interruption saved the epoch in progress: the resume continues after its last step, not at the epoch's start.
        var saved = CheckpointState.Read(Path.Combine(broken, "checkpoint.json"), config);
        Assert.Equal((1, savedSteps), (saved.EpochsCompleted, saved.StepsInEpoch));
        Assert.Equal(11, Trainer.StepsPerEpoch(336, 32));

        // When: resumed
        var progress = new Recorder();
        var resumed = Train(config, broken, resume: true, progress: progress);

        // Then: no saved step is trained again, and the numbers are the uninterrupted run's
        Assert.DoesNotContain(progress.Seen, p => p.Phase == "train" && p.Epoch == 2 && p.Step <= savedSteps);
        var (straight, expected) = Straight.Value;
        Assert.Equal(Csv(straight), Csv(broken));
        Assert.Equal(expected.TestAccuracy, resumed.TestAccuracy);
        Assert.Equal(expected.TestLoss, resumed.TestLoss);
        Assert.Equal(expected.BestEpoch, resumed.BestEpoch);
        // The evaluations report their images: each validation of the 64 held out, then the test of all 100
        Assert.Equal(64, progress.Seen.Last(p => p.Phase == "validate").Step);
        var test = progress.Seen.Where(p => p.Phase == "test").ToList();
        Assert.Equal((100, 100), (test[^1].Step, test[^1].Steps));
        Assert.All(test, p => Assert.True(p.ImagesPerSecond > 0 && p.Step <= p.Steps));
    }

    [Fact]
    public void A_finished_run_folder_is_not_overwritten_without_resume()
    {
        string dir = TestData.TempDir("twice");
        Train(TestData.TinyConfig(DataDir), dir);
        var e = Assert.Throws<LabelRepException>(() => Train(TestData.TinyConfig(DataDir), dir));
        Assert.Contains("--resume", e.Message);
        var other = Assert.Throws<LabelRepException>(() => Train(TestData.TinyConfig(DataDir) with { Seed = 99 }, dir, resume: true));
        Assert.Contains("another configuration", other.Message);
    }

    [Fact]
    public void Evaluate_recomputes_the_test_accuracy_from_the_checkpoint()
    {
        string dir = TestData.TempDir("eval");
        var m = Train(TestData.TinyConfig(DataDir), dir);
        var result = RunEvaluation.Test(new RunDirectory(dir), "cpu");
        Assert.Equal(m.TestAccuracy, result.Accuracy);
    }

    [Theory]
    [InlineData("categorical")]
    [InlineData("speech")]
    public void A_diverging_run_stops_with_a_clear_error_and_keeps_its_folder_readable(string label)
    {
        // Given: a learning rate that blows the weights up in an epoch's only step, so its training loss can still be
        // finite and the validation after it be the first pass to overflow (before, a JSON writer's exception)
        string dir = TestData.TempDir("diverge-" + label);
        var config = TestData.TinyConfig(DataDir, label, epochs: 2) with { LearningRate = TrainConfig.MaxRate, BatchSize = 400 };

        // When / Then: one error that names the cause and the fix, not a failure deep in a JSON writer
        var e = Assert.Throws<LabelRepException>(() => Train(config, dir));
        Assert.Contains("diverged", e.Message);
        Assert.Contains("--lr", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("lowdim")]
    public void Regression_labels_train_and_report_nearest_label_accuracy(string label)
    {
        string dir = TestData.TempDir("reg-" + label);
        var m = Train(TestData.TinyConfig(DataDir, label, epochs: 10), dir);

        Assert.Equal("nearest-label-mse", m.Decision);
        Assert.Equal("smooth-l1", m.Loss);
        Assert.True(m.TestAccuracy > 0.3, $"test accuracy {m.TestAccuracy}");
        Assert.True(File.Exists(Path.Combine(dir, "labels.npy")));
        Assert.Equal(m.TestAccuracy, RunEvaluation.Test(new RunDirectory(dir), "cpu").Accuracy);
    }

    [Fact]
    public void A_label_bank_file_replaces_the_generated_bank()
    {
        string bankPath = Path.Combine(TestData.TempDir("bank"), "bank.npy");
        LabelRep.IO.Npy.Write(bankPath, Enumerable.Range(0, 10 * 64 * 64).Select(i => (float)(i % 977 % 80)).ToArray(), new[] { 10, 64, 64 });
        using var setup = RunSetup.Create(TestData.TinyConfig(DataDir, "random") with { Labels = new LabelOptions { LabelsFile = bankPath } });
        var bank = Assert.IsType<RegressionObjective>(setup.Objective).Bank;
        Assert.Equal(1f, bank.Row(0)[1]);
    }

    [Fact]
    public void The_learning_rate_follows_the_paper_schedule_shape()
    {
        Assert.Equal(new[] { 300, 450 }, TrainConfig.PaperMilestones(600));
        Assert.Equal(new[] { 1 }, TrainConfig.PaperMilestones(2));
        var config = new TrainConfig { LearningRate = 0.1, Milestones = new[] { 300, 450 }, Gamma = 0.1 };
        Assert.Equal(0.1, config.LearningRateAt(299), 12);
        Assert.Equal(0.01, config.LearningRateAt(300), 12);
        Assert.Equal(0.001, config.LearningRateAt(450), 12);
    }

    [Fact]
    public void A_last_batch_of_one_image_is_dropped()
    {
        Assert.Equal(2, Trainer.StepsPerEpoch(257, 128));
        Assert.Equal(2, Trainer.StepsPerEpoch(256, 128));
        Assert.Equal(3, Trainer.StepsPerEpoch(258, 128));
    }

    [Fact]
    public void An_interrupted_adversarial_run_resumes_to_the_same_result()
    {
        // The random starts come from (seed, epoch, step), so the resumed steps craft the same examples.
        var config = TestData.TinyConfig(DataDir, epochs: 2) with { Adversarial = new AdversarialTraining { Eps = 0.1, Steps = 2 } };
        string straight = TestData.TempDir("adv-straight");
        var expected = Train(config, straight);
        string broken = TestData.TempDir("adv-broken");
        using var cancel = new CancellationTokenSource();
        var stopper = new Stopper(p => p.Phase == "train" && p.Epoch == 1 && p.Step == 5, cancel);
        Assert.Throws<OperationCanceledException>(() => Train(config, broken, progress: stopper, cancel: cancel.Token));
        var resumed = Train(config, broken, resume: true);

        Assert.Equal(Csv(straight), Csv(broken));
        Assert.Equal(expected.TestAccuracy, resumed.TestAccuracy);
        Assert.Equal(expected.TestLoss, resumed.TestLoss);
    }

    [Fact]
    public void Plain_runs_keep_their_identity_and_adversarial_ones_get_their_own()
    {
        var plain = TestData.TinyConfig(DataDir);
        Assert.DoesNotContain("adversarial", plain.ToJson());
        var adversarial = plain with { Adversarial = new AdversarialTraining() };
        Assert.NotEqual(plain.Hash(), adversarial.Hash());
        Assert.Equal(adversarial.Hash(), TrainConfig.FromJson(adversarial.ToJson(), "test").Hash());
        Assert.Equal(adversarial.Adversarial, TrainConfig.FromJson(adversarial.ToJson(), "test").Adversarial);
        Assert.Throws<LabelRepException>(() => (plain with { Adversarial = new AdversarialTraining { Eps = 0 } }).Validate());
        Assert.Throws<LabelRepException>(() => (plain with { Adversarial = new AdversarialTraining { Loss = AttackLoss.Dlr } }).Validate());
    }

    private sealed class Stopper : IProgress<TrainProgress>
    {
        private readonly Func<TrainProgress, bool> _when;
        private readonly CancellationTokenSource _cancel;
        public Stopper(Func<TrainProgress, bool> when, CancellationTokenSource cancel) { _when = when; _cancel = cancel; }
        public void Report(TrainProgress value) { if (_when(value)) _cancel.Cancel(); }
    }

    private sealed class Recorder : IProgress<TrainProgress>
    {
        public List<TrainProgress> Seen { get; } = new();
        public void Report(TrainProgress value) => Seen.Add(value);
    }
}
