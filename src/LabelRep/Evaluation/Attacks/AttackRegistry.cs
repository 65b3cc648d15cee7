namespace LabelRep.Evaluation.Attacks;

/// <summary>Every <see cref="IAttack"/> in this assembly by name, so a new attack is one new file.</summary>
public static class AttackRegistry
{
    /// <summary>The attacks in a fixed order: single-step, iterative, gradient-free, transfer; then by name.</summary>
    public static Registry<IAttack> Attacks { get; } = new("attack", all => all.OrderBy(a => a.Family).ThenBy(a => a.Name, StringComparer.Ordinal));

    /// <summary>Names in <see cref="Attacks"/>' order.</summary>
    public static IReadOnlyList<string> Names => Attacks.Names;

    /// <summary>The names of the attacks of one family, e.g. every transfer attack.</summary>
    public static IReadOnlyList<string> NamesOf(AttackFamily family) => Attacks.All.Where(a => a.Family == family).Select(a => a.Name).ToArray();

    public static IAttack Get(string name) => Attacks.Get(name);
}
