using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Labels;
using LabelRep.Training;
using TorchSharp;

namespace LabelRep.Studies;

/// <summary>
/// The wall time of a study's grid on K workers, estimated from this machine: each model's measured training step
/// (with the head its label kinds need), the epochs and steps of every cell, and the attack budgets as gradient
/// evaluations per image; then the cells scheduled longest first onto the least loaded worker. An estimate: attack
/// cascades are assumed to keep half the images for their later members.
/// </summary>
public sealed class StudyPlan
{
    private StudyPlan(IReadOnlyList<double> cells) => Cells = cells;

    /// <summary>Hours of each cell on this machine.</summary>
    public IReadOnlyList<double> Cells { get; }

    public double TotalHours => Cells.Sum();
    public double LongestHours => Cells.DefaultIfEmpty(0).Max();

    /// <summary>Hours until the last of <paramref name="workers"/> workers finishes (longest cell first, to the least loaded worker).</summary>
    public double Makespan(int workers)
    {
        var load = new double[workers];
        foreach (double cell in Cells.OrderByDescending(c => c))
        {
            int least = Array.IndexOf(load, load.Min());
            load[least] += cell;
        }
        return load.Max();
    }

    public static StudyPlan Estimate(StudySpec spec, Action<string>? say = null, CancellationToken cancel = default)
    {
        spec.Validate();
        var stepSeconds = new Dictionary<(string Dataset, string Model, bool Decoder), double>();
        var decoders = new Dictionary<(string Dataset, string Label), bool>();
        var cells = new List<double>();
        foreach (StudyRun run in spec.Runs(d => Info(d, spec).TrainImages))
        {
            cancel.ThrowIfCancellationRequested();
            var (info, trainFile) = Info(run.Config.Dataset, spec);
            // The head is a decoder when the kind's labels are images (its bank says).
            if (!decoders.TryGetValue((run.Config.Dataset, run.Config.Label), out bool decoder))
            {
                using LabelBank bank = run.Config.Labels.BankFor(run.Config.Label, info);
                decoder = decoders[(run.Config.Dataset, run.Config.Label)] = bank.LabelShape.Length == 2;
            }
            var key = (run.Config.Dataset, run.Config.Model, decoder);
            if (!stepSeconds.TryGetValue(key, out double step))
            {
                step = stepSeconds[key] = MeasureStep(run.Config.Model, info, decoder, spec.BatchSize);
                say?.Invoke($"{run.Config.Model} on {info.Channels}×{info.Height}×{info.Width}{(decoder ? " with the label decoder" : "")}: {step * 1000:F0} ms per training step of {spec.BatchSize} here");
            }
            double perImage = step / spec.BatchSize; // one forward and backward of one image
            int trainImages = (int)Math.Floor((trainFile - (spec.ValidationCount ?? info.ValidationCount)) * Math.Min(1, run.Config.Fraction));
            // Adversarial training adds its PGD steps to every step: each a forward and an input-gradient backward (≈ a training step), plus the random start.
            double adversarial = run.Config.Adversarial is { } at ? 1 + at.Steps : 1;
            double seconds = run.Config.Epochs * Trainer.StepsPerEpoch(trainImages, spec.BatchSize) * step * adversarial
                             + run.Config.Epochs * (spec.ValidationCount ?? info.ValidationCount) * perImage / 3 + 10_000 * perImage / 3;
            if (run.Attacked) seconds += AttackImages(spec) * GradientsPerImage(spec) * perImage;
            cells.Add(seconds / 3600);
        }
        return new StudyPlan(cells);
    }

    /// <summary>The dataset's description and training-file size, as the dataset states it (else counted by reading the files).</summary>
    private static (DatasetInfo Info, int TrainImages) Info(string dataset, StudySpec spec)
    {
        IDatasetReader reader = DatasetRegistry.Open(dataset, spec.DataDir);
        if (DatasetRegistry.Get(dataset).TrainImages is { } images) return (reader.Info, images);
        using DatasetSplits data = reader.Load();
        return (data.Info, data.Train.Count);
    }

    private static int AttackImages(StudySpec spec) => spec.Attack.Limit > 0 ? spec.Attack.Limit : 10_000;

    /// <summary>
    /// Forward and backward passes per attacked image over every protocol, attack, loss and ε of the request a cell makes
    /// (<see cref="StudyAttackSpec.RequestFor"/>), each attack pricing itself (<see cref="IAttack.Passes"/>); a suite's
    /// later members are counted on half the images of the one before, and its budget-convergence check is added.
    /// </summary>
    private static double GradientsPerImage(StudySpec spec)
    {
        StudyAttackSpec a = spec.Attack;
        double total = 0;
        foreach (string name in a.Protocols)
        {
            AttackProtocol protocol = AttackProtocol.Parse(name);
            AttackRequest request = a.RequestFor(protocol, a.Transfer && !protocol.NormalizedSpace);
            int eps = request.EpsGrid.Count(e => e > 0);
            int directions = request.Targeted == TargetMode.Both ? 2 : 1;
            double perEps = 0;
            foreach (string attackName in request.AttackNames(hasSource: a.Transfer))
            {
                IAttack attack = AttackRegistry.Get(attackName);
                var settings = new AttackSettings { Protocol = protocol, Options = request.OptionsFor(attack) };
                double passes = directions * attack.Losses(protocol).Count * attack.Passes(settings);
                // A minimum-norm attack searches each image once for the whole grid.
                if (attack is IMinimalAttack) total += passes;
                else perEps += passes;
            }
            if (request.Suite != null)
            {
                double remaining = 1;
                foreach (SuiteMember member in request.Suite.Attacks)
                {
                    IAttack attack = AttackRegistry.Get(member.Attack);
                    perEps += remaining * attack.Passes(new AttackSettings { Protocol = protocol, Options = request.OptionsFor(attack, member) });
                    remaining /= 2;
                }
                // The budget-convergence check, once: the suite's APGD members at twice the iterations and restarts (four
                // times the passes) on the survivors among the first 100 images, counted as half of them.
                if (!protocol.NormalizedSpace)
                {
                    double share = Math.Min(1.0, AttackDiagnostics.ConvergenceImages / (double)AttackImages(spec));
                    total += 4 * 0.5 * share * request.Suite.Attacks.Where(m => m.Attack is "apgd" or "apgd-t")
                        .Sum(m => AttackRegistry.Get(m.Attack).Passes(new AttackSettings { Protocol = protocol, Options = request.OptionsFor(AttackRegistry.Get(m.Attack), m) }));
                }
            }
            total += eps * perEps;
        }
        return total;
    }

    private static double MeasureStep(string model, DatasetInfo info, bool decoder, int batch)
    {
        int measured = Math.Min(batch, 32);
        var result = ThroughputBenchmark.Run(new ThroughputBenchmark.Case(model, info.Channels, info.Height, decoder ? "decoder" : "categorical"), measured,
            torch.get_num_threads(), warmup: 1, steps: 2, repeats: 1, torch.CPU);
        return batch / result.Median; // seconds of a step of `batch` images at the measured images per second
    }
}
