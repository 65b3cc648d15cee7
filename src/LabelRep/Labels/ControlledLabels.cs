using LabelRep.Data;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// A family of 64×64 labels (values in [0, 80], like the paper's kinds) that sets three properties independently, to
/// test what the paper attributes to "high entropy":
/// <list type="bullet">
/// <item>levels L: every label takes exactly L distinct values, each on 4096/L of the elements (entropy log₂ L bits);</item>
/// <item>rank r: the C × 4096 label matrix has rank r (the shared offset counts as one);</item>
/// <item>distance d: the minimum pairwise L2 distance between two classes' labels after the global [0, 1] normalization
/// of <see cref="LabelStats"/> (0: whatever the construction gives, the largest it can).</item>
/// </list>
/// Construction (seeded by the label seed): element e (raster order) gets type ⌊e·L/4096⌋, equal counts; a C × L
/// matrix V = A·G, A (C × r) and G (r × L) with a first column (row) of ones, the rest class codes spread over
/// [−1, 1] and low-frequency cosines (see Draw), the best separated of 32 draws; the classes are pulled toward their mean, V_s = v̄ + s·(V − v̄), with s ∈ (0, 1] found by bisection so that the minimum
/// distance is d; element e of class c's label is V_s[c, type(e)], mapped affinely to [0, 80]. Pulling toward the
/// mean and the affine map keep the rank (v̄ and the constant lie in A's span), and the types keep the entropy, so a
/// grid over one parameter at a fixed d holds the other two fixed.
/// </summary>
public sealed class ControlledLabels : ILabelKind
{
    public const int Side = 64;

    public string Name => "controlled";
    public string Description => "64×64 labels with set entropy (levels), rank and minimum distance: the paper's hypothesis one property at a time";
    public LabelRole Role => LabelRole.Instrument;
    public bool DrawnAtRandom => true;

    /// <summary>levels: distinct values per label; rank: of the label matrix (0: the class count, or the levels when fewer); distance: the minimum normalized pairwise distance (0: unpulled).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; } = new Dictionary<string, double> { ["levels"] = 4096, ["rank"] = 0, ["distance"] = 0 };

    public LabelBank Build(LabelContext context)
    {
        LabelParameters p = context.Parameters;
        int classes = context.Dataset.ClassCount, elements = Side * Side;
        int levels = p.Integer("levels", 2, elements);
        int rank = p.Integer("rank", 0, classes);
        if (rank == 0) rank = Math.Min(classes, levels);
        if (rank < 2 || rank > Math.Min(classes, levels))
            throw new LabelRepException($"label '{p.Name}': rank={rank} must be from 2 to {Math.Min(classes, levels)} (the classes and the levels bound it; rank 1 makes every class the same)");
        double distance = p.Real("distance", 0, 1e4, minInclusive: true);

        var rng = new NumpyRandom((uint)(context.Options.LabelSeed + 5));
        // Types in raster order: type t covers the t-th of L equal runs of pixels, so a label is a smooth image (see Draw).
        int[] type = new int[elements];
        for (int e = 0; e < elements; e++) type[e] = (int)((long)e * levels / elements);

        int[] counts = new int[levels];
        foreach (int t in type) counts[t]++;
        // The best separated of a few draws, so that every variant of a grid reaches a common minimum distance.
        double[,] v = Draw(rng, classes, rank, levels);
        double[] mean = ClassMean(v);
        double widest = MinDistance(v, mean, counts, 1);
        for (int i = 1; i < Candidates; i++)
        {
            double[,] other = Draw(rng, classes, rank, levels);
            double[] otherMean = ClassMean(other);
            double d = MinDistance(other, otherMean, counts, 1);
            if (d > widest) (v, mean, widest) = (other, otherMean, d);
        }
        double spread = 1;
        if (distance > 0)
        {
            if (distance > widest)
                throw new LabelRepException($"label '{p.Name}': distance={distance} is more than these levels and rank reach ({widest:0.###}); choose a smaller one");
            double lo = 0, hi = 1; // the distance is 0 at s = 0 and continuous in s
            for (int i = 0; i < 60; i++)
            {
                double mid = (lo + hi) / 2;
                if (MinDistance(v, mean, counts, mid) < distance) lo = mid; else hi = mid;
            }
            spread = hi;
        }
        for (int c = 0; c < classes; c++)
            for (int t = 0; t < levels; t++) v[c, t] = mean[t] + spread * (v[c, t] - mean[t]);
        double min = v.Cast<double>().Min(), max = v.Cast<double>().Max();
        var data = new float[classes * elements];
        for (int c = 0; c < classes; c++)
            for (int e = 0; e < elements; e++) data[c * elements + e] = (float)(80 * (v[c, type[e]] - min) / (max - min));
        return new LabelBank(p.Name, torch.tensor(data, new long[] { classes, Side, Side }));
    }

    /// <summary>Draws tried for the construction; the one whose classes are farthest apart is kept.</summary>
    public const int Candidates = 32;

    /// <summary>
    /// V = A·G: A (C × r) with a first column of ones and, in the other r − 1 columns, class codes spread over
    /// [−1, 1]^(r−1) (farthest-point picks among 64·C uniform candidates); G (r × L) with a first row of ones and row
    /// k the cosine cos(πk(t + ½)/L) over the types t (the DCT-II basis: orthogonal, bounded, smooth in t). Bounded
    /// entries keep the value range from being set by one outlier, so the classes can sit far apart after the [0, 80]
    /// map; low frequencies over raster-ordered types make smooth label images, which the paper's decoder can draw in
    /// a short training (white-noise labels, like the random kind, train slowly: 10% after 2 epochs on 5%).
    /// </summary>
    private static double[,] Draw(NumpyRandom rng, int classes, int rank, int levels)
    {
        int dims = rank - 1, candidates = 64 * classes;
        var pool = new double[candidates, dims];
        for (int i = 0; i < candidates; i++)
            for (int k = 0; k < dims; k++) pool[i, k] = 2 * rng.NextDouble() - 1;
        var chosen = new List<int> { (int)rng.Interval((uint)(candidates - 1)) };
        var nearest = Enumerable.Range(0, candidates).Select(i => Distance2(pool, i, chosen[0])).ToArray();
        while (chosen.Count < classes)
        {
            int next = Array.IndexOf(nearest, nearest.Max());
            chosen.Add(next);
            for (int i = 0; i < candidates; i++) nearest[i] = Math.Min(nearest[i], Distance2(pool, i, next));
        }
        var a = new double[classes, rank];
        for (int c = 0; c < classes; c++)
        {
            a[c, 0] = 1;
            for (int k = 1; k < rank; k++) a[c, k] = pool[chosen[c], k - 1];
        }
        var g = new double[rank, levels];
        for (int t = 0; t < levels; t++) g[0, t] = 1;
        for (int k = 1; k < rank; k++)
            for (int t = 0; t < levels; t++) g[k, t] = Math.Cos(Math.PI * k * (t + 0.5) / levels);
        var v = new double[classes, levels];
        for (int c = 0; c < classes; c++)
            for (int t = 0; t < levels; t++)
            {
                double sum = 0;
                for (int k = 0; k < rank; k++) sum += a[c, k] * g[k, t];
                v[c, t] = sum;
            }
        return v;
    }

    private static double Distance2(double[,] points, int i, int j)
    {
        double sum = 0;
        for (int k = 0; k < points.GetLength(1); k++) sum += (points[i, k] - points[j, k]) * (points[i, k] - points[j, k]);
        return sum;
    }

    private static double[] ClassMean(double[,] v)
    {
        int classes = v.GetLength(0), levels = v.GetLength(1);
        var mean = new double[levels];
        for (int t = 0; t < levels; t++)
        {
            for (int c = 0; c < classes; c++) mean[t] += v[c, t];
            mean[t] /= classes;
        }
        return mean;
    }

    /// <summary>The minimum pairwise L2 distance of the labels V_s (element type t repeated counts[t] times) after mapping them to [0, 1].</summary>
    private static double MinDistance(double[,] v, double[] mean, int[] counts, double s)
    {
        int classes = v.GetLength(0), levels = v.GetLength(1);
        double min = double.MaxValue, max = double.MinValue;
        for (int c = 0; c < classes; c++)
            for (int t = 0; t < levels; t++)
            {
                double x = mean[t] + s * (v[c, t] - mean[t]);
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }
        double closest = double.MaxValue;
        for (int i = 0; i < classes; i++)
            for (int j = i + 1; j < classes; j++)
            {
                double sq = 0;
                for (int t = 0; t < levels; t++)
                {
                    double d = s * (v[i, t] - v[j, t]) / (max - min);
                    sq += counts[t] * d * d;
                }
                closest = Math.Min(closest, Math.Sqrt(sq));
            }
        return closest;
    }

}
