using LabelRep.Labels;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// A kind's numbers against its baseline arm, paired for <see cref="SeedImageInterval"/>: per (dataset, model), the
/// runs of each seed both arms ran, paired by the seed's value; or why no pairing exists.
/// </summary>
/// <param name="Runs">The runs the pairs come from (both arms), for the row's scope.</param>
/// <param name="Problem">Why the arms cannot be compared (different seed sets, different images, no per-image results); null when they can.</param>
public sealed record Measured(IReadOnlyList<PairedGroup> Groups, IReadOnlyList<RunResult> Runs, string? Problem)
{
    public int Seeds => Groups.Count == 0 ? 0 : Groups.Min(g => g.Baseline.Length);
}

/// <summary>
/// The per-image numbers the claims compare: for a label kind and its baseline arm, per (dataset, model), per seed
/// (paired by value), per image whether it was classified correctly, or robust (at one ε, or the share of the ε grid).
/// </summary>
internal sealed class ClaimMeasures
{
    private readonly StudyData _data;

    public ClaimMeasures(StudyData data) => _data = data;

    /// <summary>The study's kinds of one role, in the registry's order.</summary>
    public IEnumerable<string> Kinds(LabelRole role) => _data.Labels.Where(l => LabelKinds.RoleOf(l) == role);

    public Measured? Accuracy(string kind, double fraction) => Pairs(kind, fraction, _data.Correct, LabelKinds.Baseline);

    /// <summary>Robust accuracy averaged over the protocol's ε grid (ε &gt; 0), per image.</summary>
    /// <param name="baseline">The arm compared with: the baseline kind (plain training) unless given, e.g. "categorical+pgd7-8/255".</param>
    public Measured? RobustOverGrid(string kind, string protocol, string? baseline = null) =>
        Pairs(kind, _data.MainFraction, run => _data.RobustOverEps(run, protocol), baseline ?? LabelKinds.Baseline, measuredOnly: true);

    /// <summary>Robust accuracy at one ε of the protocol's grid, per image.</summary>
    public Measured? RobustAt(string kind, string protocol, double eps, string? baseline = null) =>
        Pairs(kind, _data.MainFraction, run => _data.RobustAt(run, protocol, eps), baseline ?? LabelKinds.Baseline, measuredOnly: true);

    /// <summary>The area under R(ε) up to <paramref name="upTo"/> (divided by it), from the minimum-norm attacks' per-image distances.</summary>
    public Measured? RobustArea(string kind, string protocol, double upTo, string? baseline = null) =>
        Pairs(kind, _data.MainFraction, run => _data.AreaUpTo(run, protocol, upTo), baseline ?? LabelKinds.Baseline, measuredOnly: true);

    /// <summary>The robustness measure the spec names for <paramref name="protocol"/>'s claim (<c>attack.judge</c>).</summary>
    public Measured? Robust(string kind, string protocol, ClaimJudge judge) => judge.Mode switch
    {
        JudgeMode.At => RobustAt(kind, protocol, judge.Eps),
        JudgeMode.Area => RobustArea(kind, protocol, judge.Eps),
        _ => RobustOverGrid(kind, protocol),
    };

    /// <param name="measuredOnly">Pair only the runs that have the measure (a study attacks some seeds only, <c>attack.seeds</c>); the arms must still share those seeds.</param>
    private Measured? Pairs(string kind, double fraction, Func<RunResult, double[]?> values, string baselineArm, bool measuredOnly = false)
    {
        var groups = new List<PairedGroup>();
        var used = new List<RunResult>();
        foreach (var group in _data.Runs.Where(r => r.Fraction == fraction && (!measuredOnly || values(r) is not null)).GroupBy(r => (r.Dataset, r.Model)))
        {
            var (others, otherValues) = StudyData.BySeed(group, kind, values);
            var (baselines, baseValues) = StudyData.BySeed(group, baselineArm, values);
            if (others.Length == 0 || baselines.Length == 0) continue;
            int[] otherSeeds = others.Select(r => r.Seed).ToArray(), baseSeeds = baselines.Select(r => r.Seed).ToArray();
            string where = $"{group.Key.Dataset} {group.Key.Model}";
            if (!otherSeeds.SequenceEqual(baseSeeds))
                return new Measured(groups, used, $"{kind} has seeds {string.Join(", ", otherSeeds)} and {baselineArm} {string.Join(", ", baseSeeds)} on {where}; " +
                                                  "arms are compared only on the same seeds (finish or rerun the missing runs)");
            var baseline = new List<double[]>();
            var other = new List<double[]>();
            for (int s = 0; s < baseSeeds.Length; s++)
            {
                double[]? bv = baseValues[s], ov = otherValues[s];
                if (bv is null || ov is null)
                    return new Measured(groups, used, "no per-image results for these runs (a study from an older LabelRep, or a measure it did not take): rerun the study to get intervals");
                if (bv.Length != ov.Length)
                    return new Measured(groups, used, $"{kind} and {baselineArm} were measured on different images on {where} (seed {baseSeeds[s]})");
                baseline.Add(bv);
                other.Add(ov);
                used.Add(baselines[s]);
                used.Add(others[s]);
            }
            groups.Add(new PairedGroup(baseline.ToArray(), other.ToArray()));
        }
        return groups.Count > 0 ? new Measured(groups, used, null) : null;
    }
}
