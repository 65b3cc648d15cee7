using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>One attack of a suite: a registered attack with its loss and the options the suite gives it.</summary>
public sealed record SuiteMember(string Name, string Attack, AttackLoss Loss, IReadOnlyDictionary<string, double> Options)
{
    /// <summary>The member's name in results: "SUITE:MEMBER", e.g. "autoattack:apgd-ce".</summary>
    public string ResultName(AttackSuite suite) => $"{suite.Name}:{Name}";
}

/// <summary>
/// A cascade of attacks (AutoAttack's rule, Croce and Hein 2020): each attack runs only on the images that every
/// earlier one failed to fool, so the strong but costly attacks see few images; an image is robust if it survives all.
/// "autoattack" is AutoAttack's standard version: APGD-CE (100 iterations), APGD-T (9 target classes, 100 iterations
/// each), FAB-T (9 target classes, 100 iterations each) and Square (5,000 queries, p_init 0.8, the schedule on the raw
/// query count).
/// </summary>
public sealed class AttackSuite
{
    private static readonly Dictionary<string, double> None = new();

    /// <summary>The members a custom suite can name.</summary>
    public static IReadOnlyList<SuiteMember> Members { get; } = new[]
    {
        new SuiteMember("apgd-ce", "apgd", AttackLoss.CrossEntropy, None),
        new SuiteMember("apgd-dlr", "apgd", AttackLoss.Dlr, None),
        new SuiteMember("apgd-t", "apgd-t", AttackLoss.Dlr, None),
        new SuiteMember("fab-t", "fab-t", AttackLoss.Margin, None),
        new SuiteMember("apgd-label", "apgd-label", AttackLoss.Label, None),
        new SuiteMember("apgd-label-t", "apgd-label-t", AttackLoss.Label, None),
        new SuiteMember("square", "square", AttackLoss.Margin, new Dictionary<string, double> { ["queries"] = 5000, ["p-init"] = 0.8, ["rescale"] = 0 }),
        new SuiteMember("pgd-margin", "pgd", AttackLoss.Margin, None),
    };

    /// <summary>Every named suite (<see cref="ISuiteRecipe"/> classes): a new one is one small class.</summary>
    public static Registry<ISuiteRecipe> Named { get; } = new("suite");

    public static AttackSuite AutoAttack => Of(Named.Get("autoattack"));

    /// <summary>The suite a recipe names, its members in the recipe's order.</summary>
    public static AttackSuite Of(ISuiteRecipe recipe) => new(recipe.Name, recipe.Members.Select(Member).ToArray());

    public AttackSuite(string name, IReadOnlyList<SuiteMember> members)
    {
        Name = name;
        Attacks = members;
    }

    public string Name { get; }

    public IReadOnlyList<SuiteMember> Attacks { get; }

    /// <summary>"autoattack", or a comma-separated list of members (e.g. "apgd-ce,apgd-t,square"), which is then the suite's name.</summary>
    public static AttackSuite Parse(string text)
    {
        string trimmed = text.Trim();
        if (Named.Find(trimmed) is { } recipe) return Of(recipe);
        string[] names = trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new LabelRepException($"--suite '{text}': give {string.Join(", ", Named.Names)} or a list of {string.Join(", ", Members.Select(m => m.Name))}");
        return new AttackSuite(string.Join("+", names), names.Select(Member).ToArray());
    }

    /// <summary>The member named in a result row ("autoattack:apgd-ce"), or null for a row of no suite.</summary>
    public static SuiteMember? MemberOfResult(string attack) =>
        attack.IndexOf(':') is var colon and > 0 ? Members.FirstOrDefault(m => m.Name == attack[(colon + 1)..]) : null;

    private static SuiteMember Member(string name) =>
        Members.FirstOrDefault(m => m.Name == name)
              ?? throw new LabelRepException($"--suite: unknown member '{name}'; valid: {string.Join(", ", Named.Names)}, or a list of {string.Join(", ", Members.Select(m => m.Name))}");
}

/// <summary>A named suite: its members in cascade order (names of <see cref="AttackSuite.Members"/>).</summary>
public interface ISuiteRecipe : IRegistered
{
    string Description { get; }

    IReadOnlyList<string> Members { get; }
}

/// <summary>"autoattack": AutoAttack's standard version (APGD-CE, APGD-T and FAB-T with 9 targets, Square with 5,000 queries).</summary>
public sealed class AutoAttackSuite : ISuiteRecipe
{
    public string Name => "autoattack";
    public string Description => "AutoAttack's standard version: APGD-CE, APGD-T (9 targets), FAB-T (9 targets), Square (5,000 queries)";
    public IReadOnlyList<string> Members { get; } = new[] { "apgd-ce", "apgd-t", "fab-t", "square" };
}

/// <summary>
/// "adaptive": AutoAttack's standard version with the attacks aimed at label decoders after its white-box members
/// (APGD on the scale-invariant label margin, and the targeted pull toward each top-9 other label), Square last. The
/// label members' rows say how many images AutoAttack's own attacks had left that the decoder-aware ones broke.
/// </summary>
public sealed class AdaptiveSuite : ISuiteRecipe
{
    public string Name => "adaptive";
    public string Description => "AutoAttack's standard version plus the attacks aimed at label decoders: APGD-CE, APGD-T, FAB-T, APGD-label, APGD-label-T (9 targets), Square (5,000 queries)";
    public IReadOnlyList<string> Members { get; } = new[] { "apgd-ce", "apgd-t", "fab-t", "apgd-label", "apgd-label-t", "square" };
}
