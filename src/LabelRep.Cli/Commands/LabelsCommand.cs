using System.CommandLine;
using System.Text.Json;
using LabelRep.Data;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Training;

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

    private static (Option<string> Dataset, Option<string?> DataDir, Option<int> Seed, Option<string> Voice, Option<string?> AudioDir, Option<int> LowDim) Common(Command c)
    {
        var o = new TrainOptions();
        foreach (var opt in new Option[] { o.Dataset, o.DataDir, o.LabelSeed, o.Voice, o.AudioDir, o.LowDim }) c.Options.Add(opt);
        return (o.Dataset, o.DataDir, o.LabelSeed, o.Voice, o.AudioDir, o.LowDim);
    }

    private static LabelContext Context(ParseResult r, (Option<string> Dataset, Option<string?> DataDir, Option<int> Seed, Option<string> Voice, Option<string?> AudioDir, Option<int> LowDim) o) =>
        new(DatasetRegistry.Open(r.GetValue(o.Dataset)!, r.GetValue(o.DataDir)).Info, new LabelOptions
        {
            LabelSeed = r.GetValue(o.Seed), Voice = r.GetValue(o.Voice)!, AudioDir = r.GetValue(o.AudioDir), LowDim = r.GetValue(o.LowDim),
        });

    private static LabelBank Build(string kind, LabelContext context) =>
        LabelKinds.IsCategorical(kind) ? LabelStats.OneHot(context.Dataset.ClassCount) : LabelKinds.Get(kind).Build(context);

    private static Command Make()
    {
        var command = new Command("make", "Write a label bank as .npy (C×64×64 or C×d float32) and one PNG per class");
        var o = Common(command);
        var kind = new Option<string>("--kind") { Description = $"label kind: {string.Join(", ", LabelKinds.Names.Skip(1))}", Required = true };
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "labels" };
        command.Options.Add(kind);
        command.Options.Add(output);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            var context = Context(r, o);
            string name = r.GetValue(kind)!;
            if (LabelKinds.IsCategorical(name)) throw new LabelRepException("categorical labels are class indices; there is no bank to make");
            using var bank = LabelKinds.Get(name).Build(context);
            string dir = r.GetValue(output)!;
            string stem = $"{SafeName(context.Dataset.Name)}_{name}";
            string npy = Path.Combine(dir, stem + ".npy");
            LabelBankFile.Write(npy, bank);
            float min = bank.Targets.min().item<float>(), max = bank.Targets.max().item<float>();
            for (int c = 0; c < bank.ClassCount; c++)
            {
                string cls = context.Dataset.ClassNames[c];
                LabelImages.WritePng(Path.Combine(dir, stem, $"{c:D3}_{SafeName(cls)}.png"), bank.Row(c), bank.LabelShape, $"{c}: {cls}", min, max);
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
        var kinds = new Option<string>("--kinds") { Description = "comma-separated kinds (default: all)", DefaultValueFactory = _ => "" };
        var json = new Option<string?>("--json") { Description = "also write the table to this JSON file" };
        command.Options.Add(kinds);
        command.Options.Add(json);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            var context = Context(r, o);
            var names = r.GetValue(kinds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) names = LabelKinds.Names.ToArray();
            var stats = new List<LabelStats>();
            foreach (string name in names)
            {
                LabelKinds.Validate(name);
                using var bank = Build(name, context);
                stats.Add(LabelStats.Compute(bank));
            }
            Console.WriteLine($"{context.Dataset.Name}, {context.Dataset.ClassCount} classes");
            Console.WriteLine($"{"kind",-16} {"shape",-7} {"dim",5} {"min",8} {"max",8} {"mean",8} {"std",7} {"entropy",15} {"pairwise L2",15} {"norm. L1",8}");
            foreach (var s in stats)
                Console.WriteLine($"{s.Kind,-16} {s.Shape,-7} {s.Dimension,5} {s.Min,8:F3} {s.Max,8:F3} {s.Mean,8:F3} {s.Std,7:F3} {s.Entropy,7:F3} ± {s.EntropyStd,5:F3} {s.PairwiseL2,7:F2} ± {s.PairwiseL2Std,5:F2} {s.NormalizedL1,8:F3}");
            if (r.GetValue(json) is { } path)
            {
                AtomicFile.WriteText(path, JsonSerializer.Serialize(new { dataset = context.Dataset.Name, kinds = stats }, TrainConfig.Json));
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            return 0;
        }));
        return command;
    }

    private static string SafeName(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));
}
