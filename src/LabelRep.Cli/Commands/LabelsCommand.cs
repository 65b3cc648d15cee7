using System.CommandLine;
using System.Text.Json;
using LabelRep.Data;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Runs;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep labels make|stats</c>: write label banks (.npy + PNGs) and print their statistics.</summary>
public static class LabelsCommand
{
    public static Command Create()
    {
        var command = new Command("labels", "Make label banks and measure them");
        command.Subcommands.Add(Make());
        command.Subcommands.Add(Stats());
        return command;
    }

    /// <summary>The dataset and label options of both subcommands.</summary>
    private static TrainOptions Common(Command c)
    {
        var o = new TrainOptions();
        foreach (var opt in new Option[] { o.Dataset, o.DataDir, o.LabelsFile, o.LabelSeed, o.Voice, o.AudioDir, o.LowDim }) c.Options.Add(opt);
        return o;
    }

    private static DatasetInfo Dataset(ParseResult r, TrainOptions o) => DatasetRegistry.Open(r.GetValue(o.Dataset)!, r.GetValue(o.DataDir)).Info;

    private static Command Make()
    {
        var command = new Command("make", "Write a label bank as .npy (C×64×64 or C×d float32) and one PNG per class");
        var o = Common(command);
        var kind = new Option<string>("--kind") { Description = $"label kind: {string.Join(", ", LabelKinds.Names)}", Required = true };
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "labels" };
        command.Options.Add(kind);
        command.Options.Add(output);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            DatasetInfo dataset = Dataset(r, o);
            string name = r.GetValue(kind)!;
            using var bank = o.ToLabelOptions(r).BankFor(name, dataset);
            string dir = r.GetValue(output)!;
            string stem = $"{FileNames.Safe(dataset.Name)}_{FileNames.Safe(name)}";
            string npy = Path.Combine(dir, stem + ".npy");
            LabelBankFile.Write(npy, bank);
            float min = bank.Targets.min().item<float>(), max = bank.Targets.max().item<float>();
            for (int c = 0; c < bank.ClassCount; c++)
            {
                string cls = dataset.ClassNames[c];
                LabelImages.WritePng(Path.Combine(dir, stem, $"{c:D3}_{FileNames.Safe(cls)}.png"), bank.Row(c), bank.LabelShape, $"{c}: {cls}", min, max);
            }
            Console.WriteLine($"wrote {Path.GetFullPath(npy)} ({bank.ClassCount}×{string.Join("×", bank.LabelShape)}) and {bank.ClassCount} PNGs in {Path.GetFullPath(Path.Combine(dir, stem))}");
            return 0;
        }));
        return command;
    }

    private static Command Stats()
    {
        var command = new Command("stats", "Per label kind: shape, value range, entropy and distances between classes (paper §3.11)");
        var o = Common(command);
        var kinds = new Option<string>("--kinds") { Description = "comma-separated label names, parameters allowed (e.g. speech,controlled:levels=16,rank=5; default: every kind)", DefaultValueFactory = _ => "" };
        var json = new Option<string?>("--json") { Description = "also write the table to this JSON file" };
        command.Options.Add(kinds);
        command.Options.Add(json);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            DatasetInfo dataset = Dataset(r, o);
            LabelOptions options = o.ToLabelOptions(r);
            var names = LabelKinds.SplitList(r.GetValue(kinds)!);
            if (names.Length == 0) names = LabelKinds.Names.ToArray();
            var stats = new List<LabelStats>();
            foreach (string name in names)
            {
                using var bank = options.BankFor(name, dataset);
                stats.Add(LabelStats.Compute(bank));
            }
            Console.WriteLine($"{dataset.Name}, {dataset.ClassCount} classes");
            var c = System.Globalization.CultureInfo.InvariantCulture;
            Tables.Print(new[] { "kind", "shape", "dim", "min", "max", "mean", "std", "entropy (bits)", "pairwise L2", "min L2", "rank", "norm. L1" },
                stats.Select(s => new[]
                {
                    s.Kind, s.Shape, s.Dimension.ToString(c), s.Min.ToString("F3", c), s.Max.ToString("F3", c), s.Mean.ToString("F3", c), s.Std.ToString("F3", c),
                    $"{s.Entropy.ToString("F3", c)} ± {s.EntropyStd.ToString("F3", c)}", $"{s.PairwiseL2.ToString("F2", c)} ± {s.PairwiseL2Std.ToString("F2", c)}", s.MinPairwiseL2.ToString("F2", c), s.Rank.ToString(c),
                    s.NormalizedL1.ToString("F3", c),
                }), textColumns: 2);
            if (r.GetValue(json) is { } path)
            {
                AtomicFile.WriteText(path, JsonSerializer.Serialize(new { dataset = dataset.Name, kinds = stats }, TrainConfig.Json));
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            return 0;
        }));
        return command;
    }
}
