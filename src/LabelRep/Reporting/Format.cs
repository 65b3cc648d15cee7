using System.Globalization;

namespace LabelRep.Reporting;

/// <summary>How the report writes numbers: always with the invariant culture, whatever the process's locale says.</summary>
internal static class Format
{
    public static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private static readonly CultureInfo C = Culture;

    public static string MeanStd(double[] v)
    {
        double mean = v.Average();
        if (v.Length == 1) return mean.ToString("P2", C);
        double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return string.Create(C, $"{mean * 100:F2} ± {std * 100:F2}%");
    }

    /// <summary>A share as signed percentage points with one decimal: "+1.2", "-0.4".</summary>
    public static string Points(double share) => (share * 100).ToString("+0.0;-0.0", C);

    /// <summary>A share as a percentage with one decimal, without the sign: "88.1".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.0", C);

    /// <summary>A number the invariant way ("0.05", never "0,05").</summary>
    public static string Number(double value, string format = "0.###") => value.ToString(format, C);
}
