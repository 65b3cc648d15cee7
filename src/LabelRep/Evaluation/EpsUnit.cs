using System.Globalization;

namespace LabelRep.Evaluation;

/// <summary>
/// The unit an ε is given in: an L∞ bound in pixels ([0, 1] images, shown as k/255), an L2 or L1 length in pixels
/// (shown as a plain number, 0.5 or 12), or an L∞ bound in normalized units ((x − mean) / std, the paper's). Every
/// table, axis and conversion of ε goes through here, so each names its norm.
/// </summary>
public sealed class EpsUnit
{
    public static readonly EpsUnit Pixels = new("pixels", "L∞ ε (pixels, ×1/255)", 255, Norm.Linf);
    public static readonly EpsUnit Normalized = new("normalized", "L∞ ε (normalized units)", 1, Norm.Linf);
    public static readonly EpsUnit L2Pixels = new("l2-pixels", "L2 ε (pixels in [0, 1])", 1, Norm.L2);
    public static readonly EpsUnit L1Pixels = new("l1-pixels", "L1 ε (pixels in [0, 1])", 1, Norm.L1);

    private EpsUnit(string name, string axisTitle, double plotScale, Norm norm)
    {
        Name = name;
        AxisTitle = axisTitle;
        PlotScale = plotScale;
        Norm = norm;
    }

    /// <summary>The norm that measures ε in this unit.</summary>
    public Norm Norm { get; }

    /// <summary>The unit of an ε of <paramref name="norm"/> in pixel units.</summary>
    public static EpsUnit PixelsOf(Norm norm) => norm == Norm.L2 ? L2Pixels : norm == Norm.L1 ? L1Pixels : Pixels;

    public string Name { get; }

    /// <summary>The title of a plot's ε axis.</summary>
    public string AxisTitle { get; }

    /// <summary>What ε is multiplied by on a plot's axis (pixels are plotted in 1/255 steps).</summary>
    public double PlotScale { get; }

    /// <summary>ε as a person reads it: "8/255" in pixels, "0.1" in normalized units.</summary>
    public string Format(double eps) =>
        this == Pixels ? Norm.Linf.Format(eps) : eps.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>ε with its norm, for text: "L∞ ε = 8/255", "L2 ε = 0.5".</summary>
    public string Named(double eps) => $"{Norm.Symbol} ε = {Format(eps)}";

    /// <summary>ε in [0, 1] pixel units of its norm; a normalized (L∞) ε moves a pixel by ε · std of its channel (the largest std bounds it).</summary>
    public double ToPixels(double eps, double largestStd) => this == Normalized ? eps * largestStd : eps;

    /// <summary>The unit of the protocol named in a result (results carry the protocol's name).</summary>
    public static EpsUnit Of(string protocol) => AttackProtocol.Parse(protocol).Unit;

    /// <summary>
    /// The one check of an ε that a user gives (an attack grid's value, a study's, adversarial training's radius): a
    /// finite number of at least 0, above 0 when <paramref name="positive"/>, at most <paramref name="max"/>.
    /// </summary>
    public static void Check(double eps, string source, bool positive = false, double max = double.MaxValue)
    {
        if (double.IsFinite(eps) && (positive ? eps > 0 : eps >= 0) && eps <= max) return;
        string range = (positive ? "above 0" : "at least 0") + (max < double.MaxValue ? $" and at most {max.ToString(CultureInfo.InvariantCulture)}" : "");
        throw new LabelRepException($"{source} {eps.ToString(CultureInfo.InvariantCulture)}: ε must be a finite number {range} (pixel units, e.g. 8/255)");
    }

    public override string ToString() => Name;
}
