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
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[]
    {
        Apgd.Iterations, Apgd.Restarts, Apgd.Targets,
    };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Dlr };

    public string? CannotRun(int classes) =>
        classes < 4 ? $"apgd-t needs at least 4 classes (the targeted DLR loss uses the 3rd and 4th largest scores), this classifier has {classes}; use apgd" : null;

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        if (CannotRun(context.Target.Classifier.ClassCount) is { } reason) throw new LabelRepException(reason);
        return OverTargets(context, batch, settings, AttackLoss.Dlr);
    }

    /// <summary>
    /// APGD toward each of the top-k other classes by the clean scores in turn (the sweep's target instead in a targeted
    /// sweep), each run on the images not fooled yet, ascending the targeted form of <paramref name="loss"/>; the images
    /// never fooled keep their highest-loss point where its loss (untargeted, or toward the sweep's target) is above the clean image's.
    /// </summary>
    internal static Tensor OverTargets(AttackContext context, AttackBatch batch, AttackSettings settings, AttackLoss loss)
    {
        AttackSpace space = context.Target;
        int classes = space.Classifier.ClassCount;
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
                        rows => output => loss.Compute(space, output, sub.Labels.index_select(0, rows), aim.index_select(0, rows)), context.Random, context.Cancel);
                });
                if (!ran) break;
                first = false;
            }
        }
        return ApgdCore.NotWorseThanClean(space, batch, result, fooled, output => loss.Compute(space, new ScoredOutput(output, space.Objective.Decision), batch.Labels, batch.Targets));
    }
}
