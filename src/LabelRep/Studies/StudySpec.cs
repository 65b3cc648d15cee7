using System.Text.Json;
using System.Text.Json.Serialization;
using LabelRep.Labels;
using LabelRep.Runs;

namespace LabelRep.Studies;

/// <summary>
/// A study: the grid datasets × models × labels × seeds × fractions, how to train each run, and what to measure on
/// the main runs (attacks, t-SNE of features). Read from JSON or YAML (snake_case keys) or taken from a preset.
/// </summary>
public sealed partial record StudySpec
{
    public string Name { get; init; } = "study";
    public string Description { get; init; } = "";
    public string[] Datasets { get; init; } = { "fashion-mnist" };
    public string? DataDir { get; init; }
    public string[] Models { get; init; } = { "smallcnn" };
    public string[] Labels { get; init; } = LabelKinds.Names.ToArray();
    public int[] Seeds { get; init; } = { 7 };
    /// <summary>Seeds of the data-efficiency runs (the fractions other than the main one); null: <see cref="Seeds"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? SweepSeeds { get; init; }
    /// <summary>Training fractions of the data-efficiency sweep; the main fraction is always included.</summary>
    public double[] Fractions { get; init; } = { 1.0 };
    /// <summary>The runs that are attacked and whose features are embedded.</summary>
    public double MainFraction { get; init; } = 1.0;
    public int Epochs { get; init; } = 3;

    /// <summary>The largest grid this study may have (null: <see cref="DefaultMaxCells"/>, 10,000 cells).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxCells { get; init; }
    /// <summary>Small fractions train for more epochs until they make at least this many steps (0: the paper's fixed epochs).</summary>
    public int MinSteps { get; init; }
    /// <summary>null: lr × gamma after 1/2 and 3/4 of the epochs (the paper's 300 and 450 of 600).</summary>
    public int[]? Milestones { get; init; }
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.1;
    public int? ValidationCount { get; init; }
    public int TestLimit { get; init; }
    public StudyAttackSpec Attack { get; init; } = new();
    /// <summary>
    /// Training regimes, each a full copy of the grid: "plain", and "adversarial" (with <see cref="Adversarial"/>'s
    /// settings). Adversarial runs appear in results as their own arm, "LABEL+pgd7-8/255".
    /// </summary>
    /// Null (left out of the JSON, so specs from before keep their identity): plain only.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Training { get; init; }
    /// <summary>The adversarial regime's PGD settings (used when <see cref="Training"/> lists "adversarial"); null: PGD-7 at 8/255.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdversarialTraining? Adversarial { get; init; }

    /// <summary>The training regimes the grid runs (<see cref="Training"/>, or plain).</summary>
    [JsonIgnore] public string[] Regimes => Training ?? new[] { "plain" };

    /// <summary>The adversarial regime's settings (<see cref="Adversarial"/>, or the defaults).</summary>
    [JsonIgnore] public AdversarialTraining AdversarialSettings => Adversarial ?? new();

    /// <summary>Test images embedded with t-SNE per label kind (first seed, main fraction); 0 for none.</summary>
    public int TsneImages { get; init; } = 500;

    /// <summary>Label bank files per dataset and kind (e.g. the official repository's cifar10_speech.npy) instead of generated banks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, Dictionary<string, string>>? LabelFiles { get; init; }

    /// <summary>
    /// The official repository's banks found in <paramref name="dir"/> for this spec's datasets and kinds, by their
    /// official file names (DATASET_NAME.npy with the kind's <see cref="ILabelKind.OfficialName"/>: cifar10_uniform.npy is constant).
    /// </summary>
    public StudySpec WithLabelsDir(string dir)
    {
        if (!Directory.Exists(dir)) throw new LabelRepException($"--labels-dir {dir}: no such folder");
        var files = new Dictionary<string, Dictionary<string, string>>();
        foreach (string dataset in Datasets)
        {
            foreach (string label in Labels)
            {
                string path = Path.GetFullPath(Path.Combine(dir, $"{IO.FileNames.Safe(dataset)}_{LabelKinds.Get(label).OfficialName}.npy"));
                if (!File.Exists(path) || LabelKinds.IsBaseline(label)) continue;
                if (!files.TryGetValue(dataset, out var kinds)) files[dataset] = kinds = new Dictionary<string, string>();
                kinds[label] = path;
            }
        }
        if (files.Count == 0)
            throw new LabelRepException($"--labels-dir {dir}: no bank for this study's datasets and kinds (looked for names such as {Datasets[0]}_speech.npy)");
        return this with { LabelFiles = files };
    }

    /// <summary>Strict reading: an unknown key (a typo such as "epoch"), a duplicate key or a null where a value is needed is an error.</summary>

    private static readonly JsonSerializerOptions Json = new(TrainConfig.Json)
    {
        ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, AllowDuplicateProperties = false,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static StudySpec FromJson(string json, string source) =>
        IO.JsonFile.Parse<StudySpec>(json, source, "study spec", Json, "'labelrep study --preset quick --print-spec' shows every key a spec can have");

    /// <summary>Reads a spec from a .json, .yaml or .yml file.</summary>
    public static StudySpec Read(string path)
    {
        if (!Path.Exists(path)) throw new LabelRepException($"--spec {path}: no such file");
        string text = IO.InputFile.ReadAllText(path, "study spec", 1 << 20);
        bool yaml = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        StudySpec spec = FromJson(yaml ? YamlToJson.Convert(text, path) : text, path);
        try
        {
            spec.Validate();
        }
        catch (LabelRepException e)
        {
            throw new LabelRepException($"{path}: {e.Message}");
        }
        return spec;
    }
}
