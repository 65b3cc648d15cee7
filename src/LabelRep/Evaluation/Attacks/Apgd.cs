using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Auto-PGD (Croce and Hein, ICML 2020): PGD with a step size that adapts at checkpoints, momentum and the best point
/// kept (<see cref="ApgdCore"/>), 100 iterations by default, with restarts from new random points on the images not
/// yet fooled. In the standard protocol it runs with cross-entropy (APGD-CE) and the DLR loss (APGD-DLR) over the
/// class scores of the decision rule.
/// </summary>
public sealed class Apgd : IAttack
{
    public static readonly AttackOption Iterations = new("steps", "gradient steps (iterations)", Standard: 100, Paper: 100);
    public static readonly AttackOption Restarts = new("restarts", "random restarts", Standard: 1, Paper: 1) { Max = 1_000 };

    /// <summary>The target classes of the attacks that run once per other class (APGD-T, FAB-T, APGD-label-T): AutoAttack's 9.</summary>
    public static readonly AttackOption Targets = new("targets", "target classes, the most likely first", Standard: 9, Paper: 9) { Max = 1_000 };

    public string Name => "apgd";
    public string Description => "Auto-PGD: adaptive step size, momentum, best point kept (Croce & Hein 2020)";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;
    public IReadOnlyList<AttackOption> Options { get; } = new[] { Iterations, Restarts };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) =>
        protocol.NormalizedSpace ? protocol.Losses : new[] { AttackLoss.CrossEntropy, AttackLoss.Dlr };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace space = context.Target;
        Tensor result = batch.Clean.clone();
        Tensor fooled = torch.zeros(batch.Count, dtype: ScalarType.Bool, device: batch.Clean.device);
        for (int restart = 0; restart < settings.Option("restarts"); restart++)
        {
            bool ran = ApgdCore.RunOnStanding(batch, ref result, ref fooled, restart == 0, (sub, _) =>
                ApgdCore.Run(space, sub, settings.Eps, settings.Option("steps"), rows => LossOf(space, sub.Select(rows), settings.Loss), context.Random, context.Cancel));
            if (!ran) break;
        }
        return ApgdCore.NotWorseThanClean(space, batch, result, fooled, output => settings.Loss.Compute(space, output, batch));
    }

    private static Func<ScoredOutput, Tensor> LossOf(AttackSpace space, AttackBatch batch, AttackLoss loss) => output => loss.Compute(space, output, batch);
}
