using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Targeted Auto-PGD on the targeted DLR loss (APGD-T, Croce and Hein 2020): for each of the top-k other classes by
/// the clean image's scores (default 9, or all others when there are fewer), an APGD run toward that class on the
/// images still classified correctly. It succeeds when the image is misclassified, as in AutoAttack. In a targeted
/// sweep it aims at the sweep's target instead. Needs 4 classes (the loss uses the 3rd and 4th largest scores).
/// </summary>
public sealed class ApgdTargeted : IAttack
{
    public string Name => "apgd-t";
    public string Description => "targeted Auto-PGD on the DLR loss over the top-k other classes (AutoAttack's APGD-T)";
    public AttackFamily Family => AttackFamily.Iterative;

    public IReadOnlyList<AttackOption> Options { get; } = new[]
    {
        Apgd.Iterations, Apgd.Restarts, new AttackOption("targets", "target classes, the most likely first", Standard: 9, Paper: 9) { Max = 1_000 },
    };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Dlr };

    public string? CannotRun(int classes) =>
        classes < 4 ? $"apgd-t needs at least 4 classes (the targeted DLR loss uses the 3rd and 4th largest scores), this classifier has {classes}; use apgd" : null;

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace space = context.Target;
        int classes = space.Classifier.ClassCount;
        if (CannotRun(classes) is { } reason) throw new LabelRepException(reason);
        Tensor result = batch.Clean.clone();
        Tensor fooled = torch.zeros(batch.Count, dtype: ScalarType.Bool, device: batch.Clean.device);
        Tensor ranking;
        using (torch.no_grad()) ranking = space.Scores(batch.Clean).argsort(1, descending: true);
        int targets = batch.Targets is null ? Math.Min(settings.Option("targets"), classes - 1) : 1;
        bool first = true;
        for (int rank = 1; rank <= targets; rank++)
        {
            for (int restart = 0; restart < settings.Option("restarts"); restart++)
            {
                bool ran = ApgdCore.RunOnStanding(batch, ref result, ref fooled, first, (sub, open) =>
                {
                    Tensor aim = sub.Targets ?? ranking.index_select(0, open).select(1, rank);
                    return ApgdCore.Run(space, sub, settings.Eps, settings.Option("steps"),
                        rows => TargetedLoss(sub.Labels.index_select(0, rows), aim.index_select(0, rows)), context.Random);
                });
                if (!ran) break;
                first = false;
            }
        }
        return ApgdCore.NotWorseThanClean(space, batch, result, fooled, output => AttackLoss.Dlr.Compute(space, output, batch));
    }

    private static Func<ScoredOutput, Tensor> TargetedLoss(Tensor labels, Tensor aim) =>
        output => AttackLoss.TargetedDifferenceOfLogitsRatio(output.Scores, labels, aim);
}
