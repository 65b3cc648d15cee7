using LabelRep.Training;

namespace LabelRep.Cli;

/// <summary>
/// Training and attack progress on the console: one rewritten line on a terminal (at most 5 updates a second), or a line
/// every 10% of an epoch (or of a sweep) when output is redirected; a summary line per finished epoch. A validation or
/// test shows its progress on a terminal; in a redirected log only one that runs long (a line every
/// <c>slowEvaluationEvery</c>, a minute by default), so short ones add no lines.
/// </summary>
public sealed class ProgressLine : IProgress<TrainProgress>, IProgress<LabelRep.Evaluation.AttackProgress>
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly string _prefix;
    private readonly TimeSpan _slowEvaluationEvery;
    private DateTime _last = DateTime.MinValue;
    private (string Phase, int Epoch) _evaluation;
    private DateTime _evaluationLogged;
    private int _lastDecile = -1;

    public ProgressLine(string prefix = "", TimeSpan? slowEvaluationEvery = null)
    {
        _prefix = prefix;
        _slowEvaluationEvery = slowEvaluationEvery ?? TimeSpan.FromMinutes(1);
    }

    public void Report(TrainProgress p)
    {
        switch (p.Phase)
        {
            case "epoch":
                Clear();
                Console.WriteLine($"{_prefix}epoch {p.Epoch}/{p.Epochs}  train loss {p.Loss:F4}  val acc {p.ValAccuracy:P2}");
                _lastDecile = -1;
                return;
            case "validate" or "test":
                string evaluating = $"{_prefix}epoch {p.Epoch}/{p.Epochs}  {(p.Phase == "test" ? "testing the best weights" : "validating")}  " +
                                    $"{p.Step}/{p.Steps} images  {p.ImagesPerSecond:F0} img/s  ETA {Format(p.Eta)}";
                if (!_interactive)
                {
                    // Redirected logs (a study, a Slurm job): the epoch's summary line, and a line now and then from a long evaluation.
                    if ((p.Phase, p.Epoch) != _evaluation) (_evaluation, _evaluationLogged) = ((p.Phase, p.Epoch), DateTime.UtcNow);
                    else if (p.Step < p.Steps && DateTime.UtcNow - _evaluationLogged >= _slowEvaluationEvery)
                    {
                        _evaluationLogged = DateTime.UtcNow;
                        Console.WriteLine(evaluating);
                    }
                }
                else if (p.Phase == "test" && p.Step == p.Steps)
                    Clear(); // the test ends training: whatever follows starts on a clean line
                else if (p.Step > 0)
                    Show(evaluating, p.Step, p.Steps);
                else
                    Write($"{_prefix}epoch {p.Epoch}/{p.Epochs}  validating…");
                return;
        }
        Show($"{_prefix}epoch {p.Epoch}/{p.Epochs}  step {p.Step}/{p.Steps}  loss {p.Loss:F4}  {p.ImagesPerSecond:F0} img/s  ETA {Format(p.Eta)}",
            p.Step, p.Steps);
    }

    /// <summary>
    /// Attack sweeps: the setting under attack (attack, loss, ε and its place in the grid), the images done of that
    /// setting's, the setting's place among the sweep's, the sweep's share done (in image attacks: one image under one
    /// setting), their speed and the ETA of the sweep.
    /// </summary>
    public void Report(LabelRep.Evaluation.AttackProgress p) =>
        Show($"{_prefix}{p.Setting}: images {p.SettingDone:N0}/{p.SettingImages:N0} attacked  setting {p.SettingNumber}/{p.Settings}  sweep {(p.Total == 0 ? 100 : 100.0 * p.Done / p.Total):F0}%  "
            + $"{p.ImagesPerSecond:F0} images/s  ETA {Format(p.Eta)}", p.Done, p.Total);

    /// <summary>Rewrites the line (at most 5 times a second, always at the end), or prints it once per tenth of the work when redirected.</summary>
    private void Show(string line, long done, long total)
    {
        if (_interactive)
        {
            if ((DateTime.UtcNow - _last).TotalMilliseconds < 200 && done != total) return;
            _last = DateTime.UtcNow;
            Write(line);
            return;
        }
        int decile = total == 0 ? 10 : (int)(done * 10 / total);
        if (decile == _lastDecile) return;
        _lastDecile = decile;
        Console.WriteLine(line);
    }

    /// <summary>Clears a rewritten line before other output follows.</summary>
    public void Done() => Clear();

    /// <summary>Whether a rewritten line is on the terminal now, without its newline.</summary>
    private static bool _lineOpen;

    /// <summary>Ends a rewritten line left on the terminal (keeping what it said), so an error printed next starts a line of its own.</summary>
    public static void EndOpenLine()
    {
        if (!_lineOpen) return;
        Console.WriteLine();
        _lineOpen = false;
    }

    private void Write(string line)
    {
        int width = Math.Max(20, SafeWidth() - 1);
        Console.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
        _lineOpen = true;
    }

    private void Clear()
    {
        if (!_interactive) return;
        Console.Write("\r" + new string(' ', Math.Max(20, SafeWidth() - 1)) + "\r");
        _lineOpen = false;
    }

    private static int SafeWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 100; }
        catch (IOException) { return 100; }
    }

    public static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
}
