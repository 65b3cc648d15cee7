using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>
/// Statistics of a label bank as in docs/protocols.md §3: value range, mean Shannon entropy (base 2 over one
/// class label's distinct values, averaged over classes), and pairwise distances between classes after a global
/// min-max normalization to [0, 1] (L2 norm, and mean absolute difference per element), with the closest pair's
/// distance and the numerical rank of the C × d label matrix: the three properties the beyond-the-paper study relates
/// to robustness.
/// </summary>
public sealed record LabelStats(
    string Kind, string Shape, long Dimension, double Min, double Max, double Mean, double Std,
    double Entropy, double EntropyStd, double PairwiseL2, double PairwiseL2Std, double NormalizedL1,
    double MinPairwiseL2 = double.NaN, int Rank = -1)
{
    public static LabelStats Compute(LabelBank bank)
    {
        int classes = bank.ClassCount;
        float[][] rows = Enumerable.Range(0, classes).Select(bank.Row).ToArray();
        float[] all = rows.SelectMany(r => r).ToArray();
        double min = all.Min(), max = all.Max(), mean = all.Average();
        double std = Math.Sqrt(all.Select(v => (v - mean) * (v - mean)).Average());
        double[] entropies = rows.Select(ShannonEntropy).ToArray();
        double eMean = entropies.Average();
        double eStd = Math.Sqrt(entropies.Select(e => (e - eMean) * (e - eMean)).Average());

        double range = max - min;
        var l2 = new List<double>();
        var l1 = new List<double>();
        for (int i = 0; i < classes; i++)
        {
            for (int j = i + 1; j < classes; j++)
            {
                double sq = 0, abs = 0;
                for (int k = 0; k < rows[i].Length; k++)
                {
                    double d = range > 0 ? (rows[i][k] - rows[j][k]) / range : 0;
                    sq += d * d;
                    abs += Math.Abs(d);
                }
                l2.Add(Math.Sqrt(sq));
                l1.Add(abs / rows[i].Length);
            }
        }
        double l2Mean = l2.Count > 0 ? l2.Average() : 0;
        double l2Std = l2.Count > 0 ? Math.Sqrt(l2.Select(v => (v - l2Mean) * (v - l2Mean)).Average()) : 0;
        return new LabelStats(bank.Kind, string.Join("x", bank.LabelShape), bank.Dimension, min, max, mean, std,
            eMean, eStd, l2Mean, l2Std, l1.Count > 0 ? l1.Average() : 0, l2.Count > 0 ? l2.Min() : 0, MatrixRank(bank));
    }

    /// <summary>
    /// Singular values of the C × d matrix in float64 above σ_max · 1e-5 (float32 labels carry relative rounding near
    /// 1e-7, so a rank deficiency of the construction shows as a gap of many orders of magnitude).
    /// </summary>
    public static int MatrixRank(LabelBank bank)
    {
        using var scope = torch.NewDisposeScope();
        var m = bank.Targets.reshape(bank.ClassCount, -1).to_type(ScalarType.Float64).cpu();
        double[] s = torch.linalg.svdvals(m).data<double>().ToArray();
        return s.Length == 0 || s[0] == 0 ? 0 : s.Count(v => v > s[0] * 1e-5);
    }

    /// <summary>skimage.measure.shannon_entropy: −Σ p log2 p over the distinct values.</summary>
    public static double ShannonEntropy(float[] values)
    {
        var counts = values.GroupBy(v => v).Select(g => (double)g.Count()).ToArray();
        double n = values.Length;
        return -counts.Sum(c => c / n * Math.Log2(c / n));
    }
}
