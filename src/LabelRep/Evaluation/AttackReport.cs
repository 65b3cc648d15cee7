using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace LabelRep.Evaluation;

/// <summary>
/// One row of attacks.csv: an attack with one loss at one ε. Accuracy counts images classified correctly both
/// before and after the attack, over all images (only those are attacked; the others count as failures);
/// target_hit_rate (targeted only) counts images whose prediction became the target, over all images. Attack "worst-case" counts an image as robust only if it survived every attack and
/// loss at that ε.
/// </summary>
public sealed record AttackResult
{
    public required string Protocol { get; init; }
    public required string Attack { get; init; }
    public required string Loss { get; init; }
    public required bool Targeted { get; init; }
    public required double Eps { get; init; }
    /// <summary>ε in [0, 1] pixel units of the protocol's norm (for the paper protocol, an L∞ bound: ε · the largest channel std).</summary>
    public required double EpsPixels { get; init; }
    public required int Steps { get; init; }
    public required int Restarts { get; init; }
    public required double Accuracy { get; init; }
    public double? TargetHitRate { get; init; }
    public required int Images { get; init; }
    public string? Source { get; init; }
    public required double Seconds { get; init; }
    /// <summary>The cascade this row belongs to ("autoattack"): its members' rows ("autoattack:apgd-ce") give the accuracy after that member, the suite's own row the final one.</summary>
    public string? Suite { get; init; }
    /// <summary>In a cascade, the images this member (or, on the suite's row, the whole cascade) fooled that every earlier one had not.</summary>
    public int? Broke { get; init; }
    /// <summary>Target classes of an attack that aims at several (APGD-T): its budget, which the verdicts' attack-strength gate reads.</summary>
    public int? Targets { get; init; }
    /// <summary>Model queries per image of a gradient-free attack (Square): its budget.</summary>
    public int? Queries { get; init; }
    /// <summary>Forward passes the row's attack spent, summed over the images it attacked (its final prediction included); null on summary rows.</summary>
    public long? Forwards { get; init; }
    /// <summary>Backward passes (input gradients) the row's attack spent, summed over the images it attacked.</summary>
    public long? Backwards { get; init; }

    public const string WorstCase = "worst-case";

    /// <summary>The loss column of a suite's own row.</summary>
    public const string Cascade = "cascade";

    public static readonly string CsvHeader =
        "protocol,norm,attack,loss,targeted,eps,eps_pixels,steps,restarts,accuracy,target_hit_rate,images,source,seconds,suite,broke,targets,queries,forwards,backwards";

    public string ToCsv()
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(",", new[]
        {
            Protocol, Norm.Name, Attack, Loss, Targeted ? "yes" : "no", Eps.ToString("R", c), EpsPixels.ToString("R", c),
            Steps.ToString(c), Restarts.ToString(c), Accuracy.ToString("R", c), TargetHitRate?.ToString("R", c) ?? "",
            Images.ToString(c), Source ?? "", Seconds.ToString("F2", c), Suite ?? "", Broke?.ToString(c) ?? "", Targets?.ToString(c) ?? "",
            Queries?.ToString(c) ?? "", Forwards?.ToString(c) ?? "", Backwards?.ToString(c) ?? "",
        }.Select(CsvField));
    }

    /// <summary>A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break (a source named "controlled:levels=16,rank=5").</summary>
    public static string CsvField(string value) =>
        value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    /// <summary>The threat model of the row's protocol.</summary>
    [JsonIgnore] public Norm Norm => EpsUnit.Of(Protocol).Norm;

    /// <summary>A series is one line in a plot: the same attack, loss and targeting over ε.</summary>
    [JsonIgnore] public string Series => $"{Attack}/{Loss}{(Targeted ? " targeted" : "")}";
}

/// <summary>Which images survived every attack (the worst case) at one ε: <see cref="ImageBits"/> over the sweep's images.</summary>
public sealed record RobustImages(double Eps, bool Targeted, string Bits);

/// <summary>Which member of a suite broke each image at one ε: "" robust, "clean" misclassified before any attack, else the member's name.</summary>
public sealed record SuiteBreaks(double Eps, string[] BrokenBy);

/// <summary>
/// Each sweep image's smallest fooling perturbation that a minimum-norm attack (FAB-T, FMN) found, in the sweep's norm:
/// 0 for an image misclassified before any attack, null where none was found. Robust accuracy at any ε is the share of
/// images whose distance is above ε (null counts as above every ε), which gives the curve R(ε) from one run.
/// </summary>
public sealed record MinimalDistances(string Attack, bool Targeted, double?[] Distances)
{
    /// <summary>Robust accuracy at <paramref name="eps"/>: the share of images whose distance is above it.</summary>
    public double RobustAt(double eps) => Distances.Length == 0 ? 0 : Distances.Count(d => d is not { } v || v > eps) / (double)Distances.Length;
}

/// <summary>A possible sign of gradient masking, found in the numbers (AutoAttack's and Athalye et al.'s checks).</summary>
/// <param name="Series">The attack series the flag is about ("pgd/ce"), or null when it is about the whole evaluation.</param>
public sealed record AttackFlag(string Check, string Message, string? Series = null);

/// <summary>
/// A masking check that ran on a sweep: its name (one of <see cref="AttackDiagnostics"/>'s), whether it passed, on how
/// many images, and what it found. A check that did not run has no record, so the gate can tell "passed" from "never ran".
/// </summary>
public sealed record AttackCheck(string Name, bool Passed, int Images, string Detail);

/// <summary>Everything one sweep measured: the rows, the clean accuracy, the checks that failed.</summary>
public sealed record AttackReport
{
    public required string Protocol { get; init; }
    public required string Run { get; init; }
    public string? Source { get; init; }
    public required int Images { get; init; }
    public required double CleanAccuracy { get; init; }
    /// <summary>Share of images whose attack-loss gradient at the clean input is exactly zero.</summary>
    public required double ZeroGradientShare { get; init; }
    public required bool OfficialQuirks { get; init; }
    public required int BatchSize { get; init; }
    public required double Seconds { get; init; }
    public required IReadOnlyList<AttackResult> Results { get; init; }
    public required IReadOnlyList<AttackFlag> Flags { get; init; }
    /// <summary>The cascade that ran, if any, and per ε which member broke each image.</summary>
    public string? Suite { get; init; }
    public IReadOnlyList<SuiteBreaks> BrokenBy { get; init; } = Array.Empty<SuiteBreaks>();
    /// <summary>Per ε (and targeting), the images robust in the worst case, for paired comparisons across runs.</summary>
    public IReadOnlyList<RobustImages> Robust { get; init; } = Array.Empty<RobustImages>();
    /// <summary>APGD's robust accuracy at ε = 1 (pixels) on up to 100 images, measured with a suite: it must be 0.</summary>
    public double? UnboundedAccuracy { get; init; }
    /// <summary>The attacked classifier's number of classes (what "all the other classes" means for a targeted attack).</summary>
    public int Classes { get; init; }
    /// <summary>The checks that ran, passed or not.</summary>
    public IReadOnlyList<AttackCheck> Checks { get; init; } = Array.Empty<AttackCheck>();
    /// <summary>Per minimum-norm attack of the sweep, every image's smallest fooling perturbation found.</summary>
    public IReadOnlyList<MinimalDistances> Distances { get; init; } = Array.Empty<MinimalDistances>();

    public static string ToCsv(IEnumerable<AttackResult> rows)
    {
        var text = new StringBuilder(AttackResult.CsvHeader).Append('\n');
        foreach (AttackResult row in rows) text.Append(row.ToCsv()).Append('\n');
        return text.ToString();
    }
}
