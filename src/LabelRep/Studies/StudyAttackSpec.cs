using System.Text.Json;
using System.Text.Json.Serialization;
using LabelRep.Evaluation;

namespace LabelRep.Studies;

/// <summary>How a study attacks its main runs (those at <see cref="StudySpec.MainFraction"/>).</summary>
public sealed record StudyAttackSpec
{
    /// <summary>Any of "paper" (the official attacks), "paper-fixed" (their bugs fixed) and "standard"; empty for no attacks.</summary>
    public string[] Protocols { get; init; } = { "paper", "paper-fixed", "standard" };
    /// <summary>Test images attacked (0 = all).</summary>
    public int Limit { get; init; } = 1000;
    /// <summary>The seeds whose main runs are attacked (null: every seed): fewer runs at full strength rather than more at less.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? Seeds { get; init; }
    public string[]? StandardAttacks { get; init; }
    public string[]? PaperAttacks { get; init; }
    /// <summary>The standard L∞ protocol's ε grid (pixels); null: the protocol's default.</summary>
    public double[]? StandardEps { get; init; }

    /// <summary>The ε grid of the standard protocol in another norm, by norm ("l2": [0, 0.25, 0.5]); a norm left out takes its protocol's default grid.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, double[]>? NormEps { get; init; }

    /// <summary>
    /// How each standard protocol's robustness claim is judged, by protocol name ("standard": "area:8/255", "standard-l2":
    /// "at:0.5"): "grid" (the default: the mean over the ε grid), "at:EPS" (one ε of the grid) or "area:EPS" (the area
    /// under R(ε) up to EPS from the minimum-norm attacks' distances; needs fab-t or fmn among standard_attacks).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Judge { get; init; }

    /// <summary>The ε grid of <paramref name="protocol"/>: the paper's, the L∞ standard one's, or the norm's; null: the protocol's default.</summary>
    public double[]? EpsFor(AttackProtocol protocol) =>
        protocol.NormalizedSpace ? PaperEps : protocol.Norm == Norm.Linf ? StandardEps : NormEps?.GetValueOrDefault(protocol.Norm.Name);

    /// <summary>How <paramref name="protocol"/>'s robustness claim is judged (validated with the spec).</summary>
    public ClaimJudge JudgeFor(string protocol) =>
        Judge?.GetValueOrDefault(protocol) is { } text ? ClaimJudge.Parse(text, $"attack.judge.{protocol}") : ClaimJudge.Grid;
    public double[]? PaperEps { get; init; }
    public int? Steps { get; init; }
    /// <summary>Square's queries per image; null: the attack's (or its suite's) own budget, 500 alone and 5,000 in autoattack.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Queries { get; init; }
    /// <summary>Target classes of APGD-T (the suite's and a standalone one's); null: the attack's default, 9.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Targets { get; init; }
    /// <summary>Random restarts of PGD and APGD; null: the attacks' default, 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Restarts { get; init; }
    /// <summary>Square's initial square share; null: the attack's (or the suite's) default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PInit { get; init; }
    /// <summary>Square's schedule stretched to 10,000 queries (1) or on the raw count (0); null: the attack's (or the suite's) default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Rescale { get; init; }
    /// <summary>Also run the transfer attack from the categorical run of the same dataset, model and seed.</summary>
    public bool Transfer { get; init; } = true;

    /// <summary>A cascade (e.g. "autoattack") run with the standard protocol's attacks; its result joins their worst case.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Suite { get; init; }

    /// <summary>
    /// The spec's budget keys as attack options, by the declared option's name: every declared
    /// <see cref="Evaluation.Attacks.AttackOption"/> whose <c>SpecKey</c> names a property here (a test checks that each
    /// has one), where given: a key left out leaves every attack and suite member its own budget. Validated by the declarations.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, double> Options
    {
        get
        {
            var options = new Dictionary<string, double>();
            foreach (var declared in Evaluation.Attacks.AttackOptions.All)
                if (BudgetKeys.TryGetValue(declared.Option.SpecKey, out var property) && property.GetValue(this) is { } value)
                    options[declared.Option.Name] = System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            return options;
        }
    }

    /// <summary>This record's properties by their spec key (snake_case), for <see cref="Options"/>.</summary>
    private static readonly Dictionary<string, System.Reflection.PropertyInfo> BudgetKeys =
        typeof(StudyAttackSpec).GetProperties().ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));

    /// <summary>What a cell asks its attacks for under <paramref name="protocol"/> (with the transfer attacks when <paramref name="transfer"/>); <c>study plan</c> prices the same request.</summary>
    public AttackRequest RequestFor(AttackProtocol protocol, bool transfer)
    {
        bool paper = protocol.NormalizedSpace; // both of the paper's protocols; their budgets are the official ones
        var request = new AttackRequest
        {
            Protocol = protocol,
            Attacks = paper ? PaperAttacks : StandardAttacks,
            Eps = EpsFor(protocol),
            Limit = Limit,
            Options = paper ? new Dictionary<string, double>() : Options,
            Targeted = paper ? TargetMode.Both : TargetMode.No,
            Suite = !paper && Suite != null ? AttackSuite.Parse(Suite) : null,
        };
        if (request.Suite != null) request = request with { Attacks = request.Attacks ?? protocol.DefaultAttacks };
        return transfer ? request with { Attacks = request.WithTransfer(request.Attacks ?? protocol.DefaultAttacks) } : request;
    }
}
