using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Square attack, L∞ (Andriushchenko et al. 2020): gradient-free random search. It starts from vertical stripes of
/// ±ε and, query by query, redraws a random square window of the perturbation as ±ε per channel, keeping the change
/// when the margin loss improves. Square windows shrink on the paper's schedule. Images that are already fooled stop
/// querying. It uses no gradients, so it sees through gradient masking.
/// </summary>
public sealed class Square : IAttack
{
    /// <summary>Initial fraction of the image a window covers (the Square Attack repository's p_init for L∞; AutoAttack uses 0.8).</summary>
    public const double InitialFraction = 0.05;

    public string Name => "square";
    public string Description => "gradient-free random search over square ±ε patches (margin loss)";
    public AttackFamily Family => AttackFamily.GradientFree;

    public IReadOnlyList<AttackOption> Options { get; } = new[]
    {
        new AttackOption("queries", "model queries per image", Standard: 500, Paper: 500) { Max = 1_000_000 },
        new AttackOption("p-init", "initial share of the image a square covers", Standard: InitialFraction, Paper: InitialFraction) { Unit = OptionUnit.Share, Min = 0, Max = 1 },
        new AttackOption("rescale", "1: the square-size schedule is stretched over the queries as if there were 10,000; 0: it runs on the raw query count (AutoAttack)", Standard: 1, Paper: 1) { Unit = OptionUnit.Switch, Min = 0, Max = 1 },
    };

    int IAttack.StepsFor(AttackSettings settings) => settings.Option("queries");

    /// <summary>A search on the margin loss, whatever the protocol's gradient losses.</summary>
    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Margin };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace space = context.Target;
        Generator random = context.Random;
        AttackSettings margin = settings with { Loss = AttackLoss.Margin };
        double eps = settings.Eps;
        long n = batch.Count, channels = batch.Clean.shape[1], height = batch.Clean.shape[2], width = batch.Clean.shape[3];

        Tensor stripes = RandomSigns(random, new[] { n, channels, 1, width }, batch.Clean);
        Tensor best = batch.Clamp(batch.Clean + eps * stripes);
        Tensor bestLoss = Loss(space, best, batch, margin);
        int iterations = Math.Max(0, settings.Option("queries") - 1);
        double pInit = settings.Real("p-init");
        bool rescale = settings.Option("rescale") != 0;
        for (int i = 0; i < iterations; i++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor active = bestLoss.le(0).nonzero().squeeze(1);
            if (active.shape[0] == 0) break;
            long a = active.shape[0];
            long size = Math.Clamp((long)Math.Round(Math.Sqrt(Fraction(i, iterations, pInit, rescale) * height * width)), 1, Math.Max(1, height - 1));
            long top = Draw(random, height - size), left = Draw(random, width - size);

            AttackBatch sub = batch.Select(active);
            Tensor current = best.index_select(0, active);
            Tensor delta = current - sub.Clean;
            Tensor window = delta.narrow(2, top, size).narrow(3, left, size);
            Tensor currentWindow = current.narrow(2, top, size).narrow(3, left, size);
            Tensor cleanWindow = sub.Clean.narrow(2, top, size).narrow(3, left, size);
            Tensor lowerWindow = Window(sub.Lower, top, left, size), upperWindow = Window(sub.Upper, top, left, size);
            Tensor patch = eps * RandomSigns(random, new[] { a, channels, 1, 1 }, delta);
            // Redraw where the new patch would change nothing (as the reference implementation does).
            for (int retry = 0; retry < 10; retry++)
            {
                Tensor proposed = torch.minimum(torch.maximum(cleanWindow + patch, lowerWindow), upperWindow);
                Tensor same = (proposed - currentWindow).abs().lt(1e-7).flatten(1).all(1);
                if (!same.any().item<bool>()) break;
                Tensor redraw = eps * RandomSigns(random, new[] { a, channels, 1, 1 }, delta);
                patch = torch.where(same.view(-1, 1, 1, 1), redraw, patch);
            }
            window.copy_(patch.expand(a, channels, size, size));
            Tensor candidate = sub.Clamp(sub.Clean + delta);
            Tensor candidateLoss = Loss(space, candidate, sub, margin);
            Tensor improved = candidateLoss.gt(bestLoss.index_select(0, active));
            Tensor updated = torch.where(improved.view(-1, 1, 1, 1), candidate, current);
            Tensor updatedLoss = torch.where(improved, candidateLoss, bestLoss.index_select(0, active));
            // Free the previous iterate at once: hundreds of queries would otherwise keep hundreds of copies alive.
            Tensor nextBest = scope.MoveToOuter(best.index_copy(0, active, updated));
            Tensor nextLoss = scope.MoveToOuter(bestLoss.index_copy(0, active, updatedLoss));
            best.Dispose();
            bestLoss.Dispose();
            best = nextBest;
            bestLoss = nextLoss;
        }
        return best;
    }

    /// <summary>The reference schedule: the window's share of the image halves at fixed iterations (of 10,000 when rescaled).</summary>
    internal static double Fraction(int iteration, int iterations, double pInit = InitialFraction, bool rescale = true)
    {
        int it = !rescale ? iteration : iterations == 0 ? 0 : (int)((double)iteration / iterations * 10000);
        int halvings = it switch
        {
            <= 10 => 0,
            <= 50 => 1,
            <= 200 => 2,
            <= 500 => 3,
            <= 1000 => 4,
            <= 2000 => 5,
            <= 4000 => 6,
            <= 6000 => 7,
            <= 8000 => 8,
            _ => 9,
        };
        return pInit / (1 << halvings);
    }

    private static Tensor Loss(AttackSpace space, Tensor x, AttackBatch batch, AttackSettings settings)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(settings.Loss.Compute(space, space.Output(x), batch));
    }

    private static Tensor RandomSigns(Generator random, long[] shape, Tensor like) =>
        (torch.randint(0, 2, shape, generator: random).to(like.dtype) * 2 - 1).to(like.device);

    private static long Draw(Generator random, long bound) =>
        bound <= 0 ? 0 : torch.randint(0, bound, new long[] { 1 }, generator: random).item<long>();

    private static Tensor Window(Tensor bound, long top, long left, long size) =>
        bound.shape.Length < 4 || bound.shape[2] == 1 ? bound : bound.narrow(2, top, size).narrow(3, left, size);
}
