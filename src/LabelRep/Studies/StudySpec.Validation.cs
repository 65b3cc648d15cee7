using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Models;

namespace LabelRep.Studies;

/// <summary>A spec's validation: every named thing exists and every number is in range, before anything runs.</summary>
public sealed partial record StudySpec
{
    /// <summary>Every named dataset, model, label and protocol exists; numbers are in range.</summary>
    public void Validate()
    {
        if (!SafeName().IsMatch(Name) || Name is "." or "..")
            throw new LabelRepException($"study name '{Name}': use letters, digits, '.', '-' and '_' (it names the folder studies/NAME)");
        foreach (string d in Datasets) DatasetRegistry.Validate(d);
        foreach (string m in Models) ModelRegistry.Validate(m);
        foreach (string l in Labels) LabelKinds.Validate(l);
        if (Labels.Distinct().Count() != Labels.Length) throw new LabelRepException($"study '{Name}': a label is listed twice");
        if (Regimes.Length == 0 || Regimes.Any(t => t is not ("plain" or "adversarial")) || Regimes.Distinct().Count() != Regimes.Length)
            throw new LabelRepException($"study '{Name}': training [{string.Join(", ", Regimes)}] must list plain and/or adversarial, each once");
        try
        {
            AdversarialSettings.Validate();
        }
        catch (LabelRepException e)
        {
            throw new LabelRepException($"study '{Name}': adversarial: {e.Message.Replace("--adv-", "").Replace("--adversarial", "attack")}");
        }
        foreach (string p in Attack.Protocols) AttackProtocol.Parse(p);
        // Before anything is built: a grid of a million cells would fill the memory of every command that reads it.
        long cells = CellCount(), limit = MaxCells ?? DefaultMaxCells;
        Require(MaxCells is null or >= 1, "max_cells", MaxCells ?? 0, "at least 1");
        if (cells > limit)
            throw new LabelRepException($"study '{Name}': the grid has {cells:N0} cells ({Datasets.Length} dataset(s) × {Models.Length} model(s) × {Regimes.Length} regime(s) × "
                + $"{Labels.Length} label(s) × seeds, over {AllFractions.Length} fraction(s)), above the limit of {limit:N0}; set max_cells in the spec to run a grid this large");
        if (Attack.Suite != null) AttackSuite.Parse(Attack.Suite);
        foreach (var (dataset, kinds) in LabelFiles ?? new())
        {
            foreach (var (label, path) in kinds)
            {
                if (!Datasets.Contains(dataset)) throw new LabelRepException($"study '{Name}': label_files names dataset '{dataset}', which the study does not train");
                LabelKinds.Validate(label);
                if (!File.Exists(path)) throw new LabelRepException($"study '{Name}': label file {path} ({dataset}, {label}) does not exist");
            }
        }
        if (Seeds.Length == 0 || Labels.Length == 0 || Models.Length == 0 || Datasets.Length == 0)
            throw new LabelRepException($"study '{Name}': datasets, models, labels and seeds must each name at least one");
        foreach (double f in AllFractions)
            if (!(f > 0 && f <= 1)) throw new LabelRepException($"study '{Name}': fraction {f} must be in (0, 1]");
        if (Seeds.Distinct().Count() != Seeds.Length) throw new LabelRepException($"study '{Name}': a seed is listed twice");
        if (SweepSeeds is { } sweep && (sweep.Length == 0 || sweep.Distinct().Count() != sweep.Length))
            throw new LabelRepException($"study '{Name}': sweep_seeds must name at least one seed, each once (leave it out to use seeds)");
        Require(Epochs is >= 1 and <= 100_000, "epochs", Epochs, "from 1 to 100,000");
        Require(MinSteps is >= 0 and <= 10_000_000, "min_steps", MinSteps, "from 0 to 10,000,000");
        Require(BatchSize is >= 2 and <= 1 << 20, "batch_size", BatchSize, "at least 2");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "a positive number");
        Require(ValidationCount is null or >= 1, "validation_count", ValidationCount ?? 0, "at least 1");
        Require(TestLimit >= 0, "test_limit", TestLimit, "0 (all) or more");
        Require(TsneImages is >= 0 and <= 20_000, "tsne_images", TsneImages, "from 0 to 20,000");
        Require(Milestones is null || Milestones.All(m => m >= 1), "milestones", 0, "positive epoch counts");
        Require(Attack.Limit >= 0, "attack.limit", Attack.Limit, "0 (all) or more");
        foreach (int seed in Attack.Seeds ?? Array.Empty<int>())
            if (!Seeds.Contains(seed)) throw new LabelRepException($"study '{Name}': attack.seeds {seed} is not one of the study's seeds ({string.Join(", ", Seeds)})");
        Evaluation.Attacks.AttackOptions.Validate(Attack.Options, option => $"study '{Name}': attack.{Evaluation.Attacks.AttackOptions.Get(option).Option.SpecKey}");
        foreach (double e in (Attack.StandardEps ?? Array.Empty<double>()).Concat(Attack.PaperEps ?? Array.Empty<double>()))
            EpsUnit.Check(e, $"study '{Name}': attack eps");
        foreach (string a in (Attack.StandardAttacks ?? Array.Empty<string>()).Concat(Attack.PaperAttacks ?? Array.Empty<string>()))
            Evaluation.Attacks.AttackRegistry.Get(a);
        foreach (var (norm, grid) in Attack.NormEps ?? new Dictionary<string, double[]>())
        {
            Norm parsed = Norm.Parse(norm, $"study '{Name}': attack.norm_eps key");
            foreach (double e in grid ?? Array.Empty<double>()) EpsUnit.Check(e, $"study '{Name}': attack.norm_eps.{parsed.Name}");
        }
        foreach (var (protocol, text) in Attack.Judge ?? new Dictionary<string, string>())
        {
            AttackProtocol rules = AttackProtocol.Parse(protocol);
            if (!rules.IsStandard || !Attack.Protocols.Contains(protocol))
                throw new LabelRepException($"study '{Name}': attack.judge.{protocol}: judges a standard protocol the study runs ({string.Join(", ", Attack.Protocols.Where(p => AttackProtocol.Parse(p).IsStandard))})");
            ClaimJudge judge = ClaimJudge.Parse(text ?? "", $"study '{Name}': attack.judge.{protocol}");
            double[] grid = Attack.EpsFor(rules) ?? rules.DefaultEps.ToArray();
            if (judge.Mode == JudgeMode.At && !grid.Any(e => Math.Abs(e - judge.Eps) < 1e-9))
                throw new LabelRepException($"study '{Name}': attack.judge.{protocol} '{text}': ε {rules.Unit.Format(judge.Eps)} is not in the protocol's grid ({string.Join(", ", grid.Select(rules.Unit.Format))})");
            if (judge.Mode == JudgeMode.Area && !(Attack.StandardAttacks ?? rules.DefaultAttacks.ToArray()).Any(a => Evaluation.Attacks.AttackRegistry.Get(a) is Evaluation.Attacks.IMinimalAttack))
                throw new LabelRepException($"study '{Name}': attack.judge.{protocol} '{text}': the area under R(ε) needs a minimum-norm attack (fab-t or fmn) in attack.standard_attacks");
        }
    }

    private void Require(bool ok, string key, double value, string what)
    {
        if (!ok) throw new LabelRepException($"study '{Name}': {key} {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be {what}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9._-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex SafeName();
}
