using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The norm that measures a perturbation (the threat model): L∞ (every pixel moves by at most ε), L2 (RobustBench's
/// second leaderboard, ε = 0.5 on CIFAR-10) or L1 (AutoAttack's sparse threat model, ε = 12 on CIFAR-10). Everything an
/// attack needs from its norm is here: the length of a perturbation, the projection onto the ball inside the valid
/// range, the steepest-ascent direction, a random start, and the smallest step onto a hyperplane (FAB's projection).
/// </summary>
public sealed class Norm
{
    public static readonly Norm Linf = new("linf", "L∞", 8 / 255.0);
    public static readonly Norm L2 = new("l2", "L2", 0.5);
    public static readonly Norm L1 = new("l1", "L1", 12);

    public static IReadOnlyList<Norm> All { get; } = new[] { Linf, L2, L1 };

    /// <summary>The share of coordinates an L1 step moves when the caller gives none (the sparse APGD-L1's initial 20%).</summary>
    public const double L1StepShare = 0.2;

    private Norm(string name, string symbol, double reference)
    {
        Name = name;
        Symbol = symbol;
        Reference = reference;
    }

    /// <summary>The ε robustness is usually reported at in this norm: RobustBench's CIFAR-10 budgets (8/255 L∞, 0.5 L2) and AutoAttack's L1 one (12).</summary>
    public double Reference { get; }

    /// <summary>The name in options, specs and files: linf, l2, l1.</summary>
    public string Name { get; }

    /// <summary>The name in tables and plots: L∞, L2, L1.</summary>
    public string Symbol { get; }

    public static Norm Parse(string name, string source = "--norm") =>
        All.FirstOrDefault(n => n.Name == name.Trim().ToLowerInvariant())
        ?? throw new LabelRepException($"{source} '{name}': give {string.Join(", ", All.Select(n => n.Name))}");

    /// <summary>The largest ε that still means something on inputs of <paramref name="values"/> numbers in a range of width 1: beyond it the ball holds the whole range.</summary>
    public double Largest(long values) => this == Linf ? 1 : this == L2 ? Math.Sqrt(values) : values;

    /// <summary>ε in words: "8/255" for L∞ pixels, "0.5" for L2, "12" for L1.</summary>
    public string Format(double eps) =>
        this == Linf ? (eps * 255).ToString("0.##", CultureInfo.InvariantCulture) + "/255" : eps.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Per image, the length of <paramref name="delta"/> (B, …) → (B).</summary>
    public Tensor Of(Tensor delta)
    {
        Tensor flat = delta.flatten(1);
        if (this == Linf) return flat.abs().amax(new long[] { 1 });
        if (this == L2) return flat.square().sum(1).sqrt();
        return flat.abs().sum(1);
    }

    /// <summary>Per image, the length of <paramref name="gradient"/> in the dual norm (L∞ → L1, L2 → L2, L1 → L∞): the rate a unit step can change a linear function.</summary>
    public Tensor Dual(Tensor gradient)
    {
        Tensor flat = gradient.flatten(1);
        if (this == Linf) return flat.abs().sum(1);
        if (this == L2) return flat.square().sum(1).sqrt();
        return flat.abs().amax(new long[] { 1 });
    }

    /// <summary>
    /// The direction of steepest ascent of a loss with gradient <paramref name="gradient"/>, of length 1 in this norm:
    /// sign(g) for L∞, g/‖g‖₂ for L2, and for L1 the sign of g on the <paramref name="share"/> of coordinates with the
    /// largest |g| (per image, a share in (0, 1]), divided by their count (the sparse step of Croce and Hein 2021).
    /// </summary>
    public Tensor Ascent(Tensor gradient, Tensor? share = null)
    {
        if (this == Linf) return gradient.sign();
        long n = gradient.shape[0];
        Tensor flat = gradient.flatten(1);
        if (this == L2) return (flat / flat.norm(1, true, 2).clamp_min(1e-12)).view_as(gradient);
        long d = flat.shape[1];
        Tensor q = share ?? torch.full(n, L1StepShare, dtype: flat.dtype, device: flat.device);
        // The k-th largest |g| per image, k = share·d, as a threshold: every coordinate at or above it moves.
        Tensor rank = ((1 - q) * d).clamp(0, d - 1).to_type(ScalarType.Int64).view(-1, 1);
        Tensor threshold = flat.abs().sort(1).Values.gather(1, rank);
        Tensor sparse = flat.sign() * flat.abs().ge(threshold).to_type(flat.dtype);
        return (sparse / sparse.abs().sum(1, true).clamp_min(1)).view_as(gradient);
    }

    /// <summary>
    /// <paramref name="x"/> moved onto the ball of radius <paramref name="eps"/> (a number, or one per image) around
    /// <paramref name="clean"/>, then, when <paramref name="clamp"/>, into [<paramref name="lower"/>, <paramref name="upper"/>].
    /// L∞ clamps each coordinate; L2 scales the perturbation down to length ε, then clamps (AutoAttack's L2 projection);
    /// L1 is the exact Euclidean projection onto the L1 ball intersected with the valid range (what APGD-L1 needs).
    /// </summary>
    public Tensor Project(Tensor x, Tensor clean, Tensor eps, Tensor lower, Tensor upper, bool clamp = true)
    {
        using var scope = torch.NewDisposeScope();
        eps = eps.to(x.dtype, x.device);
        Tensor radius = eps.dim() == 0 ? eps : eps.view(-1, 1, 1, 1);
        Tensor result;
        if (this == Linf)
            result = torch.minimum(torch.maximum(x, clean - radius), clean + radius);
        else if (this == L2)
        {
            Tensor delta = x - clean;
            Tensor length = Of(delta).view(-1, 1, 1, 1);
            result = clean + delta * (torch.minimum(length, radius.expand_as(length)) / length.clamp_min(1e-12));
        }
        else
            result = clean + L1Ball(x - clean, clean, eps, lower, upper);
        if (clamp) result = torch.minimum(torch.maximum(result, lower), upper);
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// The point of {δ : ‖δ‖₁ ≤ ε, lower ≤ clean + δ ≤ upper} nearest (in L2) to <paramref name="delta"/>: each
    /// coordinate shrinks toward 0 by the same λ ≥ 0 and stops at its room in the range, δᵢ = sign(yᵢ)·min(max(|yᵢ| − λ, 0), roomᵢ),
    /// with λ the smallest that brings the L1 length to ε. The length falls as λ grows, so λ is found by bisection
    /// (40 halvings of [0, max |y|], far below float precision), keeping the feasible end.
    /// </summary>
    private static Tensor L1Ball(Tensor delta, Tensor clean, Tensor eps, Tensor lower, Tensor upper)
    {
        long n = delta.shape[0];
        Tensor y = delta.flatten(1);
        Tensor room = torch.where(y.ge(0), (upper - clean).expand_as(clean).flatten(1), (clean - lower).expand_as(clean).flatten(1)).clamp_min(0);
        Tensor a = y.abs();
        Tensor goal = (eps.dim() == 0 ? eps.expand(n) : eps).view(-1, 1).to_type(y.dtype);
        Tensor low = torch.zeros(n, 1, dtype: y.dtype, device: y.device);
        Tensor high = a.amax(new long[] { 1 }, keepdim: true);
        Tensor Length(Tensor lambda) => torch.minimum((a - lambda).clamp_min(0), room).sum(1, true);
        Tensor inside = Length(low).le(goal);
        for (int i = 0; i < 40; i++)
        {
            Tensor mid = (low + high) / 2;
            Tensor fits = Length(mid).le(goal);
            high = torch.where(fits, mid, high);
            low = torch.where(fits, low, mid);
        }
        Tensor lambdaFinal = torch.where(inside, torch.zeros_like(high), high);
        return (y.sign() * torch.minimum((a - lambdaFinal).clamp_min(0), room)).view_as(delta);
    }

    /// <summary>
    /// A random point of the ball around the clean images, inside the valid range: L∞ ε·t/‖t‖∞ with t uniform in
    /// [−1, 1] (APGD's start), L2 ε·t/‖t‖₂ with t Gaussian, L1 a Gaussian projected onto the ball and the range
    /// (AutoAttack's APGD-L1 start). Scaled by <paramref name="scale"/> (one per image, or a number).
    /// </summary>
    public Tensor RandomStart(AttackBatch batch, Tensor scale, Generator random)
    {
        using var scope = torch.NewDisposeScope();
        Tensor clean = batch.Clean;
        scale = scale.to(clean.dtype, clean.device);
        Tensor radius = scale.dim() == 0 ? scale : scale.view(-1, 1, 1, 1);
        Tensor start;
        if (this == L1)
        {
            Tensor t = torch.randn(clean.shape, dtype: clean.dtype, generator: random).to(clean.device);
            start = clean + L1Ball(t, clean, scale, batch.Lower, batch.Upper);
        }
        else
        {
            Tensor t = this == Linf
                ? torch.rand(clean.shape, dtype: clean.dtype, generator: random).to(clean.device) * 2 - 1
                : torch.randn(clean.shape, dtype: clean.dtype, generator: random).to(clean.device);
            start = clean + radius * t / (Of(t).view(-1, 1, 1, 1) + 1e-12);
        }
        return scope.MoveToOuter(batch.Clamp(start));
    }

    /// <summary>
    /// Per row, the smallest step δ in this norm with w·δ = c and lower ≤ δ ≤ upper (lower ≤ 0 ≤ upper): FAB's projection
    /// onto a linearized decision boundary. Where even the whole range cannot reach c, the step that gets closest.
    /// All three move each coordinate toward sign(c)·sign(wᵢ) and stop at its cap; they differ in how far:
    /// L∞ the same length t for all (<see cref="LinfLength"/>), L2 t·|wᵢ| (found by bisection on t), L1 the
    /// coordinates of largest |wᵢ| first, each to its cap, until c is reached.
    /// </summary>
    public Tensor ToHyperplane(Tensor w, Tensor c, Tensor lower, Tensor upper)
    {
        using var scope = torch.NewDisposeScope();
        Tensor direction = w.sign() * c.sign().view(-1, 1);
        Tensor goal = c.abs().view(-1, 1);
        Tensor weight = w.abs();
        Tensor cap = torch.where(direction.gt(0), upper, -lower).clamp_min(0);
        Tensor length = this == Linf ? LinfLength(goal, weight, cap) : this == L2 ? L2Length(goal, weight, cap) : L1Length(goal, weight, cap);
        return scope.MoveToOuter(torch.minimum(torch.maximum(direction * length, lower), upper));
    }

    /// <summary>
    /// L∞: every coordinate moves by the same length t until the range stops it at its cap, so the reach
    /// R(t) = Σᵢ |wᵢ|·min(t, capᵢ) is piecewise linear and increasing in t. With the caps sorted, R at each cap is a
    /// prefix sum plus the cap times the weight still free, and t is solved exactly on the first segment that reaches |c|.
    /// </summary>
    private static Tensor LinfLength(Tensor goal, Tensor weight, Tensor cap)
    {
        long d = weight.shape[1];
        var (sortedCap, order) = cap.sort(1);
        Tensor sortedWeight = weight.gather(1, order);
        Tensor saturated = (sortedWeight * sortedCap).cumsum(1) - sortedWeight * sortedCap; // Σ over the caps below
        Tensor free = sortedWeight.flip(1).cumsum(1).flip(1);                                // Σ over this cap and above
        Tensor reachAtCap = saturated + sortedCap * free;
        Tensor segment = reachAtCap.lt(goal).sum(1, keepdim: true);                          // the first cap that reaches |c|
        Tensor reaches = segment.lt(d);
        Tensor at = segment.clamp_max(d - 1);
        return torch.where(reaches, (goal - saturated.gather(1, at)) / free.gather(1, at).clamp_min(1e-30), sortedCap.select(1, -1).unsqueeze(1));
    }

    /// <summary>L2: coordinate i moves by t·|wᵢ| up to its cap; R(t) = Σ |wᵢ|·min(t·|wᵢ|, capᵢ) grows with t, so t is found by bisection up to max capᵢ/|wᵢ|.</summary>
    private static Tensor L2Length(Tensor goal, Tensor weight, Tensor cap)
    {
        Tensor Reach(Tensor t) => (weight * torch.minimum(t * weight, cap)).sum(1, true);
        Tensor low = torch.zeros_like(goal);
        Tensor high = (cap / weight.clamp_min(1e-30)).where(weight.gt(0), torch.zeros_like(cap)).amax(new long[] { 1 }, keepdim: true);
        for (int i = 0; i < 60; i++)
        {
            Tensor mid = (low + high) / 2;
            Tensor short_ = Reach(mid).lt(goal);
            low = torch.where(short_, mid, low);
            high = torch.where(short_, high, mid);
        }
        return torch.minimum(high * weight, cap);
    }

    /// <summary>L1: largest |wᵢ| first, each coordinate before the one that reaches c moves to its cap, that one moves the rest.</summary>
    private static Tensor L1Length(Tensor goal, Tensor weight, Tensor cap)
    {
        var (sortedWeight, order) = weight.sort(1, descending: true);
        Tensor sortedCap = cap.gather(1, order);
        Tensor before = (sortedWeight * sortedCap).cumsum(1) - sortedWeight * sortedCap;
        Tensor needed = ((goal - before) / sortedWeight.clamp_min(1e-30)).clamp_min(0);
        Tensor sortedLength = torch.minimum(needed, sortedCap).where(sortedWeight.gt(0), torch.zeros_like(sortedCap));
        return torch.zeros_like(cap).scatter(1, order, sortedLength);
    }

    public override string ToString() => Name;
}
