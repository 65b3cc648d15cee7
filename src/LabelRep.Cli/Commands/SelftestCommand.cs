using System.CommandLine;
using System.Diagnostics;
using LabelRep.Reporting;

namespace LabelRep.Cli.Commands;

/// <summary>
/// <c>labelrep selftest calibration</c>: simulated studies with a known truth through the claims' own interval and
/// verdict code; one line per (seeds, images) setting on stdout, progress and the check on stderr; exit 1 when a setting
/// with enough seeds for a verdict misses the requirement (docs/statistics.md).
/// </summary>
public static class SelftestCommand
{
    public const int DefaultStudies = 2000;

    /// <summary>Two-sided coverage a setting with a verdict must reach, and the most false "supported" verdicts it may give.</summary>
    public const double CoverageLow = 0.935, CoverageHigh = 0.965, FalseSupportedMost = 0.035;

    public static Command Create()
    {
        var studies = new Option<int>("--studies") { Description = $"simulated studies per setting (100 to 1,000,000; default {DefaultStudies:N0})", DefaultValueFactory = _ => DefaultStudies };
        studies.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 100 or > 1_000_000) r.AddError("--studies must be from 100 to 1,000,000");
        });
        var calibration = new Command("calibration", "Check the claims' 95% intervals and verdicts on simulated studies with a known truth");
        calibration.Options.Add(studies);
        calibration.SetAction(r => CliErrors.Run(cancel => Calibrate(r.GetValue(studies), cancel)));
        var command = new Command("selftest", "Self-tests of LabelRep's statistics");
        command.Subcommands.Add(calibration);
        return command;
    }

    private static int Calibrate(int studies, CancellationToken cancel)
    {
        int failures = 0;
        int settings = Calibration.Designs.Length * Calibration.SeedCounts.Length, done = 0;
        var clock = Stopwatch.StartNew();
        foreach (CalibrationDesign design in Calibration.Designs)
            foreach (int seeds in Calibration.SeedCounts)
            {
                Console.Error.WriteLine($"[{done + 1}/{settings}] {design.Name}: {seeds} seeds, {studies:N0} simulated studies" +
                                        (done > 0 ? $", ETA {TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (settings - done)):m\\:ss}" : ""));
                CalibrationResult result = Calibration.Run(design, seeds, studies, cancel: cancel);
                Console.WriteLine(result.Line());
                done++;
                if (seeds < Claims.MinSeeds)
                {
                    if (result.FalseSupported > 0) { failures++; Console.Error.WriteLine($"  {seeds} seeds gave a verdict, though a verdict needs {Claims.MinSeeds}"); }
                    continue;
                }
                if (result.Coverage is < CoverageLow or > CoverageHigh)
                {
                    failures++;
                    Console.Error.WriteLine($"  coverage {result.Coverage:P2} is outside [{CoverageLow:P1}, {CoverageHigh:P1}]");
                }
                if (result.FalseSupported > FalseSupportedMost)
                {
                    failures++;
                    Console.Error.WriteLine($"  false 'supported' {result.FalseSupported:P2} is above {FalseSupportedMost:P1}");
                }
            }
        Console.Error.WriteLine(failures == 0
            ? $"calibration holds: every setting with at least {Claims.MinSeeds} seeds covers within [{CoverageLow:P1}, {CoverageHigh:P1}] with at most {FalseSupportedMost:P1} false 'supported' ({clock.Elapsed.TotalSeconds:0} s)"
            : $"calibration fails in {failures} check(s)");
        return failures == 0 ? 0 : 1;
    }
}
