using System.Globalization;

namespace LabelRep.Reporting;

/// <summary>How the report writes numbers.</summary>
internal static class Format
{
    public static string MeanStd(double[] v)
    {
        double mean = v.Average();
        if (v.Length == 1) return mean.ToString("P2", CultureInfo.InvariantCulture);
        double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return $"{mean * 100:F2} ± {std * 100:F2}%";
    }
}
