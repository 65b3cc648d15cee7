namespace LabelRep.Labels;

/// <summary>Every label kind by name: each <see cref="ILabelKind"/> class in this assembly, so a new kind is one new file.</summary>
public static class LabelKinds
{
    private static readonly Lazy<Dictionary<string, ILabelKind>> Kinds = new(() =>
        typeof(ILabelKind).Assembly.GetTypes()
            .Where(t => typeof(ILabelKind).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) != null)
            .Select(t => (ILabelKind)Activator.CreateInstance(t)!)
            .ToDictionary(k => k.Name));

    /// <summary>The paper's order: the baseline first, then the paper's kinds, then any others by name.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    /// <summary>The kind every other is compared with (categorical).</summary>
    public static string Baseline { get; } = Kinds.Value.Values.Single(k => k.Role == LabelRole.Baseline).Name;

    public static ILabelKind Get(string name)
    {
        if (Kinds.Value.TryGetValue(name, out var kind)) return kind;
        throw new LabelRepException($"unknown label kind '{name}'; valid: {string.Join(", ", Names)}");
    }

    /// <summary>The role of a kind; an unknown name (a kind removed since a study ran) has none.</summary>
    public static LabelRole? RoleOf(string name) => Kinds.Value.TryGetValue(name, out var kind) ? kind.Role : null;

    public static bool IsBaseline(string name) => name == Baseline;

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a kind.</summary>
    public static void Validate(string name) => Get(name);

    private static IReadOnlyList<string> BuildNames()
    {
        string[] paperOrder = { "speech", "shuffled-speech", "composite", "constant", "random", "lowdim" };
        var names = Kinds.Value.Values.Where(k => k.Role == LabelRole.Baseline).Select(k => k.Name).ToList();
        names.AddRange(paperOrder.Where(Kinds.Value.ContainsKey));
        names.AddRange(Kinds.Value.Keys.Where(k => !names.Contains(k)).OrderBy(k => k, StringComparer.Ordinal));
        return names;
    }
}
