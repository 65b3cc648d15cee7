using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>
/// The paper's training loop (§5): SGD with momentum and weight decay, multi-step learning rate, best epoch by
/// validation accuracy (ties: lower validation loss), then the real test set (not the validation set: the official
/// code's issue #2). Checkpoints every epoch; resumes exactly: batch order and augmentation of epoch e come from a
/// generator seeded by (seed, e), so nothing random needs saving beyond the weights and momentum.
/// </summary>
public sealed class Trainer
{
    private readonly RunSetup _setup;
    private readonly RunDirectory _dir;
    private readonly IProgress<TrainProgress>? _progress;

    public Trainer(RunSetup setup, RunDirectory dir, IProgress<TrainProgress>? progress = null)
    {
        _setup = setup;
        _dir = dir;
        _progress = progress;
    }

    /// <summary>
    /// Trains (or resumes) and writes metrics.json. Cancelling stops between steps and saves a checkpoint of the epoch in
    /// progress (weights, momentum, the step reached), so a resume continues from that step with the same numbers.
    /// </summary>
    public TrainMetrics Run(bool resume, CancellationToken cancel = default)
    {
        TrainConfig config = _setup.Config;
        string hash = config.Hash();
        PrepareDirectory(resume, hash);

        var model = _setup.Model;
        var sgd = new Sgd(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), config.Momentum, config.WeightDecay);
        CheckpointState state = resume && File.Exists(_dir.CheckpointPath) ? RestoreCheckpoint(sgd, hash) : NewState(hash);

        var writer = torch.utils.tensorboard.SummaryWriter(_dir.TensorBoardPath);
        int[] train = _setup.Split.Train;
        int steps = StepsPerEpoch(train.Length, config.BatchSize);
        var history = new List<EpochRecord>(state.History);
        double trainSeconds = state.TrainSeconds;
        long imagesTrained = state.ImagesTrained;

        for (int epoch = state.EpochsCompleted; epoch < config.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            double lr = config.LearningRateAt(epoch) * LabelKinds.Get(config.Label).LearningRateFactor;
            var (trainLoss, val) = TrainAndValidate(sgd, state, epoch, lr, train, steps, ref imagesTrained, ref trainSeconds, cancel);
            if (!double.IsFinite(trainLoss))
                throw new LabelRepException($"epoch {epoch + 1}: the training loss is {trainLoss} (training diverged, or no step ran); lower --lr, or check the labels and the data");
            state = state with { StepsInEpoch = 0, EpochLossSum = 0 };

            // Weights blown up by one step can leave the training loss finite and still make the next forward pass overflow.
            if (!double.IsFinite(val.Loss))
                throw new LabelRepException($"training diverged at epoch {epoch + 1} (validation loss {val.Loss}; the model's outputs overflow); lower --lr");
            history.Add(new EpochRecord(epoch + 1, lr, trainLoss, val.Loss, val.Accuracy, epochClock.Elapsed.TotalSeconds));
            _progress?.Report(new TrainProgress("epoch", epoch + 1, config.Epochs, steps, steps, trainLoss, 0, TimeSpan.Zero, val.Accuracy));
            Log(writer, epoch + 1, lr, trainLoss, val);

            bool better = val.Accuracy > state.BestValAccuracy || (val.Accuracy == state.BestValAccuracy && val.Loss < state.BestValLoss);
            if (better)
            {
                RunDirectory.SaveModel(model, _dir.BestPath);
                state = state with { BestEpoch = epoch + 1, BestValAccuracy = val.Accuracy, BestValLoss = val.Loss };
            }
            state = SaveCheckpoint(sgd, state with
            {
                EpochsCompleted = epoch + 1,
                TrainSeconds = trainSeconds,
                ImagesTrained = imagesTrained,
                History = history,
            });
            WriteEpochsCsv(history);
        }

        sgd.Dispose();
        return Test(state, train.Length, trainSeconds, imagesTrained, hash, cancel);
    }

    /// <summary>
    /// One epoch's training from the step <paramref name="state"/> reached (an epoch interrupted before resumes at its step;
    /// a new one starts at 0), then its validation. Interrupted in either, the steps done are kept in a checkpoint, so a
    /// resume that finds all of them done goes straight to the validation.
    /// </summary>
    private (double TrainLoss, Accuracy.Result Val) TrainAndValidate(Sgd sgd, CheckpointState state, int epoch, double lr, int[] train, int steps,
        ref long imagesTrained, ref double trainSeconds, CancellationToken cancel)
    {
        TrainConfig config = _setup.Config;
        var partial = new EpochProgress(state.StepsInEpoch, state.EpochLossSum);
        try
        {
            double trainLoss = TrainEpoch(sgd, epoch, lr, train, steps, partial, cancel, ref imagesTrained, ref trainSeconds);
            _progress?.Report(new TrainProgress("validate", epoch + 1, config.Epochs, 0, _setup.Split.Validation.Length, trainLoss, 0, TimeSpan.Zero));
            var val = Accuracy.Evaluate(_setup.Classifier, _setup.Data.Train, _setup.Split.Validation, config.EvalBatchSize,
                Evaluating("validate", epoch + 1, _setup.Split.Validation.Length, trainLoss), cancel);
            return (trainLoss, val);
        }
        catch (OperationCanceledException)
        {
            if (partial.Steps > state.StepsInEpoch)
                SaveCheckpoint(sgd, state with
                {
                    StepsInEpoch = partial.Steps,
                    EpochLossSum = partial.LossSum,
                    TrainSeconds = trainSeconds,
                    ImagesTrained = imagesTrained,
                });
            throw;
        }
    }

    /// <summary>One epoch's numbers in TensorBoard.</summary>
    private static void Log(TorchSharp.Modules.SummaryWriter writer, int epoch, double lr, double trainLoss, Accuracy.Result val)
    {
        writer.add_scalar("train/loss", (float)trainLoss, epoch);
        writer.add_scalar("val/loss", (float)val.Loss, epoch);
        writer.add_scalar("val/accuracy", (float)val.Accuracy, epoch);
        writer.add_scalar("lr", (float)lr, epoch);
    }

    /// <summary>The best weights on the test set, and metrics.json.</summary>
    private TrainMetrics Test(CheckpointState state, int trainImages, double trainSeconds, long imagesTrained, string hash, CancellationToken cancel)
    {
        TrainConfig config = _setup.Config;
        var model = _setup.Model;
        RunDirectory.LoadModel(model, _dir.BestPath);
        var test = Accuracy.Evaluate(_setup.Classifier, _setup.Data.Test, _setup.TestIndices, config.EvalBatchSize,
            Evaluating("test", config.Epochs, _setup.TestIndices.Length, double.NaN), cancel);
        if (!double.IsFinite(test.Loss))
            throw new LabelRepException($"the best weights (epoch {state.BestEpoch}) give a test loss of {test.Loss}: the model's outputs overflow on the test images; lower --lr");
        var metrics = new TrainMetrics
        {
            Dataset = config.Dataset, Model = config.Model, Label = config.Label, Loss = _setup.Objective.LossName,
            Seed = config.Seed, Fraction = config.Fraction, Epochs = config.Epochs,
            TrainImages = trainImages, ValImages = _setup.Split.Validation.Length, TestImages = test.Images,
            ValAccuracy = state.BestValAccuracy, ValLoss = state.BestValLoss,
            TestAccuracy = test.Accuracy, TestLoss = test.Loss, BestEpoch = state.BestEpoch,
            TrainSeconds = Math.Round(trainSeconds, 2),
            ImagesPerSecond = Math.Round(trainSeconds > 0 ? imagesTrained / trainSeconds : 0, 1),
            Parameters = model.ParameterCount(), ConfigHash = hash,
            Device = _setup.Device.type.ToString().ToLowerInvariant(), Threads = torch.get_num_threads(),
            Decision = _setup.Objective.Decision.Name,
            LabelBank = config.Labels.BankSource(config.Label),
            TestCorrect = ImageBits.Encode(test.PerImage),
        };
        AtomicFile.WriteText(_dir.MetricsPath, metrics.ToJson());
        return metrics;
    }

    /// <summary>Progress of an evaluation (phase "validate" or "test"): images done of <paramref name="total"/>, their rate and the time left.</summary>
    private Action<int>? Evaluating(string phase, int epoch, int total, double trainLoss)
    {
        if (_progress is null) return null;
        var clock = Stopwatch.StartNew();
        return done =>
        {
            double rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            _progress.Report(new TrainProgress(phase, epoch, _setup.Config.Epochs, done, total, trainLoss, rate, TimeSpan.FromSeconds((total - done) / Math.Max(rate, 1e-9))));
        };
    }

    /// <summary>Batches per epoch; a last batch of one image is dropped (BatchNorm cannot train on it).</summary>
    public static int StepsPerEpoch(int images, int batchSize)
    {
        int full = images / batchSize, rest = images % batchSize;
        return full + (rest >= 2 ? 1 : 0);
    }

    /// <summary>Where an epoch stands: steps done and the sum of their losses (kept when it is interrupted).</summary>
    private sealed class EpochProgress(int steps, double lossSum)
    {
        public int Steps { get; set; } = steps;
        public double LossSum { get; set; } = lossSum;
    }

    private double TrainEpoch(Sgd sgd, int epoch, double lr, int[] train, int steps, EpochProgress progress, CancellationToken cancel,
        ref long imagesTrained, ref double trainSeconds)
    {
        TrainConfig config = _setup.Config;
        var model = _setup.Model;
        model.train();
        using var generator = new Generator((ulong)EpochSeed(config.Seed, epoch));
        using var trainIndex = torch.tensor(train.Select(i => (long)i).ToArray(), ScalarType.Int64);
        using var order = trainIndex.index_select(0, torch.randperm(train.Length, generator: generator));
        double lossSum = progress.LossSum;
        // Resuming inside the epoch: draw what the steps before took from the generator, so the next step sees it as it did.
        for (int step = 0; step < progress.Steps && config.Augment; step++)
            BatchAugmentation.SkipDraws(Math.Min(config.BatchSize, train.Length - step * config.BatchSize), _setup.Info.CropPadding, _setup.Info.HorizontalFlip, generator);
        var clock = Stopwatch.StartNew();
        long epochImages = 0;
        int first = progress.Steps;
        try
        {
            for (int step = progress.Steps; step < steps; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                int start = step * config.BatchSize, count = Math.Min(config.BatchSize, train.Length - start);
                var (x, y) = _setup.Data.Train.Batch(order.narrow(0, start, count));
                if (config.Augment)
                    x = BatchAugmentation.Apply(x, _setup.Info.CropPadding, _setup.Info.HorizontalFlip, generator);
                x = x.to(_setup.Device);
                y = y.to(_setup.Device);
                if (config.Adversarial is { } adversarial)
                    x = adversarial.Craft(_setup.Classifier, x, y, StartSeed(config.Seed, epoch, step));
                Tensor loss = _setup.Objective.Loss(model.call(x), y);
                sgd.ZeroGrad();
                loss.backward();
                sgd.Step(lr);
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new LabelRepException($"training diverged at epoch {epoch + 1}, step {step + 1} (loss {value}); lower --lr");
                lossSum += value;
                epochImages += count;
                progress.Steps = step + 1;
                progress.LossSum = lossSum;
                double seconds = clock.Elapsed.TotalSeconds;
                double rate = epochImages / Math.Max(seconds, 1e-9);
                double perStep = seconds / (step + 1 - first);
                double remaining = (steps - step - 1) * perStep + (config.Epochs - epoch - 1) * steps * perStep;
                _progress?.Report(new TrainProgress("train", epoch + 1, config.Epochs, step + 1, steps, lossSum / (step + 1), rate, TimeSpan.FromSeconds(remaining)));
            }
        }
        finally
        {
            imagesTrained += epochImages;
            trainSeconds += clock.Elapsed.TotalSeconds;
        }
        return lossSum / steps;
    }

    /// <summary>The seed of epoch e's batch order and augmentation.</summary>
    public static long EpochSeed(int seed, int epoch) => (long)seed * 1_000_003L + epoch;

    /// <summary>The seed of adversarial training's random start at step <paramref name="step"/> of epoch <paramref name="epoch"/>.</summary>
    public static long StartSeed(int seed, int epoch, int step) => unchecked(EpochSeed(seed, epoch) * 1_000_033L + step + 1);

    private void PrepareDirectory(bool resume, string hash)
    {
        IO.OutputFolder.Create(_dir.Root, "run");
        if (_dir.HasConfig)
        {
            TrainConfig existing = _dir.ReadConfig();
            if (existing.Hash() != hash)
                throw new LabelRepException($"{_dir.Root} holds a run with another configuration; choose a new --out folder");
            if (!resume)
                throw new LabelRepException($"{_dir.Root} already holds this run; add --resume to continue it, or choose a new --out folder");
            return;
        }
        LabelBankFile.Write(_dir.LabelsPath, _setup.Objective.Bank);
        AtomicFile.WriteText(_dir.ConfigPath, _setup.Config.ToJson());
    }

    private static CheckpointState NewState(string hash) => new()
    {
        ConfigHash = hash, EpochsCompleted = 0, BestEpoch = 0, BestValAccuracy = -1, BestValLoss = double.MaxValue,
        TrainSeconds = 0, ImagesTrained = 0, Weights = "", Optimizer = "", History = new List<EpochRecord>(),
    };

    private CheckpointState RestoreCheckpoint(Sgd sgd, string hash)
    {
        CheckpointState state = CheckpointState.Read(_dir.CheckpointPath, _setup.Config);
        RunDirectory.LoadModel(_setup.Model, _dir.Combine(state.Weights));
        var optimizer = SafeTensors.Load(_dir.Combine(state.Optimizer));
        sgd.LoadState(optimizer, _setup.Device);
        foreach (var t in optimizer.Values) t.Dispose();
        return state;
    }

    private CheckpointState SaveCheckpoint(Sgd sgd, CheckpointState state)
    {
        // A checkpoint inside an epoch has its own names, so it never overwrites the files the previous checkpoint.json names.
        string stem = state.StepsInEpoch > 0 ? $"epoch-{state.EpochsCompleted:D4}-step-{state.StepsInEpoch:D6}" : $"epoch-{state.EpochsCompleted:D4}";
        string weights = stem + ".safetensors";
        string optimizer = stem + ".sgd.safetensors";
        RunDirectory.SaveModel(_setup.Model, _dir.Combine(weights));
        SafeTensors.Save(_dir.Combine(optimizer), sgd.State);
        state = state with { Weights = weights, Optimizer = optimizer };
        AtomicFile.WriteText(_dir.CheckpointPath, JsonSerializer.Serialize(state, TrainConfig.Json));
        foreach (string old in Directory.GetFiles(_dir.Root, "epoch-*.safetensors"))
        {
            string name = Path.GetFileName(old);
            if (name != weights && name != optimizer) File.Delete(old);
        }
        return state;
    }

    private void WriteEpochsCsv(List<EpochRecord> history)
    {
        var sb = new StringBuilder("epoch,lr,train_loss,val_loss,val_accuracy,seconds\n");
        foreach (var r in history)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Epoch},{r.LearningRate},{r.TrainLoss:G9},{r.ValLoss:G9},{r.ValAccuracy:G9},{r.Seconds:F2}"));
        AtomicFile.WriteText(_dir.EpochsPath, sb.ToString());
    }
}
