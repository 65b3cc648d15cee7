using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Targeted FAB (FAB-T; Croce and Hein, "Minimally distorted adversarial examples with a fast adaptive boundary
/// attack", ICML 2020), with AutoAttack's standard settings: the 9 most likely other classes by the clean scores, 100
/// iterations, one run each. FAB looks for the smallest perturbation, not the worst point in a ball: at the current
/// point it linearizes the score difference (target − true class) and projects both the current point and the clean
/// image onto that hyperplane inside the valid range (the smallest L∞ step that reaches it); the next point is a
/// convex combination of the two projections, overshot by η = 1.05 and weighted towards the clean image's by at most
/// α_max = 0.1. Each time a point fools the model it is kept if it is the closest so far, and the search steps back
/// towards the clean image by β = 0.9. An image counts as fooled at ε when its smallest perturbation is within ε;
/// <see cref="Minimal"/> keeps that smallest perturbation per image (∞ where none was found). Later restarts start at
/// a random point half the best distance (at most ε) away. On a linear model the first projection is the exact answer.
/// It runs in L∞, L2 and L1: the norm decides the projection onto the hyperplane (<see cref="Norm.ToHyperplane"/>) and
/// how distances are measured.
/// </summary>
public sealed class FabTargeted : IAttack, IMinimalAttack
{
    public const double Overshoot = 1.05;
    public const double AlphaMax = 0.1;
    public const double BackStep = 0.9;

    public string Name => "fab-t";
    public string Description => "targeted FAB: the smallest step in the norm to the linearized boundary of each of the top-k other classes (AutoAttack's FAB-T)";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[]
    {
        Apgd.Iterations, Apgd.Restarts, Apgd.Targets,
    };

    /// <summary>FAB follows the score difference of the target and the true class; the results name it by the margin.</summary>
    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Margin };

    /// <summary>A forward and backward pass, and a forward pass to check the new point, per iteration.</summary>
    double IAttack.Passes(AttackSettings settings) =>
        settings.Option("steps") * settings.Option("restarts") * settings.Option("targets") * (1 + 1 / 3.0);

    public string? CannotRun(int classes) => classes < 2 ? $"fab-t needs at least 2 classes, this classifier has {classes}" : null;

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        using var scope = torch.NewDisposeScope();
        var (points, norms) = Minimal(context, batch, settings);
        // Within ε: the closest fooling point; else that point pulled back into the ball (it may still fool).
        Tensor within = norms.le(settings.Eps).view(-1, 1, 1, 1);
        Tensor inBall = batch.Project(points, settings.Eps);
        return scope.MoveToOuter(torch.where(within, points, inBall));
    }

    /// <summary>
    /// Per image, the closest point found that fools the model and its distance in the batch's norm from the clean image (∞ and the
    /// clean image where none was found). Target classes after the first run only for the images not yet fooled within ε.
    /// </summary>
    public (Tensor Points, Tensor Norms) Minimal(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace space = context.Target;
        int classes = space.Classifier.ClassCount;
        if (new FabTargeted().CannotRun(classes) is { } reason) throw new LabelRepException(reason);
        Tensor points = batch.Clean.clone();
        Tensor norms = torch.full(batch.Count, double.PositiveInfinity, dtype: batch.Clean.dtype, device: batch.Clean.device);
        Tensor ranking;
        using (torch.no_grad()) ranking = space.Scores(batch.Clean).argsort(1, descending: true);
        int targets = batch.Targets is null ? Math.Min(settings.Option("targets"), classes - 1) : 1;
        for (int rank = 1; rank <= targets; rank++)
        {
            for (int restart = 0; restart < settings.Option("restarts"); restart++)
            {
                using var scope = torch.NewDisposeScope();
                Tensor open = norms.gt(settings.Eps).nonzero().squeeze(1);
                if (open.shape[0] == 0) return (points, norms);
                AttackBatch sub = batch.Select(open);
                Tensor aim = sub.Targets ?? ranking.index_select(0, open).select(1, rank);
                var (found, distance) = Run(space, sub, aim, settings, norms.index_select(0, open), restart > 0, context.Random, context.Cancel);
                Tensor closer = distance.lt(norms.index_select(0, open));
                Tensor newPoints = scope.MoveToOuter(points.index_copy(0, open, torch.where(closer.view(-1, 1, 1, 1), found, points.index_select(0, open))));
                Tensor newNorms = scope.MoveToOuter(norms.index_copy(0, open, torch.minimum(distance, norms.index_select(0, open))));
                points.Dispose();
                norms.Dispose();
                points = newPoints;
                norms = newNorms;
            }
        }
        return (points, norms);
    }

    /// <summary>One FAB run towards the class <paramref name="aim"/> per image: the closest fooling point found and its distance (∞ where none).</summary>
    private static (Tensor Points, Tensor Norms) Run(AttackSpace space, AttackBatch batch, Tensor aim, AttackSettings settings, Tensor bestSoFar, bool randomStart,
        Generator random, CancellationToken cancel)
    {
        Tensor x0 = batch.Clean;
        Tensor x = x0;
        Norm norm = batch.Norm;
        if (randomStart)
        {
            Tensor radius = torch.minimum(bestSoFar, torch.tensor(settings.Eps, dtype: x0.dtype, device: x0.device));
            if (norm == Norm.Linf)
            {
                Tensor t = torch.rand(x0.shape, dtype: x0.dtype, generator: random).to(x0.device) * 2 - 1;
                x = batch.Clamp(x0 + radius.view(-1, 1, 1, 1) * t / t.abs().flatten(1).amax(new long[] { 1 }).view(-1, 1, 1, 1).clamp_min(1e-12) * 0.5);
            }
            else x = norm.RandomStart(batch, radius * 0.5, random);
        }
        Tensor best = x0.clone();
        Tensor bestNorm = torch.full(batch.Count, double.PositiveInfinity, dtype: x0.dtype, device: x0.device);
        Tensor labels = batch.Labels.view(-1, 1), target = aim.view(-1, 1);
        Tensor lower = (batch.Lower - x0).expand_as(x0), upper = (batch.Upper - x0).expand_as(x0);
        for (int i = 0; i < settings.Option("steps"); i++)
        {
            cancel.ThrowIfCancellationRequested();
            Tensor[] previous = { x, best, bestNorm };
            using var scope = torch.NewDisposeScope();
            var (difference, gradient, _) = space.Evaluate(x, output => output.Scores.gather(1, target).squeeze(1) - output.Scores.gather(1, labels).squeeze(1));
            Tensor next, fooled;
            using (torch.no_grad())
            {
                Tensor w = gradient.flatten(1);
                Tensor offset = x - x0;
                // The hyperplane f + w·(z − x) = 0 reached from the current point and from the clean image.
                Tensor fromCurrent = norm.ToHyperplane(w, -difference, lower.flatten(1) - offset.flatten(1), upper.flatten(1) - offset.flatten(1));
                Tensor fromClean = norm.ToHyperplane(w, -difference + (w * offset.flatten(1)).sum(1), lower.flatten(1), upper.flatten(1));
                Tensor a0 = norm.Of(fromCurrent), a1 = norm.Of(fromClean);
                Tensor alpha = (a0 / (a0 + a1).clamp_min(1e-12)).clamp(0, AlphaMax).view(-1, 1, 1, 1);
                next = batch.Clamp((x + Overshoot * fromCurrent.view_as(x)) * (1 - alpha) + (x0 + Overshoot * fromClean.view_as(x)) * alpha);
                fooled = batch.Succeeded(space.Predict(next));
                Tensor distance = norm.Of(next - x0);
                Tensor closer = fooled.logical_and(distance.lt(bestNorm));
                best = torch.where(closer.view(-1, 1, 1, 1), next, best);
                bestNorm = torch.where(closer, distance, bestNorm);
                // A fooling point: step back towards the clean image and search closer.
                x = torch.where(fooled.view(-1, 1, 1, 1), x0 + (next - x0) * BackStep, next);
            }
            Tensor[] state = { x, best, bestNorm };
            foreach (Tensor kept in state)
                if (!previous.Any(p => ReferenceEquals(p, kept))) scope.MoveToOuter(kept);
            foreach (Tensor old in previous)
                if (!state.Any(s => ReferenceEquals(s, old)) && !ReferenceEquals(old, x0)) old.Dispose();
        }
        return (best, bestNorm);
    }
}
