namespace LabelRep.Evaluation.Attacks;

/// <summary>Every <see cref="IAttack"/> in this assembly by name, so a new attack is one new file.</summary>
public static class AttackRegistry
{
    private static readonly Lazy<Dictionary<string, IAttack>> Attacks = new(() =>
        typeof(IAttack).Assembly.GetTypes()
            .Where(t => typeof(IAttack).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) != null)
            .Select(t => (IAttack)Activator.CreateInstance(t)!)
            .ToDictionary(a => a.Name));

    /// <summary>Names in a fixed order: single-step, iterative, gradient-free, transfer; then by name.</summary>
    public static IReadOnlyList<string> Names =>
        Attacks.Value.Values.OrderBy(a => a.Family).ThenBy(a => a.Name, StringComparer.Ordinal).Select(a => a.Name).ToArray();

    /// <summary>The names of the attacks of one family, e.g. every transfer attack.</summary>
    public static IReadOnlyList<string> NamesOf(AttackFamily family) => Names.Where(n => Get(n).Family == family).ToArray();

    public static IAttack Get(string name) =>
        Attacks.Value.TryGetValue(name, out IAttack? attack)
            ? attack
            : throw new LabelRepException($"unknown attack '{name}'; valid: {string.Join(", ", Names)}");
}
