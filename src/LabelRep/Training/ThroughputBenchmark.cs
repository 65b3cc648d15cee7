using System.Diagnostics;
using LabelRep.Labels;
using LabelRep.Models;
using LabelRep.Native;
using LabelRep.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>
/// Training throughput of a backbone + head on synthetic data: warm-up steps (oneDNN builds its primitives on first
/// use), then repeats of timed forward/backward/SGD steps; the median of the repeats in images/s.
/// </summary>
public static class ThroughputBenchmark
{
    public sealed record Case(string Model, int Channels, int Size, string Head);

    /// <param name="PhaseMilliseconds">Median milliseconds per timed step of forward + loss, backward, and the SGD update (the profile of a step).</param>
    public sealed record Result(string Model, string Input, string Head, string Layout, int BatchSize, int Threads, double[] ImagesPerSecond, double[] PhaseMilliseconds)
    {
        public double Median => ImagesPerSecond.OrderBy(v => v).ElementAt(ImagesPerSecond.Length / 2);
    }

    public static readonly Case[] Default =
    {
        new("smallcnn", 1, 28, "categorical"),
        new("resnet20", 1, 28, "categorical"),
        new("resnet32", 3, 32, "categorical"),
    };

    /// <summary>Backbone memory layouts: libtorch's default and the one LabelRep's models use.</summary>
    public static readonly string[] Layouts = { "channels-last", "nchw" };

    public static void CheckLayout(string layout)
    {
        if (!Layouts.Contains(layout)) throw new LabelRepException($"--layout {layout}: unknown; valid: {string.Join(", ", Layouts)}");
    }

    /// <summary>
    /// What a step is: a training step (forward, loss, backward, SGD update); an adversarial training step (the same,
    /// on PGD-7 examples at 8/255 crafted first, as --adversarial pgd does; the crafting counts as the forward phase);
    /// or an attack step (eval mode, frozen weights, the gradient of the class scores' cross-entropy with respect to the
    /// images) through the model as evaluation runs it, batch norm folded, or (attack-unfolded) through the model as
    /// trained, each BN a layer of its own.
    /// </summary>
    public static readonly string[] Modes = { "train", "adversarial", "attack", "attack-unfolded" };

    /// <param name="layout">"channels-last" (what training uses) or "nchw".</param>
    /// <param name="mode">One of <see cref="Modes"/>.</param>
    public static Result Run(Case c, int batchSize, int threads, int warmup, int steps, int repeats, Device device, string layout = "channels-last", string mode = "train")
    {
        CheckLayout(layout);
        if (!Modes.Contains(mode)) throw new LabelRepException($"--mode {mode}: unknown; valid: {string.Join(", ", Modes)}");
        if (mode.StartsWith("attack", StringComparison.Ordinal)) return RunAttack(c, batchSize, threads, warmup, steps, repeats, device, layout, fold: mode == "attack");
        TorchRuntime.SetThreads(threads);
        torch.manual_seed(0);
        using var model = Model(c, device, layout == "channels-last");
        model.train();
        using var sgd = new Sgd(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.9, 1e-4);
        using var x = torch.rand(batchSize, c.Channels, c.Size, c.Size).to(device);
        using var y = torch.randint(0, 10, batchSize).to(device);
        using var target = torch.randn(batchSize, 64, 64).to(device);
        // Adversarial training crafts with the step's own loss: cross-entropy, or Smooth-L1 to a random label bank.
        AdversarialTraining? adversarial = mode == "adversarial" ? new AdversarialTraining() : null;
        using Labels.Objective? objective = adversarial is null ? null
            : c.Head == "decoder"
                ? new Labels.RegressionObjective(new Labels.LabelBank("bench", torch.randn(10, 64, 64).mul_(20).to(device)))
                : new Labels.CrossEntropyObjective(new Labels.LabelBank("bench", torch.eye(10).to(device)), 0);
        Classifier? classifier = objective is null ? null : new Classifier(model, objective, "bench");
        long startSeed = 0;

        double[] Step()
        {
            using var scope = torch.NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp();
            Tensor input = adversarial is null ? x : adversarial.Craft(classifier!, x, y, startSeed++);
            Tensor output = model.call(input);
            Tensor loss = c.Head == "decoder" ? nn.functional.smooth_l1_loss(output, target) : nn.functional.cross_entropy(output, y);
            long t1 = Stopwatch.GetTimestamp();
            sgd.ZeroGrad();
            loss.backward();
            long t2 = Stopwatch.GetTimestamp();
            sgd.Step(0.01);
            loss.item<float>();
            long t3 = Stopwatch.GetTimestamp();
            return new[] { Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds, Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds };
        }

        var (rates, medians) = Measure(Step, warmup, steps, repeats, batchSize);
        return new Result(c.Model, $"{c.Channels}x{c.Size}x{c.Size}", c.Head, adversarial is null ? layout : $"{layout} adversarial {adversarial.Key}", batchSize,
            torch.get_num_threads(), rates, medians);
    }

    /// <summary>Images/s of each repeat of <paramref name="steps"/> steps after <paramref name="warmup"/>, and the median milliseconds of each phase a step reports.</summary>
    private static (double[] Rates, double[] Medians) Measure(Func<double[]> step, int warmup, int steps, int repeats, int batchSize)
    {
        for (int i = 0; i < warmup; i++) step();
        var phases = new List<double>[] { new(), new(), new() };
        var rates = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++)
            {
                double[] ms = step();
                for (int p = 0; p < phases.Length; p++) phases[p].Add(ms[p]);
            }
            rates[r] = steps * batchSize / clock.Elapsed.TotalSeconds;
        }
        return (rates, phases.Select(p => p.OrderBy(v => v).ElementAt(p.Count / 2)).ToArray());
    }

    /// <summary>The benchmark's model for a case: its backbone and head (the decoder's 64×64 labels, or 10 classes) on <paramref name="device"/>.</summary>
    internal static LabelRepModel Model(Case c, Device device, bool channelsLast)
    {
        var model = new LabelRepModel(new Normalize(Enumerable.Repeat(0.5f, c.Channels).ToArray(), Enumerable.Repeat(0.25f, c.Channels).ToArray()),
            ModelRegistry.Create(c.Model, c.Channels), c.Head == "decoder" ? new HeadShape(new[] { 64, 64 }) : HeadShape.Vector(10))
        { ChannelsLast = channelsLast };
        model.to(device);
        return model;
    }

    /// <summary>The same in eval mode with its weights frozen, as an attack sees it.</summary>
    internal static LabelRepModel FrozenModel(Case c, Device device, bool channelsLast)
    {
        var model = Model(c, device, channelsLast);
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad_(false);
        return model;
    }

    private static Result RunAttack(Case c, int batchSize, int threads, int warmup, int steps, int repeats, Device device, string layout, bool fold)
    {
        TorchRuntime.SetThreads(threads);
        torch.manual_seed(0);
        bool decoder = c.Head == "decoder";
        using var model = FrozenModel(c, device, layout == "channels-last");
        using var folded = fold ? model.FoldForEvaluation() : null;
        IImageModel evaluated = folded ?? (IImageModel)model;
        using var x = torch.rand(batchSize, c.Channels, c.Size, c.Size).to(device);
        using var y = torch.randint(0, 10, batchSize).to(device);
        using var bank = new LabelBank("benchmark", torch.randn(10, 64, 64).mul_(20).to(device));
        var decision = new NearestLabelDecision(bank);

        double[] Step()
        {
            using var scope = torch.NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp();
            Tensor images = x.clone().requires_grad_(true);
            Tensor output = evaluated.Forward(images);
            // Class scores from the nearest-label decision the attacks use: −MSE to each class's label.
            Tensor scores = decoder ? decision.Scores(output) : output;
            Tensor loss = nn.functional.cross_entropy(scores, y);
            long t1 = Stopwatch.GetTimestamp();
            Tensor grad = torch.autograd.grad(new[] { loss }, new[] { images })[0];
            grad.sum().item<float>();
            long t2 = Stopwatch.GetTimestamp();
            return new[] { Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds, 0 };
        }

        var (rates, medians) = Measure(Step, warmup, steps, repeats, batchSize);
        return new Result(c.Model, $"{c.Channels}x{c.Size}x{c.Size}", c.Head, layout + (fold ? " attack" : " attack unfolded"), batchSize, torch.get_num_threads(), rates, medians);
    }
}
