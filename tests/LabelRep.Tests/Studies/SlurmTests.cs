using System.Diagnostics;
using LabelRep.Studies;
using LabelRep.Studies.Executors;
using Xunit;

namespace LabelRep.Tests.Studies;

/// <summary>
/// A real single-node Slurm (Debian's slurm-wlm with munge) started for the tests in a temporary folder, on its own
/// ports, and stopped by pid when they end, whatever happened. Needs root (slurmd runs jobs as their user) and the
/// packages, which scripts/setup.sh --test installs; otherwise the tests say why they are skipped.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly List<string> _pidFiles = new();
    private readonly string? _oldConf = Environment.GetEnvironmentVariable("SLURM_CONF");
    private bool _startedMunge;

    public SlurmCluster()
    {
        if (!File.Exists("/usr/sbin/slurmctld") || !File.Exists("/usr/sbin/slurmd") || !File.Exists("/usr/sbin/munged"))
        {
            SkipReason = "Slurm is not installed: apt-get install -y slurm-wlm munge (scripts/setup.sh --test does it)";
            return;
        }
        if (Environment.UserName != "root")
        {
            SkipReason = "a test Slurm needs root (slurmd starts jobs as their user)";
            return;
        }
        Dir = TestData.TempDir("slurm");
        foreach (string d in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Dir, d));
        StartMunge();
        int port = 20000 + Environment.ProcessId % 20000;
        string host = Environment.MachineName;
        Conf = Path.Combine(Dir, "slurm.conf");
        File.WriteAllText(Conf, $"""
            ClusterName=labelreptest
            SlurmctldHost={host}
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort={port}
            SlurmdPort={port + 1}
            AuthType=auth/munge
            StateSaveLocation={Dir}/state
            SlurmdSpoolDir={Dir}/spool
            SlurmctldPidFile={Dir}/slurmctld.pid
            SlurmdPidFile={Dir}/slurmd.pid
            SlurmctldLogFile={Dir}/log/slurmctld.log
            SlurmdLogFile={Dir}/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            SchedulerType=sched/backfill
            ReturnToService=2
            MinJobAge=30
            JobRequeue=1
            KillWait=10
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            MpiDefault=none
            NodeName={host} CPUs={Environment.ProcessorCount} RealMemory=4000 State=UNKNOWN
            PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        Environment.SetEnvironmentVariable("SLURM_CONF", Conf);
        Start("/usr/sbin/slurmctld", "-f", Conf);
        _pidFiles.Add(Path.Combine(Dir, "slurmctld.pid"));
        Start("/usr/sbin/slurmd", "-f", Conf);
        _pidFiles.Add(Path.Combine(Dir, "slurmd.pid"));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (code, output, _) = SlurmStatus.Run("sinfo", new[] { "--noheader", "--format=%t" });
            if (code == 0 && output.Trim() is "idle" or "mix" or "alloc") return;
            Thread.Sleep(500);
        }
        SkipReason = "the test Slurm did not come up: " + File.ReadAllText(Path.Combine(Dir, "log", "slurmctld.log")).Split('\n').TakeLast(3).Aggregate((a, b) => a + " " + b);
    }

    public string? SkipReason { get; private set; }
    /// <summary>How often <see cref="WaitForEmptyQueue"/> saw a requeued job held back (and let it start).</summary>
    public int RequeuedSeen { get; private set; }
    public string Dir { get; } = "";
    public string Conf { get; } = "";

    private void StartMunge()
    {
        if (Process.GetProcessesByName("munged").Length > 0) return;
        Directory.CreateDirectory("/run/munge");
        Run("chown", "munge:munge", "/run/munge");
        Run("su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged");
        _startedMunge = true;
    }

    private static void Start(string daemon, params string[] args) => Run(daemon, args);

    private static void Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.WaitForExit(30_000);
    }

    /// <summary>
    /// Waits until none of the study's jobs is left in the queue. Slurm holds a requeued job for about two minutes
    /// before it may start again; with <paramref name="hurryRequeued"/> the test lets such a job start at once
    /// (scontrol update StartTime=now), which changes when it runs, not what it does.
    /// </summary>
    public void WaitForEmptyQueue(TimeSpan limit, bool hurryRequeued = false)
    {
        var clock = Stopwatch.StartNew();
        var pendingSince = new Dictionary<string, TimeSpan>();
        while (clock.Elapsed < limit)
        {
            var (_, output, _) = SlurmStatus.Run("squeue", new[] { "--noheader", "--format=%i|%T|%r" });
            if (output.Trim().Length == 0) return;
            if (hurryRequeued)
            {
                foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] f = line.Trim().Split('|');
                    if (f.Length != 3 || f[1] != "PENDING" || f[2] != "BeginTime") continue;
                    // slurmd revokes the old start's credential with one-second granularity: a start pulled into the
                    // same second is killed as "Job credential revoked" (seen in CI). Wait a few seconds first.
                    if (!pendingSince.TryGetValue(f[0], out TimeSpan since)) pendingSince[f[0]] = since = clock.Elapsed;
                    if (clock.Elapsed - since < TimeSpan.FromSeconds(5)) continue;
                    pendingSince.Remove(f[0]);
                    RequeuedSeen++;
                    SlurmStatus.Run("scontrol", new[] { "update", "JobId=" + f[0], "StartTime=now" });
                }
            }
            Thread.Sleep(1000);
        }
        throw new TimeoutException("Slurm jobs still queued after " + limit);
    }

    public void Dispose()
    {
        if (SkipReason != null && Dir.Length == 0) return;
        SlurmStatus.Run("scancel", new[] { "--user=root" });
        foreach (string pidFile in _pidFiles.AsEnumerable().Reverse())
        {
            if (!File.Exists(pidFile)) continue;
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                    p.WaitForExit(10_000);
                }
                catch (ArgumentException) { }
            }
        }
        if (_startedMunge && File.Exists("/run/munge/munged.pid") && int.TryParse(File.ReadAllText("/run/munge/munged.pid").Trim(), out int munge))
        {
            try { Process.GetProcessById(munge).Kill(); }
            catch (ArgumentException) { }
        }
        Environment.SetEnvironmentVariable("SLURM_CONF", _oldConf);
    }
}

/// <summary>A fact that needs the test Slurm; skipped with the fixture's reason where it cannot run.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!File.Exists("/usr/sbin/slurmctld")) Skip = "Slurm is not installed: apt-get install -y slurm-wlm munge (scripts/setup.sh --test does it)";
        else if (Environment.UserName != "root") Skip = "a test Slurm needs root";
    }
}

public class SlurmTests : IClassFixture<SlurmCluster>
{
    private readonly SlurmCluster _slurm;
    private static readonly string DataDir = TestData.WriteIdxDataset(train: 300, test: 48);

    public SlurmTests(SlurmCluster slurm) => _slurm = slurm;

    /// <summary>2 label kinds × 2 fractions, 1 epoch, a few hundred images, both paper protocols and the standard one with transfer.</summary>
    private static StudySpec Tiny(int epochs = 1) => new()
    {
        Name = "slurmtiny",
        DataDir = DataDir,
        Labels = new[] { "categorical", "random" },
        Fractions = new[] { 0.5 },
        MainFraction = 1.0,
        Epochs = epochs,
        ValidationCount = 48,
        Attack = new StudyAttackSpec
        {
            Limit = 12, StandardEps = new[] { 0, 0.05 }, PaperEps = new[] { 0, 0.2 }, Steps = 2, Queries = 8,
            StandardAttacks = new[] { "fgsm", "pgd", "square" },
        },
        TsneImages = 40,
    };

    private static string Content(string dir) => StudyTests.Content(dir);

    private (int Code, string Output) Submit(string spec, string dir, params string[] extra)
    {
        var (code, output, err) = Cli.CliRunner.Run(new[] { "study", "--spec", spec, "--out", dir, "--executor", "slurm", "--cpus-per-task", "1" }.Concat(extra).ToArray());
        return (code, output + err);
    }

    private static string WriteSpec(StudySpec spec)
    {
        string path = Path.Combine(TestData.TempDir("spec"), "spec.json");
        File.WriteAllText(path, spec.ToJson());
        return path;
    }

    [SlurmFact]
    public void A_tiny_grid_through_slurm_equals_the_same_grid_run_locally_and_status_sees_every_state()
    {
        Assert.Null(_slurm.SkipReason);
        string local = TestData.TempDir("slurm-local"), cluster = TestData.TempDir("slurm-cluster");
        try
        {
            Assert.Equal(0, new StudyRunner(local, Tiny(), "cpu", threads: 1).Run());
        }
        finally
        {
            LabelRep.Native.TorchRuntime.SetThreads(2);
        }
        string spec = WriteSpec(Tiny());

        var (code, output) = Submit(spec, cluster);
        Assert.True(code == 0, output);
        Assert.Contains("submitted job", output);
        var early = SlurmStatus.Of(cluster, StudySpec.Read(Path.Combine(cluster, "spec.json")));
        Assert.Contains(early, c => c.State is "pending" or "running");
        _slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(6));

        Assert.All(SlurmStatus.Of(cluster, Tiny()), c => Assert.Equal("done", c.State));
        Assert.Equal(Content(local), Content(cluster));
        Assert.True(File.Exists(Path.Combine(cluster, "report.html")), "the collect job wrote no report");
        // Submitting again finds nothing to do; collecting again gives the same database.
        Assert.Contains("every cell of the study is done", Submit(spec, cluster).Output);
        Assert.Equal(0, Cli.CliRunner.Run("study", "collect", "--study", cluster).Code);
        Assert.Equal(Content(local), Content(cluster));
    }

    [SlurmFact]
    public void A_cell_cancelled_mid_training_is_failed_and_the_rerun_gives_the_same_database()
    {
        Assert.Null(_slurm.SkipReason);
        StudySpec longer = Tiny(epochs: 4) with { Name = "slurmcancel", Fractions = Array.Empty<double>(), Labels = new[] { "categorical" } };
        string local = TestData.TempDir("cancel-local"), cluster = TestData.TempDir("cancel-cluster");
        try
        {
            Assert.Equal(0, new StudyRunner(local, longer, "cpu", threads: 1).Run());
        }
        finally
        {
            LabelRep.Native.TorchRuntime.SetThreads(2);
        }
        string spec = WriteSpec(longer);
        Assert.Equal(0, Submit(spec, cluster).Code);

        // When the cell has a checkpoint (an epoch or more done), cancel its task, as a user or an admin would.
        string checkpoint = StudyCell.FolderOf(cluster, longer.Runs(_ => 300)[0]).CheckpointPath;
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(200);
        Assert.True(File.Exists(checkpoint), "the cell never wrote a checkpoint");
        var cellJob = SlurmStatus.Queued(cluster)[0];
        SlurmStatus.Run("scancel", new[] { $"{cellJob}_0" });
        _slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(4));
        CellStatus cancelled = SlurmStatus.Of(cluster, longer).Single();
        Assert.Equal("failed", cancelled.State);

        var (code, output) = Submit(spec, cluster);
        Assert.True(code == 0, output);
        _slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(4));
        Assert.Equal("done", SlurmStatus.Of(cluster, longer).Single().State);
        Assert.Equal(Content(local), Content(cluster));
    }

    [SlurmFact]
    public void A_cell_that_hits_a_short_time_limit_checkpoints_requeues_and_ends_with_the_same_numbers()
    {
        Assert.Null(_slurm.SkipReason);
        // A one-minute limit with the warning due 59 s ahead: slurmctld sends SIGUSR1 at its first time-limit check
        // after the job's first second, and it checks every 30 s, so the warning lands 1–31 s after each start. The
        // cell must train for longer than that on this CPU, or it may finish before any warning: its epoch count is
        // chosen from the training time of a one-epoch run (start-up and evaluation left out) so that an uninterrupted
        // cell trains for about 45 s on one thread. Each start makes progress (the cell checkpoints mid-epoch) and the
        // cell finishes after one or more requeues.
        string data = TestData.WriteIdxDataset(train: 6000, test: 48, seed: 5);
        StudySpec slow = Tiny(epochs: 1) with
        {
            Name = "slurmtime",
            DataDir = data,
            Fractions = Array.Empty<double>(),
            Labels = new[] { "categorical" },
            Attack = new StudyAttackSpec { Protocols = Array.Empty<string>() },
            TsneImages = 0,
        };
        string local = TestData.TempDir("time-local"), cluster = TestData.TempDir("time-cluster");
        try
        {
            string calibrate = TestData.TempDir("time-calibrate");
            Assert.Equal(0, new StudyRunner(calibrate, slow, "cpu", threads: 1).Run());
            double epochSeconds = LabelRep.Runs.TrainMetrics.Read(Directory.GetFiles(calibrate, "metrics.json", SearchOption.AllDirectories).Single()).TrainSeconds;
            slow = slow with { Epochs = Math.Clamp((int)Math.Ceiling(45 / Math.Max(epochSeconds, 0.1)), 6, 100) };
            Assert.Equal(0, new StudyRunner(local, slow, "cpu", threads: 1).Run());
        }
        finally
        {
            LabelRep.Native.TorchRuntime.SetThreads(2);
        }

        var (code, output) = Submit(WriteSpec(slow), cluster, "--time", "1", "--signal-seconds", "59");
        Assert.True(code == 0, output);
        Assert.Contains("#SBATCH --signal=B:USR1@59", File.ReadAllText(Path.Combine(cluster, "slurm", "cells.sbatch")));
        _slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(8), hurryRequeued: true);

        string log = File.ReadAllText(Path.Combine(cluster, "slurm", "logs", "cell-0.out"));
        Assert.True(log.Contains("checkpointing cell 0 and requeueing it"), $"no warning reached the cell ({slow.Epochs} epochs):\n{log}");
        Assert.Contains("resuming from its last checkpoint", log);
        Assert.Equal("done", SlurmStatus.Of(cluster, slow).Single().State);
        Assert.Equal(Content(local), Content(cluster));
    }
}

/// <summary>The submission's options, checked before anything reaches sbatch (no cluster needed).</summary>
public class SlurmOptionTests
{
    [Fact]
    public void A_directive_keeps_spaces_and_quotes_inside_its_value_and_refuses_a_line_break()
    {
        Assert.Equal("#SBATCH --output=\"/data/my study/\\\"q\\\"/cell-%a.out\"\n", SlurmExecutor.Directive("--output", "/data/my study/\"q\"/cell-%a.out", "--out"));
        var e = Assert.Throws<LabelRepException>(() => SlurmExecutor.Directive("--output", "/data/x\ntouch y", "--out"));
        Assert.StartsWith("--out '/data/x touch y': a line break cannot be written", e.Message);
    }

    [Theory]
    [InlineData("90", 5400)]
    [InlineData("90:30", 5430)]
    [InlineData("04:00:00", 14400)]
    [InlineData("1-12", 129600)]
    [InlineData("1-12:30", 131400)]
    [InlineData("2-00:00:10", 172810)]
    public void Walltimes_in_sbatchs_formats_are_read_in_seconds(string time, long seconds) =>
        Assert.Equal(seconds, SlurmExecutor.TimeLimitSeconds(time));

    [Theory]
    [InlineData("abc")]
    [InlineData("4h")]
    [InlineData("1:99:00")]
    [InlineData("00:00:00")]
    [InlineData("-5")]
    [InlineData("1-2-3")]
    public void A_walltime_sbatch_would_refuse_is_one_clear_error(string time)
    {
        var e = Assert.Throws<LabelRepException>(() => new SlurmExecutor(new SlurmOptions { Time = time }));
        Assert.Contains($"--time '{time}'", e.Message);
    }

    [Fact]
    public void A_warning_no_earlier_than_the_start_is_refused_and_an_unlimited_walltime_is_accepted()
    {
        var e = Assert.Throws<LabelRepException>(() => new SlurmExecutor(new SlurmOptions { Time = "2", WarningSeconds = 120 }));
        Assert.Contains("--signal-seconds 120", e.Message);
        Assert.Null(SlurmExecutor.TimeLimitSeconds("UNLIMITED"));
        _ = new SlurmExecutor(new SlurmOptions { Time = "INFINITE" });
        _ = new SlurmExecutor(new SlurmOptions { Time = "00:05:00", WarningSeconds = 120 });
    }
}
