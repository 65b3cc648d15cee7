using System.Diagnostics;
using LabelRep.Data;
using LabelRep.Evaluation.Attacks;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// Where a sweep is: the setting being attacked (attack, loss and ε) and its place among the sweep's settings, the
/// images done of that setting's, the sweep's share done (counted in image attacks: one image under one setting), the
/// rate of image attacks and the time left.
/// </summary>
public sealed record AttackProgress(string Setting, int SettingNumber, int Settings, long SettingDone, long SettingImages, long Done, long Total, double ImagesPerSecond,
    TimeSpan Eta);

/// <summary>
/// Runs an attack sweep on a trained model: every requested attack × loss × ε (× targeted), batch by batch, and
/// the worst case per image over all of them. Models are in eval mode; images not classified correctly before the
/// attack count as failures, so ε = 0 gives the clean accuracy.
/// </summary>
public sealed class AttackRunner
{
    private readonly Classifier _target;
    private readonly Classifier? _source;
    private readonly AttackRequest _request;
    private SweepJournal? _journal;
    private Generator? _random;
    private int _call;

    /// <param name="target">The attacked classifier.</param>
    /// <param name="source">The transfer attack's source classifier (trained on the same dataset), or null.</param>
    public AttackRunner(Classifier target, Classifier? source, AttackRequest request)
    {
        request.Validate();
        _target = target;
        _source = source;
        _request = request;
    }

    /// <summary>Attacks the images <paramref name="indices"/> of <paramref name="test"/> (the first <see cref="AttackRequest.Limit"/> of them).</summary>
    /// <param name="journal">Where finished batches are recorded as they end and read back after a kill (<see cref="SweepJournal"/>); null: none.</param>
    public AttackReport Run(ImageData test, int[] indices, string runName, IProgress<AttackProgress>? progress = null, CancellationToken cancel = default,
        SweepJournal? journal = null)
    {
        _journal = journal;
        _call = 0;
        AttackProtocol protocol = _request.Protocol;
        IAttack[] attacks = _request.AttackNames(_source != null).Select(AttackRegistry.Get).ToArray();
        // Every attack that will run, suite members included, is checked before any runs: one that cannot run on this
        // classifier is refused with its reason, never skipped.
        foreach (IAttack attack in attacks.Concat(_request.Suite?.Attacks.Select(m => AttackRegistry.Get(m.Attack)) ?? Enumerable.Empty<IAttack>()))
        {
            bool member = _request.Suite?.Attacks.Any(m => m.Attack == attack.Name) == true;
            string? refusal = attack.CannotRun(_target.ClassCount) ?? protocol.Refusal(attack);
            if (refusal != null) throw new LabelRepException(member ? $"--suite {_request.Suite!.Name}: {refusal}" : refusal);
            if (attack.Family == AttackFamily.Transfer && _source == null)
                throw new LabelRepException("the transfer attack needs a source model: add --source RUN_DIR (for example a categorical run)");
        }
        double[] epsGrid = _request.EpsGrid.Distinct().OrderBy(e => e).ToArray();
        CheckEps(epsGrid, protocol, test);
        bool[] targetings = _request.Targeted switch
        {
            TargetMode.No => new[] { false },
            TargetMode.Yes => new[] { true },
            _ => new[] { false, true },
        };

        var total = Stopwatch.StartNew();
        _target.Freeze();
        _source?.Freeze();
        var sweep = new Sweep(this, test, indices, epsGrid, progress, cancel);
        var plan = (from targeted in targetings
                    from eps in epsGrid
                    from attack in attacks
                    from loss in attack.Losses(protocol)
                    select (targeted, eps, attack, loss)).ToArray();
        AttackSuite? suite = _request.Suite;
        // An upper bound when a suite runs: its later members see only the images the earlier ones did not fool. A
        // minimum-norm attack searches each image once for the whole grid.
        long settingsToRun = plan.Count(p => p.eps > 0 && p.attack is not IMinimalAttack)
            + plan.Where(p => p.eps > 0 && p.attack is IMinimalAttack).Select(p => (p.attack.Name, p.targeted)).Distinct().Count();
        sweep.Start((int)settingsToRun + (suite?.Attacks.Count ?? 0) * epsGrid.Count(e => e > 0));
        using var random = new Generator((ulong)_request.Seed);
        _random = random;
        sweep.Attacks(plan, random);
        if (suite != null)
            foreach (double eps in epsGrid)
                sweep.Suite(suite, eps, random);
        return sweep.Report(runName, total, random);
    }

    /// <summary>
    /// One sweep's state, shared by its phases: the images and their clean predictions, the rows so far, each image's
    /// worst case per (targeted, ε), and the progress count. The phases run in a fixed order (the attacks, then the suite
    /// per ε, then the checks), which fixes the random generator's draws.
    /// </summary>
    private sealed class Sweep
    {
        private readonly AttackRunner _runner;
        private readonly AttackProtocol _protocol;
        private readonly ImageData _test;
        private readonly IProgress<AttackProgress>? _progress;
        private readonly CancellationToken _cancel;
        private readonly AttackSpace _space;
        private readonly AttackSpace? _sourceSpace;
        private readonly int[] _images;
        private readonly long[] _labels, _targets, _clean;
        private readonly bool[] _cleanCorrect;
        private readonly double _zeroGradients;
        private readonly int[] _attackedImages;
        private readonly long[] _attackedTargets;
        private readonly List<AttackResult> _rows = new();
        private readonly Dictionary<(bool, double), bool[]> _worst = new();
        private readonly Dictionary<(bool, double), double> _worstSeconds = new();
        private readonly List<SuiteBreaks> _breaks = new();
        private readonly Dictionary<(string Attack, bool Targeted), (double[] Distances, long[] Reached)> _minimal = new();
        private readonly Stopwatch _clock = new();
        private long _work, _done;
        private int _settings, _setting;
        private readonly double[] _grid;

        /// <summary>The clean pass: predictions, which images are attacked, their targets, the share of zero gradients.</summary>
        public Sweep(AttackRunner runner, ImageData test, int[] indices, double[] grid, IProgress<AttackProgress>? progress, CancellationToken cancel)
        {
            _grid = grid;
            _runner = runner;
            _protocol = runner._request.Protocol;
            _test = test;
            _progress = progress;
            _cancel = cancel;
            _space = new AttackSpace(runner._target, _protocol.NormalizedSpace);
            _sourceSpace = runner._source == null ? null : new AttackSpace(runner._source, _protocol.NormalizedSpace);
            _images = runner._request.Limit > 0 ? indices.Take(runner._request.Limit).ToArray() : indices;
            long[] allLabels = test.LabelArray();
            _labels = _images.Select(i => allLabels[i]).ToArray();
            _targets = DrawTargets(_labels, runner._target.ClassCount, runner._request.TargetSeed);
            _clean = runner.Predict(_space, test, _images, null, null, null, null, cancel);
            _cleanCorrect = _clean.Select((p, i) => p == _labels[i]).ToArray();
            _zeroGradients = runner.ZeroGradientShare(_space, test, _images, _protocol);
            // Only images classified correctly count, so only they are attacked (the official code skips the others too);
            // the rest keep their clean prediction.
            AttackedAt = Enumerable.Range(0, N).Where(i => _cleanCorrect[i]).ToArray();
            _attackedImages = AttackedAt.Select(i => _images[i]).ToArray();
            _attackedTargets = AttackedAt.Select(i => _targets[i]).ToArray();
        }

        private int N => _images.Length;

        /// <summary>The positions (in the attacked images) of the images classified correctly before any attack.</summary>
        public int[] AttackedAt { get; }

        /// <summary>Starts the progress count: <paramref name="settings"/> settings of the attacked images each, at most.</summary>
        public void Start(int settings)
        {
            _settings = settings;
            _work = settings * (long)AttackedAt.Length;
            _clock.Start();
        }

        /// <summary>Every (targeted, ε, attack, loss) of the plan on the images classified correctly, one row each.</summary>
        public void Attacks(IEnumerable<(bool Targeted, double Eps, IAttack Attack, AttackLoss Loss)> plan, Generator random)
        {
            var cleanGradients = new Dictionary<(int, bool), CleanGradients>();
            foreach (var (targeted, eps, attack, loss) in plan)
            {
                _cancel.ThrowIfCancellationRequested();
                var settings = new AttackSettings
                {
                    Eps = eps,
                    Loss = loss,
                    Protocol = _protocol,
                    Options = _runner._request.OptionsFor(attack),
                    ClampEachStep = !(_protocol.OfficialQuirks && attack.Family == AttackFamily.Iterative),
                    AccumulateGradients = _protocol.OfficialQuirks && attack.Family == AttackFamily.Iterative,
                };
                var watch = Stopwatch.StartNew();
                string name = $"{attack.Name}/{loss}{(targeted ? " targeted" : "")} at {_protocol.Unit.Named(eps)} ({Array.IndexOf(_grid, eps) + 1} of {_grid.Length})";
                long[] adversarial = (long[])_clean.Clone();
                var (forwards, backwards) = Passes();
                if (eps > 0 && attack is IMinimalAttack minimal)
                {
                    // One search per image for the smallest fooling perturbation serves every ε of the grid: the first
                    // row of the series carries its time and passes, the others read the distances.
                    if (!_minimal.TryGetValue((attack.Name, targeted), out var found))
                        _minimal[(attack.Name, targeted)] = found = _runner.Minimal(_space, _test, _attackedImages, targeted ? _attackedTargets : null, minimal,
                            new AttackContext(_space, _sourceSpace, random), settings with { Eps = 0 }, _cancel, Progress($"{attack.Name}/{loss} minimal distances (every ε at once)", AttackedAt.Length));
                    for (int k = 0; k < AttackedAt.Length; k++)
                        if (found.Distances[k] <= eps) adversarial[AttackedAt[k]] = found.Reached[k];
                }
                else if (eps > 0)
                {
                    long[] attacked = _runner.Predict(_space, _test, _attackedImages, targeted ? _attackedTargets : null, attack, new AttackContext(_space, _sourceSpace, random),
                        settings, _cancel, Progress(name, AttackedAt.Length), cleanGradients);
                    for (int k = 0; k < AttackedAt.Length; k++) adversarial[AttackedAt[k]] = attacked[k];
                }
                bool[] robust = adversarial.Select((p, i) => _cleanCorrect[i] && p == _labels[i]).ToArray();
                Worst(targeted, eps, robust, watch.Elapsed.TotalSeconds);
                _rows.Add(Spent(Row(attack.Name, loss.Name, targeted, eps, attack.StepsFor(settings), attack.RestartsFor(settings), robust,
                    targeted ? adversarial.Zip(_targets, (p, t) => p == t).Count(x => x) / (double)N : null,
                    attack.Family == AttackFamily.Transfer ? _runner._source!.Name : null, watch.Elapsed.TotalSeconds) with
                { Targets = TargetsOf(settings), Queries = attack.QueriesFor(settings) }, forwards, backwards));
            }
            foreach (CleanGradients kept in cleanGradients.Values) kept.Dispose();
        }

        /// <summary>The suite at one ε as a cascade: each member attacks only the images every earlier one failed to fool.</summary>
        public void Suite(AttackSuite suite, double eps, Generator random)
        {
            var watch = Stopwatch.StartNew();
            bool[] robust = (bool[])_cleanCorrect.Clone();
            string[] brokenBy = _cleanCorrect.Select(c => c ? "" : "clean").ToArray();
            foreach (SuiteMember member in suite.Attacks)
            {
                _cancel.ThrowIfCancellationRequested();
                var memberWatch = Stopwatch.StartNew();
                IAttack attack = AttackRegistry.Get(member.Attack);
                _protocol.Validate(attack);
                var settings = new AttackSettings { Eps = eps, Loss = member.Loss, Protocol = _protocol, Options = _runner._request.OptionsFor(attack, member) };
                int[] open = Enumerable.Range(0, N).Where(i => robust[i]).ToArray();
                int broke = 0;
                var (forwards, backwards) = Passes();
                if (eps > 0 && open.Length > 0)
                {
                    long[] attacked = _runner.Predict(_space, _test, open.Select(i => _images[i]).ToArray(), null, attack, new AttackContext(_space, _sourceSpace, random),
                        settings, _cancel, Progress($"{member.ResultName(suite)} at {_protocol.Unit.Named(eps)} ({Array.IndexOf(_grid, eps) + 1} of {_grid.Length})", open.Length));
                    for (int k = 0; k < open.Length; k++)
                    {
                        if (attacked[k] == _labels[open[k]]) continue;
                        robust[open[k]] = false;
                        brokenBy[open[k]] = member.Name;
                        broke++;
                    }
                }
                _rows.Add(Spent(Row(member.ResultName(suite), member.Loss.Name, false, eps, attack.StepsFor(settings), attack.RestartsFor(settings), robust, null, null,
                    memberWatch.Elapsed.TotalSeconds) with
                { Suite = suite.Name, Broke = broke, Targets = TargetsOf(settings), Queries = attack.QueriesFor(settings) }, forwards, backwards));
            }
            _rows.Add(Row(suite.Name, AttackResult.Cascade, false, eps, 0, 0, robust, null, null, watch.Elapsed.TotalSeconds) with
            {
                Suite = suite.Name,
                Broke = brokenBy.Count(b => b.Length > 0 && b != "clean"),
            });
            Worst(false, eps, robust, watch.Elapsed.TotalSeconds);
            _breaks.Add(new SuiteBreaks(eps, brokenBy));
        }

        /// <summary>The worst-case rows, the integrity checks and the report.</summary>
        public AttackReport Report(string runName, Stopwatch total, Generator random)
        {
            foreach (var ((targeted, eps), robust) in _worst)
                _rows.Add(Row(AttackResult.WorstCase, "all", targeted, eps, 0, 0, robust, null, null, _worstSeconds[(targeted, eps)]));
            var robustImages = _worst.Select(kv => new RobustImages(kv.Key.Item2, kv.Key.Item1, ImageBits.Encode(kv.Value))).ToArray();
            bool deterministic = _runner.Deterministic(_space, _test, _images);
            AttackSuite? suite = _runner._request.Suite;
            bool checks = suite != null && !_protocol.NormalizedSpace && _runner._request.Checks;
            double? unbounded = checks ? _runner.UnboundedAccuracy(_space, _test, _attackedImages, random, _cancel) : null;
            AttackDiagnostics.Convergence? convergence = checks ? Convergence(suite!, random) : null;
            IReadOnlyList<AttackFlag> flags = AttackDiagnostics.Check(_rows, _zeroGradients, deterministic, unbounded, _protocol.Losses[0].Name, convergence);
            return new AttackReport
            {
                Protocol = _protocol.Name,
                Run = runName,
                Source = _runner._source?.Name,
                Images = N,
                CleanAccuracy = N == 0 ? 0 : _cleanCorrect.Count(c => c) / (double)N,
                ZeroGradientShare = _zeroGradients,
                OfficialQuirks = _protocol.OfficialQuirks,
                BatchSize = _runner._request.BatchSize,
                Seconds = total.Elapsed.TotalSeconds,
                Results = _rows,
                Suite = suite?.Name,
                BrokenBy = _breaks,
                Robust = robustImages,
                UnboundedAccuracy = unbounded,
                Flags = flags,
                Classes = _runner._target.ClassCount,
                Checks = AttackDiagnostics.Ran(_rows, flags, N, unbounded, Math.Min(_attackedImages.Length, UnboundedImages), convergence),
                Distances = _minimal.Select(m => new MinimalDistances(m.Key.Attack, m.Key.Targeted, Distances(m.Value.Distances))).ToArray(),
            };
        }

        /// <summary>
        /// The budget-convergence check, at the suite's ε nearest 8/255: the suite's APGD members (APGD-CE, APGD-DLR,
        /// APGD-T, the ones the attack gate requires) again with twice their iterations and restarts, in cascade order, on
        /// the images among the sweep's first <see cref="AttackDiagnostics.ConvergenceImages"/> that survived the suite.
        /// Every image they break now is one the reported number counted as robust. The suite's other gradient attacks
        /// (FAB-T, the label attacks) are not doubled: four times their budget on the survivors cost more than the whole
        /// suite on 200 images, and after APGD-T they broke 0 to 1 of the 200 (docs/performance.md). Null when the suite
        /// has no APGD member or no ε &gt; 0.
        /// </summary>
        private AttackDiagnostics.Convergence? Convergence(AttackSuite suite, Generator random)
        {
            SuiteMember[] gradient = suite.Attacks.Where(m => m.Attack is "apgd" or "apgd-t").ToArray();
            SuiteBreaks? at = _breaks.Where(b => b.Eps > 0).MinBy(b => Math.Abs(b.Eps - _protocol.Norm.Reference));
            if (gradient.Length == 0 || at is null) return null;
            // The first images of the sweep, as robust accuracy counts them (an image misclassified before the attack stays wrong).
            int[] sample = Enumerable.Range(0, Math.Min(N, AttackDiagnostics.ConvergenceImages)).ToArray();
            int[] open = sample.Where(i => at.BrokenBy[i].Length == 0).ToArray();
            int broke = 0;
            foreach (SuiteMember member in gradient)
            {
                _cancel.ThrowIfCancellationRequested();
                if (open.Length == 0) break;
                IAttack attack = AttackRegistry.Get(member.Attack);
                var options = _runner._request.OptionsFor(attack, member).ToDictionary(o => o.Key, o => o.Key is "steps" or "restarts"
                    ? Math.Min(2 * o.Value, attack.Options.First(d => d.Name == o.Key).Max) : o.Value);
                var settings = new AttackSettings { Eps = at.Eps, Loss = member.Loss, Protocol = _protocol, Options = options };
                long[] attacked = _runner.Predict(_space, _test, open.Select(i => _images[i]).ToArray(), null, attack, new AttackContext(_space, _sourceSpace, random),
                    settings, _cancel);
                int[] survived = open.Where((_, k) => attacked[k] == _labels[open[k]]).ToArray();
                broke += open.Length - survived.Length;
                open = survived;
            }
            return new AttackDiagnostics.Convergence(at.Eps, sample.Length, broke, string.Join(", ", gradient.Select(m => m.Name)));
        }

        /// <summary>
        /// Every sweep image's distance from the attacked images' ones: 0 for an image misclassified before any attack, null
        /// where the search found no fooling point.
        /// </summary>
        private double?[] Distances(double[] attacked)
        {
            var all = new double?[N];
            for (int i = 0; i < N; i++) all[i] = _cleanCorrect[i] ? null : 0;
            for (int k = 0; k < AttackedAt.Length; k++) all[AttackedAt[k]] = double.IsFinite(attacked[k]) ? attacked[k] : null;
            return all;
        }

        /// <summary>Forward and backward passes so far, on the attacked model and the transfer source together.</summary>
        private (long Forwards, long Backwards) Passes() =>
            (_space.Forwards + (_sourceSpace?.Forwards ?? 0), _space.Backwards + (_sourceSpace?.Backwards ?? 0));

        /// <summary>The row with the passes spent since <paramref name="forwards"/> and <paramref name="backwards"/> were read.</summary>
        private AttackResult Spent(AttackResult row, long forwards, long backwards)
        {
            var (f, b) = Passes();
            return row with { Forwards = f - forwards, Backwards = b - backwards };
        }

        /// <summary>Folds one result into the worst case of its (targeted, ε).</summary>
        private void Worst(bool targeted, double eps, bool[] robust, double seconds)
        {
            var key = (targeted, eps);
            _worst[key] = _worst.TryGetValue(key, out bool[]? soFar) ? soFar.Zip(robust, (a, b) => a && b).ToArray() : robust;
            _worstSeconds[key] = _worstSeconds.GetValueOrDefault(key) + seconds;
        }

        /// <summary>The target classes an attack ran over: its option, or all the other classes when there are fewer.</summary>
        private int? TargetsOf(AttackSettings settings) =>
            settings.Options.TryGetValue("targets", out double t) ? Math.Min((int)t, Math.Max(1, _runner._target.ClassCount - 1)) : null;

        /// <summary>The progress of one setting of <paramref name="images"/> images: the next setting's number, and each batch's images as they finish.</summary>
        private Action<int> Progress(string setting, long images)
        {
            int number = Math.Min(++_setting, Math.Max(_settings, 1));
            long settingDone = 0;
            return batchDone =>
            {
                _done += batchDone;
                settingDone += batchDone;
                double rate = _done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
                _progress?.Report(new AttackProgress(setting, number, _settings, settingDone, images, _done, _work, rate,
                    TimeSpan.FromSeconds(Math.Max(0, _work - _done) / Math.Max(1e-9, rate))));
            };
        }

        private AttackResult Row(string attack, string loss, bool targeted, double eps, int steps, int restarts, bool[] robust, double? hits, string? source, double seconds) => new()
        {
            Protocol = _protocol.Name,
            Attack = attack,
            Loss = loss,
            Targeted = targeted,
            Eps = eps,
            EpsPixels = _protocol.Unit.ToPixels(eps, _runner._target.Model.Normalization.Std.max().item<float>()),
            Steps = steps,
            Restarts = restarts,
            Accuracy = N == 0 ? 0 : robust.Count(r => r) / (double)N,
            TargetHitRate = hits,
            Images = N,
            Source = source,
            Seconds = seconds,
        };
    }

    /// <summary>
    /// The paper's targets, drawn as the official loop draws them (docs/protocols.md §7): <c>torch.manual_seed(444)</c>,
    /// then <c>for data, target in test_loader:</c> whose new iterator first takes its base seed from the same generator
    /// (<c>torch.empty((), dtype=torch.int64).random_()</c>), then one <c>randint(0, C)</c> per image in test order
    /// (every image consumes a draw), redrawn while it equals the true class. Every (attack, ε) call reseeds, so every
    /// sweep gets these same targets.
    /// </summary>
    public static long[] DrawTargets(long[] labels, int classes, int seed)
    {
        var targets = new long[labels.Length];
        if (classes < 2) return targets;
        using var generator = new Generator((ulong)seed);
        // random_() of an int64 takes 64 random bits (random64); random_ over a range of at least 2³² takes the same.
        using (Tensor baseSeed = torch.empty(Array.Empty<long>(), ScalarType.Int64)) baseSeed.random_(0, 1L << 62, generator);
        for (int i = 0; i < labels.Length; i++)
        {
            long t;
            do
            {
                using Tensor draw = torch.randint(0, classes, new long[] { 1 }, generator: generator);
                t = draw.item<long>();
            } while (t == labels[i]);
            targets[i] = t;
        }
        return targets;
    }

    /// <summary>
    /// Predictions after attacking each batch (or of the clean images when <paramref name="attack"/> is null). With
    /// <paramref name="shared"/>, the gradients at each batch's clean images are kept for the next call on the same
    /// images and targets (the sweep's other attacks and ε).
    /// </summary>
    private long[] Predict(AttackSpace space, ImageData test, int[] images, long[]? targets, IAttack? attack, AttackContext? context,
        AttackSettings? settings, CancellationToken cancel, Action<int>? batchDone = null, Dictionary<(int, bool), CleanGradients>? shared = null)
    {
        var predictions = new long[images.Length];
        int call = _call++;
        ImageBatches.ForEach(test, images, _request.BatchSize, _target.Device, (pixels, labels, start) =>
        {
            int count = (int)labels.shape[0];
            if (attack != null && Replayed(call, start, space, predictions, null, batchDone, count)) return;
            long forwards = space.Forwards + (context?.Source?.Forwards ?? 0), backwards = space.Backwards + (context?.Source?.Backwards ?? 0);
            AttackBatch batch = MakeBatch(space, pixels, labels, targets == null ? default : targets.AsSpan(start, count));
            if (shared != null)
            {
                if (!shared.TryGetValue((start, targets != null), out CleanGradients? kept)) shared[(start, targets != null)] = kept = new CleanGradients();
                batch = batch with { Shared = kept };
            }
            Tensor input = batch.Clean;
            if (attack != null)
            {
                input = attack.Perturb(context! with { Cancel = cancel }, batch, settings!);
                CheckBounds(attack, batch, input, settings!);
            }
            space.Predict(input).cpu().data<long>().CopyTo(predictions, start);
            if (attack != null)
                _journal?.Record(call, start, new SweepJournal.Entry(predictions[start..(start + count)], null,
                    space.Forwards + (context?.Source?.Forwards ?? 0) - forwards, space.Backwards + (context?.Source?.Backwards ?? 0) - backwards), _random!);
            batchDone?.Invoke(count);
        }, cancel, releaseMemory: attack != null);
        return predictions;
    }

    /// <summary>
    /// A batch the journal holds from an interrupted run: its results copied in, its passes counted on the attacked model,
    /// true. Otherwise false, after restoring the generator to its state after the last recorded batch (once).
    /// </summary>
    private bool Replayed(int call, int start, AttackSpace space, long[] predictions, double[]? distances, Action<int>? batchDone, int count)
    {
        if (_journal == null) return false;
        if (_journal.Recorded(call, start) is not { } entry)
        {
            _journal.RestoreOnce(_random!);
            return false;
        }
        entry.Predictions.CopyTo(predictions, start);
        entry.Distances?.CopyTo(distances!, start);
        space.Spent(entry.Forwards, entry.Backwards);
        batchDone?.Invoke(count);
        return true;
    }

    /// <summary>
    /// Every ε of the grid against its norm's range on these images: an L∞ ε in pixels is at most 1, an L2 one at most
    /// the image diagonal √d, an L1 one at most d (d numbers per image); beyond, the ball holds every valid image.
    /// </summary>
    private static void CheckEps(double[] grid, AttackProtocol protocol, ImageData test)
    {
        if (protocol.NormalizedSpace) return;
        long[] shape = test.Images.shape;
        double largest = protocol.Norm.Largest(shape[1] * shape[2] * shape[3]);
        foreach (double eps in grid)
            if (eps > largest)
                throw new LabelRepException($"--eps {protocol.Unit.Format(eps)}: above the largest {protocol.Norm.Symbol} ε of {protocol.Unit.Format(largest)} for {shape[1]}×{shape[2]}×{shape[3]} images "
                    + $"(beyond it the ball holds every image; L∞ ≤ 1, L2 ≤ √d, L1 ≤ d for d numbers per image)");
    }

    /// <summary>
    /// Per image, the smallest fooling perturbation's length that a minimum-norm attack found (∞ where none) and the
    /// class its point is classified as, batch by batch. Each kept point is checked: inside the valid range, and at the
    /// distance reported.
    /// </summary>
    private (double[] Distances, long[] Reached) Minimal(AttackSpace space, ImageData test, int[] images, long[]? targets, IMinimalAttack attack,
        AttackContext context, AttackSettings settings, CancellationToken cancel, Action<int>? batchDone)
    {
        var distances = new double[images.Length];
        var reached = new long[images.Length];
        int call = _call++;
        ImageBatches.ForEach(test, images, _request.BatchSize, _target.Device, (pixels, labels, start) =>
        {
            int count = (int)labels.shape[0];
            if (Replayed(call, start, space, reached, distances, batchDone, count)) return;
            var (forwards, backwards) = (space.Forwards, space.Backwards);
            AttackBatch batch = MakeBatch(space, pixels, labels, targets == null ? default : targets.AsSpan(start, count));
            var (points, norms) = attack.Minimal(context with { Cancel = cancel }, batch, settings);
            Tensor measured = batch.Norm.Of(points - batch.Clean);
            Tensor finite = norms.isfinite();
            if (finite.any().item<bool>() && (measured - norms).abs().masked_select(finite).max().item<float>() > 1e-4 * Math.Max(1, norms.masked_select(finite).max().item<float>()))
                throw new InvalidOperationException($"attack {((IAttack)attack).Name} reported distances its points do not have");
            if (points.lt(batch.Lower - 1e-5).any().item<bool>() || points.gt(batch.Upper + 1e-5).any().item<bool>())
                throw new InvalidOperationException($"attack {((IAttack)attack).Name} left the valid input range");
            norms.to_type(ScalarType.Float64).cpu().data<double>().CopyTo(distances, start);
            space.Predict(points).cpu().data<long>().CopyTo(reached, start);
            _journal?.Record(call, start, new SweepJournal.Entry(reached[start..(start + count)], distances[start..(start + count)],
                space.Forwards - forwards, space.Backwards - backwards), _random!);
            batchDone?.Invoke(count);
        }, cancel, releaseMemory: true);
        return (distances, reached);
    }

    private AttackBatch MakeBatch(AttackSpace space, Tensor pixels, Tensor labels, ReadOnlySpan<long> targets)
    {
        Tensor clean = space.FromPixels(pixels);
        Tensor lower, upper;
        if (space.Normalized)
        {
            // The paper's clamp: each image's own min and max over all its values, in normalized units.
            lower = clean.amin(new long[] { 1, 2, 3 }, keepdim: true);
            upper = clean.amax(new long[] { 1, 2, 3 }, keepdim: true);
        }
        else
        {
            lower = torch.tensor(0f, device: clean.device);
            upper = torch.tensor(1f, device: clean.device);
        }
        Tensor? target = targets.IsEmpty ? null : torch.tensor(targets.ToArray(), ScalarType.Int64).to(clean.device);
        return new AttackBatch(clean, labels, target, lower, upper) { Norm = _request.Protocol.Norm };
    }

    /// <summary>An attack that leaves the ε-ball or the valid range is a bug in the attack; never report its numbers.</summary>
    private static void CheckBounds(IAttack attack, AttackBatch batch, Tensor adversarial, AttackSettings settings)
    {
        double slack = 1e-5 * Math.Max(1, settings.Eps);
        double distance = batch.Norm.Of(adversarial - batch.Clean).max().item<float>();
        if (distance > settings.Eps + slack)
            throw new InvalidOperationException($"attack {attack.Name} moved an input by {distance} > {batch.Norm.Symbol} ε = {settings.Eps}");
        if (settings.ClampEachStep && (adversarial.lt(batch.Lower - slack).any().item<bool>() || adversarial.gt(batch.Upper + slack).any().item<bool>()))
            throw new InvalidOperationException($"attack {attack.Name} left the valid input range");
    }

    /// <summary>Whether two forward passes of the same images give the same class scores (AutoAttack's check for randomized defenses).</summary>
    private bool Deterministic(AttackSpace space, ImageData test, int[] images)
    {
        bool same = true;
        using var _ = torch.no_grad();
        ImageBatches.ForEach(test, images.Take(Math.Min(images.Length, _request.BatchSize)).ToArray(), _request.BatchSize, _target.Device, (pixels, labels, _) =>
        {
            Tensor input = space.FromPixels(pixels);
            same = space.Scores(input).equal(space.Scores(input)).all().item<bool>();
        });
        return same;
    }

    /// <summary>
    /// Robust accuracy of APGD (CE, then DLR) at the unbounded ε of the norm (L∞ 1, L2 √d, L1 d in pixels), where any image can become any other: it must be 0, or
    /// the attacks are not working (Carlini et al. 2019, "On Evaluating Adversarial Robustness"). On at most 100 images.
    /// </summary>
    private const int UnboundedImages = 100;

    private double UnboundedAccuracy(AttackSpace space, ImageData test, int[] attacked, Generator random, CancellationToken cancel)
    {
        int[] sample = attacked.Take(UnboundedImages).ToArray();
        if (sample.Length == 0) return 0;
        long[] allLabels = test.LabelArray();
        var apgd = AttackRegistry.Get("apgd");
        bool[] robust = Enumerable.Repeat(true, sample.Length).ToArray();
        foreach (AttackLoss loss in new[] { AttackLoss.CrossEntropy, AttackLoss.Dlr })
        {
            int[] open = Enumerable.Range(0, sample.Length).Where(i => robust[i]).ToArray();
            if (open.Length == 0) break;
            long[] shape = test.Images.shape;
            var settings = new AttackSettings { Eps = _request.Protocol.Norm.Largest(shape[1] * shape[2] * shape[3]), Loss = loss, Protocol = _request.Protocol, Options = _request.OptionsFor(apgd) };
            long[] predicted = Predict(space, test, open.Select(i => sample[i]).ToArray(), null, apgd, new AttackContext(space, null, random), settings, cancel);
            for (int k = 0; k < open.Length; k++) robust[open[k]] = predicted[k] == allLabels[sample[open[k]]];
        }
        return robust.Count(r => r) / (double)sample.Length;
    }

    /// <summary>Share of images whose (untargeted) attack-loss gradient at the clean input is exactly zero.</summary>
    private double ZeroGradientShare(AttackSpace space, ImageData test, int[] images, AttackProtocol protocol)
    {
        if (images.Length == 0) return 0;
        int zero = 0;
        ImageBatches.ForEach(test, images, _request.BatchSize, _target.Device, (pixels, labels, _) =>
        {
            AttackBatch batch = MakeBatch(space, pixels, labels, default);
            Tensor gradient = space.Gradient(batch.Clean, batch, protocol.Losses[0]);
            zero += (int)gradient.abs().flatten(1).amax(new long[] { 1 }).eq(0).sum().item<long>();
        });
        return zero / (double)images.Length;
    }
}
