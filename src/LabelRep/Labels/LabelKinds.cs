namespace LabelRep.Labels;

/// <summary>
/// Every label kind by name. "categorical" (class index, cross-entropy) has no bank; every other kind is an
/// <see cref="ILabelKind"/> class found in this assembly, so a new kind is one new file.
/// </summary>
public static class LabelKinds
{
    public const string Categorical = "categorical";

    private static readonly Lazy<Dictionary<string, ILabelKind>> Kinds = new(() =>
        typeof(ILabelKind).Assembly.GetTypes()
            .Where(t => typeof(ILabelKind).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) != null)
            .Select(t => (ILabelKind)Activator.CreateInstance(t)!)
            .ToDictionary(k => k.Name));

    /// <summary>The paper's order: categorical first, then the regression kinds.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    public static bool IsCategorical(string name) => name == Categorical;

    public static ILabelKind Get(string name)
    {
        if (Kinds.Value.TryGetValue(name, out var kind)) return kind;
        throw new LabelRepException($"unknown label kind '{name}'; valid: {string.Join(", ", Names)}");
    }

    public static string Describe(string name) =>
        IsCategorical(name) ? "class index with a linear head and cross-entropy" : Get(name).Description;

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a kind.</summary>
    public static void Validate(string name)
    {
        if (!IsCategorical(name)) Get(name);
    }

    private static IReadOnlyList<string> BuildNames()
    {
        string[] paperOrder = { "speech", "shuffled-speech", "composite", "constant", "random", "lowdim" };
        var names = new List<string> { Categorical };
        names.AddRange(paperOrder.Where(Kinds.Value.ContainsKey));
        names.AddRange(Kinds.Value.Keys.Where(k => !names.Contains(k)).OrderBy(k => k, StringComparer.Ordinal));
        return names;
    }
}
