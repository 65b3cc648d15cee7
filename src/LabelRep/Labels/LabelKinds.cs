namespace LabelRep.Labels;

/// <summary>Every label kind by name: each <see cref="ILabelKind"/> class in this assembly, so a new kind is one new file.</summary>
public static class LabelKinds
{
    private static readonly string[] PaperOrder = { "categorical", "speech", "shuffled-speech", "composite", "constant", "random", "lowdim" };

    /// <summary>Every kind, in the paper's order: the baseline first, then the paper's kinds, then any others by name.</summary>
    public static Registry<ILabelKind> Registry { get; } = new("label kind", all => all
        .OrderBy(k => k.Role == LabelRole.Baseline ? -1 : Array.IndexOf(PaperOrder, k.Name) is var i && i < 0 ? int.MaxValue : i)
        .ThenBy(k => k.Name, StringComparer.Ordinal));

    private static readonly Lazy<Dictionary<string, ILabelKind>> Kinds = new(() => Registry.All.ToDictionary(k => k.Name));

    /// <summary>The paper's order: the baseline first, then the paper's kinds, then any others by name.</summary>
    public static IReadOnlyList<string> Names => Registry.Names;

    /// <summary>
    /// What a label name never contains: a study's arm appends its training regime after it ("speech+pgd7-8/255", see
    /// <c>TrainConfig.Arm</c>), so an arm has no role of its own.
    /// </summary>
    public const char ArmSeparator = '+';

    /// <summary>The kind every other is compared with (categorical).</summary>
    public static string Baseline { get; } = Kinds.Value.Values.Single(k => k.Role == LabelRole.Baseline).Name;

    /// <summary>The kind of a label name ("speech", or "controlled:levels=16" with parameters the kind declares).</summary>
    public static ILabelKind Get(string name)
    {
        string kindName = LabelParameters.KindName(name);
        if (!Kinds.Value.TryGetValue(kindName, out var kind))
            throw new LabelRepException($"unknown label kind '{kindName}'; valid: {string.Join(", ", Names)}");
        if (kindName.Length != name.Length) LabelParameters.Parse(name, kind.Parameters);
        return kind;
    }

    /// <summary>The parameters of a label name, checked against what its kind declares.</summary>
    public static LabelParameters Parameters(string name) => LabelParameters.Parse(name, Get(name).Parameters);

    /// <summary>
    /// The role of a label name's kind; an unknown name (a kind removed since a study ran) has none, and neither has a
    /// study's adversarially trained arm ("speech+pgd7-8/255"): the paper's claims are about plain training.
    /// </summary>
    public static LabelRole? RoleOf(string name) =>
        !name.Contains(ArmSeparator) && Kinds.Value.TryGetValue(LabelParameters.KindName(name), out var kind) ? kind.Role : null;

    public static bool IsBaseline(string name) => name == Baseline;

    /// <summary>Whether a label name's kind draws its labels at random (<see cref="ILabelKind.DrawnAtRandom"/>); false for an unknown name or an arm's regime suffix aside.</summary>
    public static bool IsDrawnAtRandom(string name) =>
        Kinds.Value.TryGetValue(LabelParameters.KindName(name.Split(ArmSeparator)[0]), out var kind) && kind.DrawnAtRandom;

    /// <summary>
    /// A comma-separated list of label names whose parameters also use commas: "speech,controlled:levels=16,rank=5" is
    /// speech and controlled:levels=16,rank=5 (a part with '=' and no ':' continues the name before it).
    /// </summary>
    public static string[] SplitList(string list)
    {
        var names = new List<string>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Contains('=') && !part.Contains(':') && names.Count > 0 && names[^1].Contains(':')) names[^1] += "," + part;
            else names.Add(part);
        }
        return names.ToArray();
    }

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a kind, or one clear line when a parameter is wrong.</summary>
    public static void Validate(string name) => Parameters(name);

}
