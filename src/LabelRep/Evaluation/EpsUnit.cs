using System.Globalization;

namespace LabelRep.Evaluation;

/// <summary>
/// The unit an ε is given in: pixels ([0, 1] images, shown as k/255) or normalized units ((x − mean) / std, the
/// paper's). Every table, axis and conversion of ε goes through here.
/// </summary>
public sealed class EpsUnit
{
    public static readonly EpsUnit Pixels = new("pixels", "ε (pixels, ×1/255)", 255);
    public static readonly EpsUnit Normalized = new("normalized", "ε (normalized units)", 1);

    private EpsUnit(string name, string axisTitle, double plotScale)
    {
        Name = name;
        AxisTitle = axisTitle;
        PlotScale = plotScale;
    }

    public string Name { get; }

    /// <summary>The title of a plot's ε axis.</summary>
    public string AxisTitle { get; }

    /// <summary>What ε is multiplied by on a plot's axis (pixels are plotted in 1/255 steps).</summary>
    public double PlotScale { get; }

    /// <summary>ε as a person reads it: "8/255" in pixels, "0.1" in normalized units.</summary>
    public string Format(double eps) =>
        this == Pixels ? (eps * 255).ToString("0.##", CultureInfo.InvariantCulture) + "/255" : eps.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>ε as an L∞ bound in [0, 1] pixel units; a normalized ε moves a pixel by ε · std of its channel (the largest std bounds it).</summary>
    public double ToPixels(double eps, double largestStd) => this == Pixels ? eps : eps * largestStd;

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
