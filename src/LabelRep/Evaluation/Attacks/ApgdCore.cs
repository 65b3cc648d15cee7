using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// One run of Auto-PGD (Croce and Hein, ICML 2020, Algorithm 1; the reference is fra31/auto-attack's
/// autopgd_base.py), in the batch's norm. L∞: a random start ε·t/‖t‖∞ with t ~ U(−1, 1), step size 2ε, momentum 0.75, and checkpoints after
/// 22%, then every 3% fewer down to 6% of the iterations, at which an image whose loss rose in no more than ρ = 0.75 of
/// the steps since the last checkpoint, or whose step was not halved last time and whose best loss did not improve,
/// gets half the step size and restarts from its best point. It keeps the best-loss point and the first point that
/// fooled the model. An image once fooled leaves the batch: its result cannot change, and every other image's
/// trajectory is its own (per-image step sizes and checks, a model in eval mode), so later iterations cost only the
/// images still standing. L2 is the same with the normalized gradient g/‖g‖₂ for sign(g) and a Gaussian start on the
/// sphere. L1 follows the published sparse variant (Croce and Hein, ICCV 2021): a Gaussian projected onto the ball as
/// start, step ε, steps of sign(g) on the 20% of coordinates with the largest |g| (then on the best point's count of
/// nonzero coordinates ÷ 1.5), the exact projection onto the L1 ball inside [0, 1], no momentum, and a sparsity check
/// every 4% of the iterations in place of the step-halving checkpoints.
/// </summary>
internal static class ApgdCore
{
    public const double Rho = 0.75;
    public const double Momentum = 0.75;

    /// <remarks>Longer than the house's 60 lines on purpose: one run of the published algorithm, kept in one piece so that it reads
    /// against the paper's pseudocode step by step (initial step, momentum step, checkpoints, step halving).</remarks>
    /// <param name="lossFor">The per-image loss to maximize, from the model's output, for the batch's images at the given rows.</param>
    /// <returns>Per image: the adversarial point where the attack succeeded, else the point of highest loss; and whether it succeeded.</returns>
    public static (Tensor Points, Tensor Fooled) Run(AttackSpace space, AttackBatch batch, double eps, int iterations, Func<Tensor, Func<ScoredOutput, Tensor>> lossFor,
        Generator random, CancellationToken cancel = default)
    {
        int n2 = Math.Max((int)(0.22 * iterations), 1), nMin = Math.Max((int)(0.06 * iterations), 1), sizeDecrease = Math.Max((int)(0.03 * iterations), 1);
        long count = batch.Count;
        Tensor x = batch.Clean;
        Func<ScoredOutput, Tensor> lossAll = lossFor(torch.arange(count, device: x.device));
        Norm norm = batch.Norm;
        bool l1 = norm == Norm.L1;
        Tensor xAdv = norm.RandomStart(batch, torch.tensor(eps), random);
        var (lossValue, grad, scores) = space.Evaluate(xAdv, lossAll);
        Tensor fooled = batch.Succeeded(scores.argmax(1));
        Tensor xBestAdv = xAdv.clone();
        Tensor xBest = xAdv.clone(), gradBest = grad.clone(), lossBest = lossValue.clone();
        // The published L1 variant (Croce and Hein 2021, "Mind the box"): step ε not 2ε, checkpoints every 4% of the
        // iterations, and a sparse step over a share of the coordinates that follows the best point's sparsity.
        double alpha = l1 ? 1.0 : 2.0;
        long features = x[0].numel();
        Tensor step = torch.full(new[] { count, 1L, 1, 1 }, alpha * eps, dtype: x.dtype, device: x.device);
        Tensor share = torch.full(count, Norm.L1StepShare, dtype: x.dtype, device: x.device);
        Tensor sparsityOld = torch.full(count, (double)features, dtype: x.dtype, device: x.device);
        Tensor xOld = xAdv.clone();
        var lossSteps = new Tensor[iterations];
        int k = l1 ? Math.Max((int)(0.04 * iterations), 1) : n2, sinceCheck = 0;
        Tensor lossBestLastCheck = lossBest.clone(), reducedLastCheck = torch.ones_like(lossBest);
        for (int i = 0; i < iterations; i++)
        {
            cancel.ThrowIfCancellationRequested();
            Tensor[] previous = { xAdv, xOld, grad, xBestAdv, fooled, xBest, gradBest, lossBest, step, lossBestLastCheck, reducedLastCheck, lossValue, share, sparsityOld };
            using var scope = torch.NewDisposeScope();
            // The images still standing (all of them until one is fooled); the others keep their state as it is.
            Tensor? rows = null;
            long standing = count - fooled.sum().item<long>();
            if (standing == 0) break;
            if (standing < count) rows = fooled.logical_not().nonzero().squeeze(1);
            Tensor Pick(Tensor full) => rows is null ? full : full.index_select(0, rows);
            Tensor Put(Tensor full, Tensor part) => rows is null ? part : full.index_copy(0, rows, part);
            AttackBatch part = rows is null ? batch : batch.Select(rows);
            Tensor nextPart;
            using (torch.no_grad())
            {
                Tensor xAdvPart = Pick(xAdv);
                Tensor grad2 = xAdvPart - Pick(xOld);
                double a = i > 0 ? Momentum : 1.0;
                Tensor z = part.Project(xAdvPart + Pick(step) * norm.Ascent(Pick(grad), Pick(share)), eps);
                // The L1 variant takes no momentum step.
                nextPart = l1 ? z : part.Project(xAdvPart + (z - xAdvPart) * a + grad2 * (1 - a), eps);
            }
            var (lossPart, gradPart, scoresPart) = space.Evaluate(nextPart, rows is null ? lossAll : lossFor(rows));
            using (torch.no_grad())
            {
                xOld = xAdv;
                xAdv = Put(xAdv, nextPart);
                grad = Put(grad, gradPart);
                lossValue = Put(lossValue, lossPart);
                Tensor nowFooled = Put(torch.zeros_like(fooled), part.Succeeded(scoresPart.argmax(1)));
                xBestAdv = torch.where(nowFooled.view(-1, 1, 1, 1), xAdv, xBestAdv);
                fooled = fooled.logical_or(nowFooled);
                lossSteps[i] = lossValue.clone();
                Tensor improved = lossValue.gt(lossBest);
                Tensor improvedImage = improved.view(-1, 1, 1, 1);
                xBest = torch.where(improvedImage, xAdv, xBest);
                gradBest = torch.where(improvedImage, grad, gradBest);
                lossBest = torch.where(improved, lossValue, lossBest);
                if (l1 && ++sinceCheck == k)
                {
                    // Sparsity check: where the best point became sparser (below 95% of the last check's count), the
                    // step goes back to ε and the search restarts there; elsewhere the step shrinks by 1.5 (down to ε/10).
                    Tensor sparsity = (xBest - x).flatten(1).ne(0).sum(1).to_type(x.dtype);
                    Tensor sparser = (sparsity / sparsityOld.clamp_min(1)).lt(0.95);
                    share = sparsity / features / 1.5;
                    Tensor sparserImage = sparser.view(-1, 1, 1, 1);
                    step = torch.where(sparserImage, torch.full_like(step, alpha * eps), step / 1.5).clamp(alpha * eps / 10, alpha * eps);
                    sparsityOld = sparsity;
                    xAdv = torch.where(sparserImage, xBest, xAdv);
                    grad = torch.where(sparserImage, gradBest, grad);
                    sinceCheck = 0;
                }
                else if (!l1 && ++sinceCheck == k)
                {
                    Tensor oscillating = Oscillation(lossSteps, i, k, iterations, lossBest);
                    Tensor noImprovement = (1 - reducedLastCheck) * lossBestLastCheck.ge(lossBest).to_type(lossBest.dtype);
                    Tensor reduce = torch.maximum(oscillating, noImprovement);
                    reducedLastCheck = reduce.clone();
                    lossBestLastCheck = lossBest.clone();
                    Tensor halve = reduce.gt(0);
                    Tensor halveImage = halve.view(-1, 1, 1, 1);
                    step = torch.where(halveImage, step / 2, step);
                    xAdv = torch.where(halveImage, xBest, xAdv);
                    grad = torch.where(halveImage, gradBest, grad);
                    k = Math.Max(k - sizeDecrease, nMin);
                    sinceCheck = 0;
                }
            }
            // Keep this iteration's state; free what it replaced (hundreds of iterations would otherwise hold every iterate).
            Tensor[] state = { xAdv, xOld, grad, xBestAdv, fooled, xBest, gradBest, lossBest, step, lossBestLastCheck, reducedLastCheck, lossValue, share, sparsityOld, lossSteps[i] };
            foreach (Tensor kept in state)
                if (!previous.Any(p => ReferenceEquals(p, kept))) scope.MoveToOuter(kept);
            foreach (Tensor old in previous)
                if (!state.Any(s => ReferenceEquals(s, old))) old.Dispose();
        }
        return (torch.where(fooled.view(-1, 1, 1, 1), xBestAdv, xBest), fooled);
    }

    /// <summary>
    /// One APGD run (<paramref name="run"/>, given the sub-batch and its rows) on the images of <paramref name="batch"/>
    /// not yet fooled, merged into <paramref name="result"/> and <paramref name="fooled"/> (both replaced; the old ones
    /// are freed). Inside its own dispose scope, and the freed memory goes back to the system after it: APGD-T runs nine
    /// times a batch, and what each run left until the batch ended made the suite's peak memory grow with the number of
    /// targets (docs/performance.md, "Attacks: memory"). Returns false when every image is fooled already.
    /// </summary>
    public static bool RunOnStanding(AttackBatch batch, ref Tensor result, ref Tensor fooled, bool first, Func<AttackBatch, Tensor, (Tensor Points, Tensor Fooled)> run)
    {
        using (var scope = torch.NewDisposeScope())
        {
            Tensor open = fooled.logical_not().nonzero().squeeze(1);
            if (open.shape[0] == 0) return false;
            var (points, subFooled) = run(batch.Select(open), open);
            Tensor merged = scope.MoveToOuter(Merge(result, open, points, subFooled, first));
            Tensor nowFooled = scope.MoveToOuter(fooled.index_copy(0, open, subFooled));
            result.Dispose();
            fooled.Dispose();
            result = merged;
            fooled = nowFooled;
        }
        Native.TorchRuntime.ReleaseFreeMemory();
        return true;
    }

    /// <summary>Fooled images take their adversarial point; the others take this run's best-loss point on the first run only (later runs keep it).</summary>
    private static Tensor Merge(Tensor result, Tensor rows, Tensor points, Tensor fooled, bool first)
    {
        Tensor current = result.index_select(0, rows);
        Tensor take = first ? torch.ones_like(fooled) : fooled;
        return result.index_copy(0, rows, torch.where(take.view(-1, 1, 1, 1), points, current));
    }

    /// <summary>Images not fooled keep the returned point only where its loss is at least the clean image's; else the clean image.</summary>
    public static Tensor NotWorseThanClean(AttackSpace space, AttackBatch batch, Tensor points, Tensor fooled, Func<Tensor, Tensor> loss)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Tensor atPoints = loss(space.Output(points)), atClean = loss(space.Output(batch.Clean));
        Tensor keep = fooled.logical_or(atPoints.ge(atClean));
        return scope.MoveToOuter(torch.where(keep.view(-1, 1, 1, 1), points, batch.Clean));
    }

    /// <summary>
    /// 1 where the loss rose in at most ρ·k of the last k steps. As in the reference, the step before the first one
    /// compared is row j−k of the loss history, which at the first checkpoint wraps to the last (still zero) row.
    /// </summary>
    private static Tensor Oscillation(Tensor[] lossSteps, int j, int k, int iterations, Tensor like)
    {
        Tensor rises = torch.zeros_like(like);
        for (int c = 0; c < k; c++)
        {
            int previous = j - c - 1;
            Tensor before = previous >= 0 ? lossSteps[previous] : lossSteps[iterations + previous] ?? torch.zeros_like(like);
            rises += lossSteps[j - c].gt(before).to_type(like.dtype);
        }
        return rises.le(k * Rho).to_type(like.dtype);
    }
}
