using LabelRep.Labels;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// The per-image numbers the claims compare, paired for the bootstrap: for a label kind and the baseline, per
/// (dataset, model), the runs of each seed in the spec's seed order, and per image whether it was classified
/// correctly or the share of ε &gt; 0 at which it stayed robust in the worst case.
/// </summary>
internal sealed class ClaimMeasures
{
    private readonly StudyData _data;

    public ClaimMeasures(StudyData data) => _data = data;

    /// <summary>Why a measure is missing, when it is.</summary>
    public string Missing { get; private set; } = "not measured in this study";

    /// <summary>The study's kinds of one role, in the registry's order.</summary>
    public IEnumerable<string> Kinds(LabelRole role) => _data.Labels.Where(l => LabelKinds.RoleOf(l) == role);

    public IReadOnlyList<PairedGroup>? Accuracy(string kind, double fraction) => Pairs(kind, fraction, _data.Correct);

    /// <param name="baseline">The arm compared with: the baseline kind (plain training) unless given, e.g. "categorical+pgd7-8/255".</param>
    public IReadOnlyList<PairedGroup>? Robust(string kind, string protocol, string? baseline = null) =>
        Pairs(kind, _data.MainFraction, run => _data.RobustOverEps(run, protocol), baseline ?? LabelKinds.Baseline);

    private IReadOnlyList<PairedGroup>? Pairs(string kind, double fraction, Func<RunResult, double[]?> values, string? baselineArm = null)
    {
        var groups = new List<PairedGroup>();
        foreach (var group in _data.Runs.Where(r => r.Fraction == fraction).GroupBy(r => (r.Dataset, r.Model)))
        {
            var baseline = new List<double[]>();
            var other = new List<double[]>();
            foreach (int seed in _data.Spec.Seeds)
            {
                RunResult? b = group.FirstOrDefault(r => r.Seed == seed && r.Label == (baselineArm ?? LabelKinds.Baseline));
                RunResult? o = group.FirstOrDefault(r => r.Seed == seed && r.Label == kind);
                if (b is null || o is null) continue;
                double[]? bv = values(b), ov = values(o);
                if (bv is null || ov is null)
                {
                    Missing = "no per-image results (a study from an older LabelRep: rerun it to get intervals)";
                    return null;
                }
                if (bv.Length != ov.Length) continue; // attacked on different images: not comparable
                baseline.Add(bv);
                other.Add(ov);
            }
            if (baseline.Count > 0) groups.Add(new PairedGroup(baseline.ToArray(), other.ToArray()));
        }
        return groups.Count > 0 ? groups : null;
    }
}
