using System.CommandLine;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Native;
using LabelRep.Reporting;
using LabelRep.Runs;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep attack</c>: adversarial robustness of a trained run, under the paper's protocol or today's standard one.</summary>
public static class AttackCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "the run folder to attack (written by 'labelrep train')", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "standard: pixel ε, clamp to [0,1], CE and margin over class scores; paper: the official code's attacks exactly (normalized units, its iterative attack's summed gradients and missing clamp); paper-fixed: the same with those bugs fixed", DefaultValueFactory = _ => "standard" };
        var attacks = new Option<string?>("--attacks") { Description = $"comma-separated attacks: {string.Join(", ", AttackRegistry.Names)} (default: paper fgsm,bim; standard fgsm,bim,pgd,square, + transfer with --source)" };
        var norm = new Option<string?>("--norm") { Description = "the threat model: linf (default), l2 or l1; --protocol standard --norm l2 is the protocol standard-l2, whose ε are L2 lengths in pixels (default grid 0,0.125,0.25,0.5,1)" };
        var eps = new Option<string?>("--eps") { Description = "comma-separated ε grid, e.g. 0,1/255,8/255 (default: paper 0,0.05,…,0.3 normalized; standard 0,1,2,4,8,16 /255)" };
        var targeted = new Option<string>("--targeted") { Description = "no, yes or both: targeted attacks toward a random other class (seeded)", DefaultValueFactory = _ => "no" };
        var limit = new Option<int>("--limit") { Description = "attack only the first N test images (0 = all)", DefaultValueFactory = _ => 0 };
        var source = new Option<string?>("--source") { Description = "another run (same dataset) to craft transfer attacks on, e.g. a categorical run" };
        var batch = new Option<int>("--batch-size") { Description = "images per attack call (1 = one at a time, like the official code)", DefaultValueFactory = _ => 250 };
        // One flag per option the attacks declare (AttackOptions): standard protocol only; the paper's run their own budgets.
        var budgets = AttackOptions.All.Select(d => (d.Option, Flag: new Option<string?>("--" + d.Option.Name) { Description = "standard protocol: " + d.Help })).ToArray();
        var suite = new Option<string?>("--suite") { Description = $"a cascade in which each attack runs only on the images the earlier ones did not fool: {string.Join("; ", AttackSuite.Named.All.Select(r => $"{r.Name} ({r.Description})"))}; or a list of {string.Join(", ", AttackSuite.Members.Select(m => m.Name))}; alone unless --attacks is given too" };
        var seed = new Option<int>("--seed") { Description = "seed of PGD's random starts and the Square attack", DefaultValueFactory = _ => 0 };
        var targetSeed = new Option<int>("--target-seed") { Description = "seed of the random target classes (official code: 444)", DefaultValueFactory = _ => 444 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = libtorch's default)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = $"device: {string.Join(", ", DeviceSelector.Names)}", DefaultValueFactory = _ => "auto" };
        var skipChecks = new Option<bool>("--skip-checks") { Description = "skip a suite's own checks (APGD at ε = 1, twice the budget): faster, and the attack gate then gives no verdict on these numbers" };
        var binarization = new Option<bool>("--binarization") { Description = "instead of a sweep, the binarization test (Zimmermann et al. 2022): can APGD break binarized heads that are breakable by construction? On the first --limit images (default 20) at the largest --eps (default 8/255); exit 1 when it cannot" };
        var command = new Command("attack", "Attack a trained run (FGSM, BIM, PGD, Square, transfer); write attacks.csv, attacks.json and a plot of accuracy against ε");
        foreach (Option o in new Option[] { run, protocol, norm, attacks, eps, targeted, limit, source, batch }.Concat(budgets.Select(b => b.Flag))
                     .Concat(new Option[] { suite, seed, targetSeed, threads, device, skipChecks, binarization }))
            command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            TorchRuntime.SetThreads(r.GetValue(threads));
            var request = new AttackRequest
            {
                Protocol = ProtocolOf(r.GetValue(protocol)!, r.GetValue(norm)),
                Attacks = r.GetValue(attacks)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Eps = r.GetValue(eps) is { } e ? EpsList.Parse(e) : null,
                Targeted = ParseTargeted(r.GetValue(targeted)!),
                Suite = r.GetValue(suite) is { } named ? AttackSuite.Parse(named) : null,
                Limit = r.GetValue(limit),
                BatchSize = r.GetValue(batch),
                Options = budgets.Where(b => r.GetValue(b.Flag) != null)
                    .ToDictionary(b => b.Option.Name, b => b.Option.Parse(r.GetValue(b.Flag)!, "--" + b.Option.Name)),
                Seed = r.GetValue(seed),
                TargetSeed = r.GetValue(targetSeed),
                Checks = !r.GetValue(skipChecks),
            };
            foreach (string name in request.AttackNames(r.GetValue(source) != null)) AttackRegistry.Get(name);
            var dir = new RunDirectory(r.GetValue(run)!);
            if (r.GetValue(binarization))
            {
                if (request.Protocol != AttackProtocol.Standard) throw new LabelRepException("--binarization runs in the standard L∞ protocol (pixels in [0, 1]); drop --protocol and --norm");
                double at = request.Eps is { Count: > 0 } grid ? grid.Max() : 8 / 255.0;
                if (at <= 0) throw new LabelRepException("--binarization needs an ε above 0 in --eps");
                BinarizationTest.Result result = RunAttack.Binarization(dir, r.GetValue(device)!, at, request.Limit > 0 ? request.Limit : 20, request.Seed);
                Console.WriteLine(result);
                return result.Passed ? 0 : 1;
            }
            RunDirectory? sourceDir = r.GetValue(source) is { } s ? new RunDirectory(s) : null;
            var progress = new ProgressLine();
            AttackReport report = RunAttack.Run(dir, sourceDir, request, r.GetValue(device)!, progress, cancel, plot: AttackPlot.Png, resuming: (path, batches) => Console.WriteLine($"resuming an interrupted attack: {batches} finished batch(es) read from {path}"));
            progress.Done();
            Print(report);
            Console.WriteLine($"wrote {AttackFiles.CsvPath(dir)}, {AttackFiles.JsonPath(dir)} and {AttackFiles.PlotPath(dir, report.Protocol)}");
            return 0;
        }));
        return command;
    }

    /// <summary>The protocol named by --protocol, in the threat model of --norm when given.</summary>
    private static AttackProtocol ProtocolOf(string name, string? norm)
    {
        AttackProtocol protocol = AttackProtocol.Parse(name);
        if (norm is null) return protocol;
        Norm asked = Norm.Parse(norm);
        if (protocol.Norm != Norm.Linf && asked != protocol.Norm)
            throw new LabelRepException($"--norm {asked.Name}: --protocol {protocol.Name} is {protocol.Norm.Symbol} already; give --protocol standard --norm {asked.Name}");
        return protocol.In(asked);
    }

    private static TargetMode ParseTargeted(string text) => text switch
    {
        "no" => TargetMode.No,
        "yes" => TargetMode.Yes,
        "both" => TargetMode.Both,
        _ => throw new LabelRepException($"--targeted '{text}': give no, yes or both"),
    };

    /// <summary>Accuracy per attack and loss (rows) at each ε (columns), then the flags.</summary>
    private static void Print(AttackReport report)
    {
        Console.WriteLine($"{report.Protocol} protocol on {report.Images} test images: clean accuracy {report.CleanAccuracy:P2}, {report.Seconds:F0} s");
        double[] grid = report.Results.Select(r => r.Eps).Distinct().OrderBy(e => e).ToArray();
        EpsUnit unit = EpsUnit.Of(report.Protocol);
        var rows = new List<string[]>();
        foreach (var series in report.Results.GroupBy(r => r.Series))
        {
            var byEps = series.ToDictionary(r => r.Eps);
            string Cell(Func<AttackResult, double?> value, double e) => byEps.TryGetValue(e, out var row) && value(row) is { } v ? v.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "";
            rows.Add(new[] { series.Key }.Concat(grid.Select(e => Cell(r => r.Accuracy, e))).ToArray());
            if (series.First().Targeted && series.First().Attack != AttackResult.WorstCase)
                rows.Add(new[] { "  reached the target" }.Concat(grid.Select(e => Cell(r => r.TargetHitRate, e))).ToArray());
        }
        Tables.Print(new[] { "attack/loss" }.Concat(grid.Select(unit.Format)).ToArray(), rows);
        if (report.Flags.Count == 0)
        {
            Console.WriteLine("no sign of gradient masking in these numbers");
            return;
        }
        Console.WriteLine($"{report.Flags.Count} possible sign(s) of gradient masking:");
        foreach (AttackFlag flag in report.Flags) Console.WriteLine($"  [{flag.Check}] {flag.Message}");
    }
}
