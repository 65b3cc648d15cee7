using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Square attack, L∞ (Andriushchenko et al. 2020): gradient-free random search. It starts from vertical stripes of
/// ±ε and, query by query, redraws a random square window of the perturbation as ±ε per channel, keeping the change
/// when the margin loss improves. Square windows shrink on the paper's schedule. Images that are already fooled stop
/// querying. It uses no gradients, so it sees through gradient masking. In L2 (the paper's second version) the
/// perturbation is a grid of "pyramid" patterns of opposite halves; each query moves the mass of one random window into a
/// new pattern over another and rescales the whole perturbation to length ε.
/// </summary>
public sealed class Square : IAttack
{
    /// <summary>Initial fraction of the image a window covers (the Square Attack repository's p_init for L∞; AutoAttack uses 0.8).</summary>
    public const double InitialFraction = 0.05;

    public string Name => "square";
    public string Description => "gradient-free random search over square ±ε patches (margin loss)";
    public AttackFamily Family => AttackFamily.GradientFree;
    public IReadOnlyList<Norm> Norms => new[] { Norm.Linf, Norm.L2 };

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
        if (batch.Norm == Norm.L2) return PerturbL2(context, batch, settings);
        Generator random = context.Random;
        double eps = settings.Eps;
        long n = batch.Count, channels = batch.Clean.shape[1], height = batch.Clean.shape[2], width = batch.Clean.shape[3];
        double pInit = settings.Real("p-init");
        bool rescale = settings.Option("rescale") != 0;
        Tensor stripes = RandomSigns(random, new[] { n, channels, 1, width }, batch.Clean);
        return Search(context, batch, settings, batch.Clamp(batch.Clean + eps * stripes), (i, iterations, sub, current) =>
        {
            long a = sub.Count;
            long size = Math.Clamp((long)Math.Round(Math.Sqrt(Fraction(i, iterations, pInit, rescale) * height * width)), 1, Math.Max(1, height - 1));
            long top = Draw(random, height - size), left = Draw(random, width - size);
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
            return sub.Clamp(sub.Clean + delta);
        });
    }

    /// <summary>
    /// The random search both norms share: from <paramref name="start"/>, query by query, on the images not fooled yet,
    /// the candidate <paramref name="propose"/> makes (from the query's number, the number of queries, those images and
    /// their current points) replaces the current point where the margin loss rises.
    /// </summary>
    private static Tensor Search(AttackContext context, AttackBatch batch, AttackSettings settings, Tensor start, Func<int, int, AttackBatch, Tensor, Tensor> propose)
    {
        AttackSpace space = context.Target;
        AttackSettings margin = settings with { Loss = AttackLoss.Margin };
        Tensor best = start;
        Tensor bestLoss = Loss(space, best, batch, margin);
        int iterations = Math.Max(0, settings.Option("queries") - 1);
        for (int i = 0; i < iterations; i++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            Tensor active = bestLoss.le(0).nonzero().squeeze(1);
            if (active.shape[0] == 0) break;
            AttackBatch sub = batch.Select(active);
            Tensor current = best.index_select(0, active);
            Tensor candidate = propose(i, iterations, sub, current);
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

    /// <summary>
    /// The L2 version's start: the image tiled with blocks of a fifth of its side, each a pyramid pattern of random sign
    /// per channel, scaled to length ε; each query moves one window's mass into a new pattern over another (<see cref="Pyramid"/>).
    /// </summary>
    private static Tensor PerturbL2(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        Generator random = context.Random;
        double eps = settings.Eps;
        long n = batch.Count, channels = batch.Clean.shape[1], height = batch.Clean.shape[2], width = batch.Clean.shape[3];
        double pInit = settings.Real("p-init");
        bool rescale = settings.Option("rescale") != 0;
        Tensor x = batch.Clean;
        Tensor start = torch.zeros_like(x);
        long block = Math.Max(1, height / 5), offset = (height - block * 5) / 2;
        using (Tensor pattern = Pyramid(block, random, x))
        {
            for (long top = offset; top + block <= height && top < offset + 5 * block; top += block)
                for (long left = offset; left + block <= width && left < offset + 5 * block; left += block)
                    start.narrow(2, top, block).narrow(3, left, block).add_(pattern * RandomSigns(random, new[] { n, channels, 1, 1 }, x));
        }
        return Search(context, batch, settings, batch.Clamp(x + ToLength(start, eps)), (i, iterations, sub, current) =>
        {
            long a = sub.Count;
            long size = Math.Max((long)Math.Round(Math.Sqrt(Fraction(i, iterations, pInit, rescale) * height * width)), 3);
            if (size % 2 == 0) size++;
            size = Math.Min(size, Math.Min(height, width));
            long top = Draw(random, height - size), left = Draw(random, width - size);
            long top2 = Draw(random, height - size), left2 = Draw(random, width - size);
            Tensor delta = current - sub.Clean;
            Tensor window = delta.narrow(2, top, size).narrow(3, left, size);
            Tensor windowNorm = window.square().sum(new long[] { 2, 3 }, keepdim: true).sqrt();
            Tensor mask = torch.zeros_like(delta);
            mask.narrow(2, top, size).narrow(3, left, size).fill_(1);
            mask.narrow(2, top2, size).narrow(3, left2, size).fill_(1);
            Tensor length = Norm.L2.Of(delta).view(-1, 1, 1, 1);
            Tensor windowsLength = Norm.L2.Of(delta * mask).view(-1, 1, 1, 1);
            // The new window: a fresh pattern plus the old window's direction, per channel of the length the two windows held
            // and the ball's unused room shares.
            Tensor fresh = Pyramid(size, random, x).view(1, 1, size, size) * RandomSigns(random, new[] { a, channels, 1, 1 }, x) + window / (windowNorm + 1e-12);
            Tensor room = ((eps * eps - length.square()).clamp_min(0) / channels + windowsLength.square()).sqrt();
            Tensor replaced = fresh / (fresh.square().sum(new long[] { 2, 3 }, keepdim: true).sqrt() + 1e-12) * room;
            delta.narrow(2, top2, size).narrow(3, left2, size).zero_();
            delta.narrow(2, top, size).narrow(3, left, size).copy_(replaced);
            return sub.Clamp(sub.Clean + ToLength(delta, eps));
        });
    }

    /// <summary>The perturbation rescaled to L2 length ε (per image).</summary>
    private static Tensor ToLength(Tensor delta, double eps) => delta / (Norm.L2.Of(delta).view(-1, 1, 1, 1) + 1e-12) * eps;

    /// <summary>
    /// The L2 Square attack's s×s pattern: its upper half a stack of nested rectangles around the centre, each adding
    /// 1/(k+1)² (so the weight falls off from the centre), its lower half the same with the opposite sign, of unit L2
    /// length; transposed on a coin flip.
    /// </summary>
    internal static Tensor Pyramid(long size, Generator random, Tensor like)
    {
        var pattern = new double[size, size];
        long upper = size / 2;
        Rectangles(pattern, 0, upper, size, 1);
        Rectangles(pattern, upper, size - upper, size, -1);
        double norm = Math.Sqrt(pattern.Cast<double>().Sum(v => v * v));
        bool transpose = torch.rand(1, generator: random).item<float>() > 0.5f;
        var values = new float[size * size];
        for (long r = 0; r < size; r++)
            for (long c = 0; c < size; c++)
                values[r * size + c] = (float)((transpose ? pattern[c, r] : pattern[r, c]) / Math.Max(norm, 1e-12));
        return torch.tensor(values, new[] { size, size }).to(like.dtype).to(like.device);
    }

    /// <summary>Adds to rows [first, first + rows) the nested rectangles around their centre, unit length, times <paramref name="sign"/>.</summary>
    private static void Rectangles(double[,] pattern, long first, long rows, long columns, double sign)
    {
        if (rows <= 0) return;
        var part = new double[rows, columns];
        long centreRow = rows / 2, centreColumn = columns / 2;
        for (long k = 0; k < Math.Max(centreRow + 1, centreColumn + 1); k++)
        {
            long r0 = Math.Max(centreRow - k, 0), r1 = Math.Min(centreRow - k + 2 * k + 1, rows);
            long c0 = Math.Max(centreColumn - k, 0), c1 = Math.Min(centreColumn - k + 2 * k + 1, columns);
            for (long r = r0; r < r1; r++)
                for (long c = c0; c < c1; c++)
                    part[r, c] += 1.0 / ((k + 1) * (k + 1));
        }
        double norm = Math.Sqrt(part.Cast<double>().Sum(v => v * v));
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                pattern[first + r, c] = sign * part[r, c] / Math.Max(norm, 1e-12);
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
