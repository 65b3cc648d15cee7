namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Every option the registered attacks declare (<see cref="IAttack.Options"/>), once per name: the source of the CLI's
/// budget flags, of their validation and of the docs' option table. Two attacks that declare the same name must agree
/// on its unit and range (a test checks this).
/// </summary>
public static class AttackOptions
{
    /// <summary>One option with the attacks that declare it.</summary>
    public sealed record Declared(AttackOption Option, IReadOnlyList<IAttack> Attacks)
    {
        /// <summary>The defaults per attack, e.g. "bim 10, pgd 20 (paper protocols: 5)".</summary>
        public string Defaults
        {
            get
            {
                var own = Attacks.Select(a => (a.Name, Option: a.Options.Single(o => o.Name == Option.Name))).ToArray();
                string standard = string.Join(", ", own.Select(x => $"{x.Name} {Format(x.Option.Standard)}"));
                var paper = own.Where(x => x.Option.Paper != x.Option.Standard).Select(x => $"{x.Name} {Format(x.Option.Paper)}").ToArray();
                return paper.Length == 0 ? standard : $"{standard} (paper protocols: {string.Join(", ", paper)})";
            }
        }

        /// <summary>The option's help line: what it is, for which attacks, its range and defaults.</summary>
        public string Help => $"{Option.Description} ({string.Join(", ", Attacks.Select(a => a.Name))}); {Option.Range}; default {Defaults}";
    }

    private static readonly Lazy<IReadOnlyList<Declared>> Catalogue = new(() =>
        AttackRegistry.Attacks.All.SelectMany(a => a.Options.Select(o => (Attack: a, Option: o)))
            .GroupBy(x => x.Option.Name)
            .Select(g => new Declared(g.First().Option, g.Select(x => x.Attack).ToArray()))
            .ToArray());

    /// <summary>Every declared option, in the order the attacks declare them.</summary>
    public static IReadOnlyList<Declared> All => Catalogue.Value;

    public static Declared? Find(string name) => All.FirstOrDefault(d => d.Option.Name == name);

    public static Declared Get(string name) =>
        Find(name) ?? throw new LabelRepException($"unknown attack option '{name}'; valid: {string.Join(", ", All.Select(d => d.Option.Name))}");

    /// <summary>The one validation of user-given option values; <paramref name="source"/> formats where a value came from.</summary>
    public static void Validate(IReadOnlyDictionary<string, double> values, Func<string, string> source)
    {
        foreach (var (name, value) in values) Get(name).Option.Check(value, source(name));
    }

    /// <summary>The options as a Markdown table (docs/protocols.md holds it; a test keeps the two equal).</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string> { "| option | spec key | what | attacks | valid | default |", "|---|---|---|---|---|---|" };
        foreach (Declared d in All)
            lines.Add($"| `--{d.Option.Name}` | `{d.Option.SpecKey}` | {d.Option.Description} | {string.Join(", ", d.Attacks.Select(a => a.Name))} | {d.Option.Range} | {d.Defaults} |");
        return string.Join("\n", lines);
    }

    private static string Format(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
