using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LabelRep.IO;
using LabelRep.Native;
using LabelRep.Training;
using static TorchSharp.torch;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep bench</c>: training (or attack-step) images/s for the CPU models; writes bench.json.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "CPU threads", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch-size") { Description = "batch size", DefaultValueFactory = _ => 128 };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats (the median is reported)", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "steps per repeat (0 = about 2 s worth per model)", DefaultValueFactory = _ => 0 };
        var models = new Option<string>("--models") { Description = "comma-separated subset of smallcnn,resnet20,resnet32", DefaultValueFactory = _ => "" };
        var decoder = new Option<bool>("--decoder") { Description = "also time each model with the paper's label decoder head" };
        var output = new Option<string>("--out") { Description = "where to write the results", DefaultValueFactory = _ => "bench.json" };
        var device = new Option<string>("--device") { Description = "device: auto, cpu, cuda", DefaultValueFactory = _ => "cpu" };
        var layout = new Option<string>("--layout") { Description = "backbone memory layout: channels-last (what training uses) or nchw (libtorch's default)", DefaultValueFactory = _ => "channels-last" };
        var mode = new Option<string>("--mode") { Description = "train: forward, backward and SGD update; adversarial: the same on PGD-7 examples at 8/255 crafted first (--adversarial pgd); attack: what an attack step costs (eval mode, batch norm folded, the gradient with respect to the images); attack-unfolded: the same through the model as trained, each batch norm a layer (bench/eval_fold.sh); layers: each layer of each model alone, forward and backward (bench/layers_compare.sh); attack-layers: each layer of the folded model alone, forward and the gradient with respect to its input (an attack step's profile)", DefaultValueFactory = _ => "train" };
        var command = new Command("bench", "Measure training (or attack-step) throughput (images/s, median of repeats after warm-up)");
        foreach (var o in new Option[] { threads, batch, repeats, steps, models, decoder, output, device, layout, mode }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            if (r.GetValue(batch) < 2) throw new LabelRepException($"--batch-size {r.GetValue(batch)}: must be at least 2 (BatchNorm needs two images)");
            if (r.GetValue(threads) < 1) throw new LabelRepException($"--threads {r.GetValue(threads)}: must be at least 1");
            if (r.GetValue(repeats) < 1) throw new LabelRepException($"--repeats {r.GetValue(repeats)}: must be at least 1");
            if (r.GetValue(steps) < 0) throw new LabelRepException($"--steps {r.GetValue(steps)}: must be 0 (automatic) or more");
            var wanted = r.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var cases = ThroughputBenchmark.Default.Where(c => wanted.Length == 0 || wanted.Contains(c.Model)).ToList();
            if (cases.Count == 0) throw new LabelRepException($"--models: none of '{r.GetValue(models)}' is a benchmark model; valid: smallcnn, resnet20, resnet32");
            if (r.GetValue(decoder)) cases.AddRange(cases.ToList().Select(c => c with { Head = "decoder" }));
            var dev = DeviceSelector.Resolve(r.GetValue(device)!);
            string memoryLayout = r.GetValue(layout)!;
            ThroughputBenchmark.CheckLayout(memoryLayout);
            string stepMode = r.GetValue(mode)!;
            if (stepMode == "layers") return Layers(cases.Where(c => c.Head != "decoder").Select(c => c.Model).ToList(), r.GetValue(batch), r.GetValue(threads),
                r.GetValue(steps) > 0 ? r.GetValue(steps) : 20, dev, memoryLayout, r.GetValue(output)!, cancel);
            if (stepMode == "attack-layers") return AttackLayers(cases, r.GetValue(batch), r.GetValue(threads), r.GetValue(steps) > 0 ? r.GetValue(steps) : 20, dev,
                memoryLayout, r.GetValue(output)!, cancel);
            if (!ThroughputBenchmark.Modes.Contains(stepMode))
                throw new LabelRepException($"--mode {stepMode}: unknown; valid: {string.Join(", ", ThroughputBenchmark.Modes.Append("layers").Append("attack-layers"))}");
            Console.WriteLine($"{stepMode} steps, layout {memoryLayout}, batch {r.GetValue(batch)}, {r.GetValue(threads)} threads");
            var results = new List<ThroughputBenchmark.Result>();
            string first = stepMode == "adversarial" ? "craft+forward ms" : "forward ms";
            var c0 = CultureInfo.InvariantCulture;
            foreach (var (c, k) in cases.Select((c, k) => (c, k)))
            {
                cancel.ThrowIfCancellationRequested();
                int n = r.GetValue(steps) > 0 ? r.GetValue(steps) : c.Model == "smallcnn" ? 24 : 6;
                var result = ThroughputBenchmark.Run(c, r.GetValue(batch), r.GetValue(threads), warmup: 5, steps: n, repeats: r.GetValue(repeats), dev, memoryLayout, stepMode);
                results.Add(result);
                Console.WriteLine($"[{k + 1}/{cases.Count}] {result.Model} {result.Head}: {result.Median.ToString("F0", c0)} img/s");
            }
            Tables.Print(new[] { "model", "input", "head", "img/s (median)", first, "backward ms", "update ms", "repeats (img/s)" },
                results.Select(x => new[] { x.Model, x.Input, x.Head, x.Median.ToString("F0", c0) }
                    .Concat(x.PhaseMilliseconds.Select(v => v.ToString("F1", c0))).Append(string.Join(" ", x.ImagesPerSecond.Select(v => v.ToString("F0", c0)))).ToArray()),
                textColumns: 3);
            return WriteJson(r.GetValue(output)!, new
            {
                results = results.Select(x => new
                {
                    model = x.Model, input = x.Input, head = x.Head, layout = x.Layout, batch_size = x.BatchSize, threads = x.Threads,
                    images_per_second = Math.Round(x.Median, 1), repeats = x.ImagesPerSecond.Select(v => Math.Round(v, 1)),
                    phases_ms = new { forward = Math.Round(x.PhaseMilliseconds[0], 2), backward = Math.Round(x.PhaseMilliseconds[1], 2), update = Math.Round(x.PhaseMilliseconds[2], 2) },
                }), implementation = "TorchSharp 0.107.0 / libtorch 2.10.0"
            });
        }));
        return command;
    }

    /// <summary>--mode attack-layers: each layer of each folded model alone, forward and input gradient (an attack step's profile).</summary>
    private static int AttackLayers(List<ThroughputBenchmark.Case> cases, int batch, int threads, int steps, Device device, string layout, string path, CancellationToken cancel)
    {
        Console.WriteLine($"layers of the folded model alone (attack step: forward, gradient to the input), {layout}, batch {batch}, {threads} threads, median of {steps} calls");
        var rows = new List<object>();
        var table = new List<string[]>();
        var c0 = CultureInfo.InvariantCulture;
        foreach (var c in cases)
        {
            cancel.ThrowIfCancellationRequested();
            double forward = 0, backward = 0;
            foreach (var t in LayerBenchmark.RunAttack(c, batch, threads, steps, device, layout == "channels-last"))
            {
                string name = t.Name.Length > 44 ? t.Name[..43] + "…" : t.Name;
                table.Add(new[] { c.Model, c.Head, name, string.Join("x", t.Output), t.ForwardMs.ToString("F3", c0), t.BackwardMs.ToString("F3", c0) });
                forward += t.ForwardMs;
                backward += t.BackwardMs;
                rows.Add(new { model = c.Model, head = c.Head, name = t.Name, input = t.Input, output = t.Output, forward_ms = Math.Round(t.ForwardMs, 4), backward_ms = Math.Round(t.BackwardMs, 4) });
            }
            table.Add(new[] { c.Model, c.Head, "sum", "", forward.ToString("F2", c0), backward.ToString("F2", c0) });
        }
        Tables.Print(new[] { "model", "head", "layer", "output", "forward ms", "backward ms" }, table, textColumns: 4);
        return WriteJson(path, new { mode = "attack-layers", batch_size = batch, threads, steps, layout, layers = rows, implementation = "TorchSharp 0.107.0 / libtorch 2.10.0" });
    }

    /// <summary>--mode layers: each layer of each model alone, forward and backward (the kernel-level profile).</summary>
    private static int Layers(List<string> models, int batch, int threads, int steps, Device device, string layout, string path, CancellationToken cancel)
    {
        Console.WriteLine($"layers alone, train mode, {layout}, batch {batch}, {threads} threads, median of {steps} calls");
        var rows = new List<object>();
        var table = new List<string[]>();
        var c0 = CultureInfo.InvariantCulture;
        foreach (string model in models)
        {
            cancel.ThrowIfCancellationRequested();
            double total = 0;
            foreach (var t in LayerBenchmark.Run(model, batch, threads, steps, device, layout == "channels-last"))
            {
                table.Add(new[] { model, t.Layer.Name, t.Layer.Count.ToString(c0), t.ForwardMs.ToString("F3", c0), t.BackwardMs.ToString("F3", c0) });
                total += t.Layer.Count * (t.ForwardMs + t.BackwardMs);
                rows.Add(new
                {
                    model, name = t.Layer.Name, kind = t.Layer.Kind, input = t.Layer.Input, @out = t.Layer.Out, kernel = t.Layer.Kernel, stride = t.Layer.Stride,
                    padding = t.Layer.Padding, input_grad = t.Layer.InputGrad, count = t.Layer.Count,
                    forward_ms = Math.Round(t.ForwardMs, 4), backward_ms = Math.Round(t.BackwardMs, 4),
                });
            }
            table.Add(new[] { model, "sum, each layer × its count (forward + backward ms)", "", "", total.ToString("F1", c0) });
        }
        Tables.Print(new[] { "model", "layer", "count", "forward ms", "backward ms" }, table, textColumns: 2);
        return WriteJson(path, new { batch_size = batch, threads, steps, layout, layers = rows, implementation = "TorchSharp 0.107.0 / libtorch 2.10.0" });
    }

    /// <summary>A mode's results as indented JSON, written atomically; says where.</summary>
    private static int WriteJson(string path, object results)
    {
        AtomicFile.WriteText(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {Path.GetFullPath(path)}");
        return 0;
    }
}
