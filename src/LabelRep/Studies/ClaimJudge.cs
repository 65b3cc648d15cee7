using System.Globalization;
using LabelRep.Evaluation;

namespace LabelRep.Studies;

/// <summary>What a standard protocol's robustness claim is judged on.</summary>
public enum JudgeMode
{
    /// <summary>Robust accuracy averaged over the ε grid (the default).</summary>
    Grid,

    /// <summary>Robust accuracy at one named ε of the grid.</summary>
    At,

    /// <summary>The area under R(ε) from 0 to a stated ε, divided by that ε, from the minimum-norm attacks' per-image distances.</summary>
    Area,
}

/// <summary>
/// How a study's spec asks a standard protocol's robustness claim to be judged (<c>attack.judge</c>, keyed by protocol):
/// "grid", "at:EPS" or "area:EPS", EPS in the protocol's unit ("at:8/255", "area:0.5"). The verdict's row says which.
/// The area is the mean over images of min(d, EPS)/EPS, d an image's smallest fooling distance (0 when misclassified
/// before the attack, EPS when no attack found one): 1 for a model no image of which can be fooled within EPS.
/// </summary>
public sealed record ClaimJudge(JudgeMode Mode, double Eps)
{
    public static readonly ClaimJudge Grid = new(JudgeMode.Grid, 0);

    public static ClaimJudge Parse(string text, string source)
    {
        string t = text.Trim();
        if (t == "grid") return Grid;
        int colon = t.IndexOf(':');
        string mode = colon < 0 ? t : t[..colon];
        if (colon > 0 && mode is "at" or "area")
        {
            double[] eps;
            try
            {
                eps = EpsList.Parse(t[(colon + 1)..]);
            }
            catch (LabelRepException)
            {
                eps = Array.Empty<double>();
            }
            if (eps.Length == 1 && double.IsFinite(eps[0]) && eps[0] > 0)
                return new ClaimJudge(mode == "at" ? JudgeMode.At : JudgeMode.Area, eps[0]);
        }
        throw new LabelRepException($"{source} '{text}': give grid, at:EPS or area:EPS with one ε above 0 (e.g. at:8/255, area:0.5)");
    }

    /// <summary>How the verdict's title names the measure, e.g. "the area under R(ε) up to L2 ε = 0.5, from minimal distances".</summary>
    public string Describe(EpsUnit unit) => Mode switch
    {
        JudgeMode.At => $"at {unit.Named(Eps)}",
        JudgeMode.Area => $"on the area under R(ε) up to {unit.Named(Eps)}, from the minimum-norm attacks' distances",
        _ => "mean over the ε grid",
    };

    public override string ToString() => Mode switch
    {
        JudgeMode.At => "at:" + Eps.ToString("R", CultureInfo.InvariantCulture),
        JudgeMode.Area => "area:" + Eps.ToString("R", CultureInfo.InvariantCulture),
        _ => "grid",
    };
}
