using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>Which of untargeted and targeted attacks a sweep runs.</summary>
public enum TargetMode
{
    No,
    Yes,
    Both,
}

/// <summary>What to attack and how: a protocol, the attacks, the ε grid, and the budgets. Null means the protocol's default.</summary>
public sealed record AttackRequest
{
    public AttackProtocol Protocol { get; init; } = AttackProtocol.Standard;
    public IReadOnlyList<string>? Attacks { get; init; }
    public IReadOnlyList<double>? Eps { get; init; }

    /// <summary>A cascade run after the attacks (AutoAttack's rule); its result joins the worst case. Untargeted only.</summary>
    public AttackSuite? Suite { get; init; }
    public TargetMode Targeted { get; init; } = TargetMode.No;

    /// <summary>Attack only the first N test images (0 = all).</summary>
    public int Limit { get; init; }

    /// <summary>Images per attack call; 1 attacks one image at a time, as the official code does.</summary>
    public int BatchSize { get; init; } = 250;

    /// <summary>Values that replace the attacks' defaults, by option name ("steps", "restarts", "queries"; see <see cref="AttackOption"/>).</summary>
    public IReadOnlyDictionary<string, double> Options { get; init; } = new Dictionary<string, double>();

    /// <summary>Seed of the target classes (the official code: torch.manual_seed(444)).</summary>
    public int TargetSeed { get; init; } = 444;

    /// <summary>Seed of random starts and of the Square attack's search.</summary>
    public int Seed { get; init; }

    /// <summary>Run a suite's own checks (APGD at an unbounded ε, budget convergence); off, the attack gate says they did not run.</summary>
    public bool Checks { get; init; } = true;

    /// <summary>The attacks asked for; else none when a suite runs; else the protocol's defaults plus, with a source model, the transfer attacks.</summary>
    public IReadOnlyList<string> AttackNames(bool hasSource)
    {
        if (Attacks is { Count: > 0 }) return Attacks;
        if (Suite != null) return Array.Empty<string>();
        return hasSource ? WithTransfer(Protocol.DefaultAttacks) : Protocol.DefaultAttacks;
    }

    /// <summary><paramref name="attacks"/> and every transfer attack, where the protocol takes them.</summary>
    public IReadOnlyList<string> WithTransfer(IEnumerable<string> attacks) =>
        Protocol.NormalizedSpace ? attacks.ToArray() : attacks.Concat(AttackRegistry.NamesOf(AttackFamily.Transfer)).Distinct().ToArray();

    /// <summary>
    /// The options of <paramref name="attack"/> for this request: the protocol's default, replaced by a suite
    /// <paramref name="member"/>'s budget where it sets one, replaced by the user's value where given (standard protocol only).
    /// </summary>
    public IReadOnlyDictionary<string, double> OptionsFor(IAttack attack, SuiteMember? member = null) =>
        attack.Options.ToDictionary(o => o.Name, o =>
            !Protocol.FixedBudgets && Options.TryGetValue(o.Name, out double v) ? v
            : member != null && member.Options.TryGetValue(o.Name, out double m) ? m
            : o.DefaultFor(Protocol));

    public IReadOnlyList<double> EpsGrid => Eps is { Count: > 0 } ? Eps : Protocol.DefaultEps;

    /// <summary>Everything that decides the sweep's numbers, as text (the resume journal's identity).</summary>
    public string Describe() => string.Join("|", Protocol.Name, string.Join(",", Attacks ?? Array.Empty<string>()),
        string.Join(",", EpsGrid.Select(e => e.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        Suite == null ? "-" : Suite.Name + ":" + string.Join(",", Suite.Attacks.Select(m => m.Name + "=" + string.Join(";", m.Options.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")))),
        Targeted, Limit, BatchSize, string.Join(",", Options.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")),
        TargetSeed, Seed, Checks);

    public void Validate()
    {
        if (BatchSize < 1) throw new LabelRepException($"--batch-size {BatchSize}: must be at least 1");
        if (Limit < 0) throw new LabelRepException($"--limit {Limit}: must be 0 (all) or a positive number of test images");
        AttackOptions.Validate(Options, name => $"--{name}");
        foreach (double e in EpsGrid) EpsUnit.Check(e, "--eps");
        if (Suite != null && Targeted == TargetMode.Yes) throw new LabelRepException("--suite runs untargeted (its members choose their own targets); drop --targeted yes");
        if (Protocol.FixedBudgets && Options.Count > 0)
            throw new LabelRepException($"--{Options.Keys.First()}: --protocol {Protocol.Name} runs the official budgets (5 steps of ε/5); budgets apply to --protocol standard");
    }
}

/// <summary>Reads lists of ε such as "0,0.05,0.1" or "0,1/255,8/255".</summary>
public static class EpsList
{
    public static double[] Parse(string text)
    {
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fraction = part.Split('/');
            bool ok = fraction.Length switch
            {
                1 => double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && Add(v),
                2 => double.TryParse(fraction[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double a)
                     && double.TryParse(fraction[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double b)
                     && b != 0 && Add(a / b),
                _ => false,
            };
            if (!ok) throw new LabelRepException($"--eps '{text}': '{part}' is not a number; give comma-separated values such as 0,0.05,0.1 or 0,1/255,8/255");
        }
        return values.ToArray();

        bool Add(double v)
        {
            values.Add(v);
            return true;
        }
    }
}
