using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Runs;

namespace LabelRep.Studies;

/// <summary>What a study records: each step in one transaction.</summary>
public sealed partial class StudyStore
{
    /// <summary>Records a finished training: its epochs and final metrics, in one transaction.</summary>
    public void RecordTraining(string runId, TrainMetrics m, IReadOnlyList<EpochRecord> epochs)
    {
        using var tx = _db.BeginTransaction();
        Execute("DELETE FROM epochs WHERE run_id = $id", tx, ("$id", runId));
        foreach (EpochRecord e in epochs)
        {
            Execute("INSERT INTO epochs VALUES ($id, $e, $lr, $tl, $vl, $va, $s)", tx, ("$id", runId), ("$e", e.Epoch), ("$lr", e.LearningRate),
                ("$tl", e.TrainLoss), ("$vl", e.ValLoss), ("$va", e.ValAccuracy), ("$s", e.Seconds));
        }
        Execute("""
            INSERT OR REPLACE INTO metrics (run_id, train_images, test_accuracy, test_loss, val_accuracy, val_loss, best_epoch, train_seconds,
              images_per_second, parameters, metrics_json, label_bank) VALUES ($id, $ti, $ta, $tl, $va, $vl, $be, $ts, $ips, $p, $json, $bank)
            """, tx, ("$id", runId), ("$ti", m.TrainImages), ("$ta", m.TestAccuracy), ("$tl", m.TestLoss), ("$va", m.ValAccuracy),
            ("$vl", m.ValLoss), ("$be", m.BestEpoch), ("$ts", m.TrainSeconds), ("$ips", m.ImagesPerSecond), ("$p", m.Parameters), ("$json", m.ToJson()),
            ("$bank", m.LabelBank));
        if (m.TestCorrect != null)
            Execute("INSERT OR REPLACE INTO image_results VALUES ($id, 'test', 0, 0, $n, $bits)", tx, ("$id", runId), ("$n", m.TestImages), ("$bits", m.TestCorrect));
        tx.Commit();
    }

    /// <summary>Records one protocol's attack report of a run (replacing an earlier one), in one transaction.</summary>
    public void RecordAttacks(string runId, AttackReport report)
    {
        using var tx = _db.BeginTransaction();
        Execute("DELETE FROM attacks WHERE run_id = $id AND protocol = $p", tx, ("$id", runId), ("$p", report.Protocol));
        Execute("DELETE FROM attack_flags WHERE run_id = $id AND protocol = $p", tx, ("$id", runId), ("$p", report.Protocol));
        Execute("DELETE FROM image_results WHERE run_id = $id AND source = $p", tx, ("$id", runId), ("$p", report.Protocol));
        Execute("DELETE FROM attack_checks WHERE run_id = $id AND protocol = $p", tx, ("$id", runId), ("$p", report.Protocol));
        Execute("DELETE FROM image_distances WHERE run_id = $id AND protocol = $p", tx, ("$id", runId), ("$p", report.Protocol));
        string norm = EpsUnit.Of(report.Protocol).Norm.Name;
        foreach (MinimalDistances series in report.Distances)
            for (int i = 0; i < series.Distances.Length; i++)
                Execute("INSERT INTO image_distances VALUES ($id, $p, $norm, $a, $t, $i, $d)", tx, ("$id", runId), ("$p", report.Protocol), ("$norm", norm),
                    ("$a", series.Attack), ("$t", series.Targeted ? 1 : 0), ("$i", i), ("$d", series.Distances[i]));
        Execute("INSERT OR REPLACE INTO attack_sweeps VALUES ($id, $p, $c, $n, $u)", tx, ("$id", runId), ("$p", report.Protocol), ("$c", report.Classes),
            ("$n", report.Images), ("$u", report.UnboundedAccuracy));
        foreach (AttackCheck check in report.Checks)
            Execute("INSERT INTO attack_checks VALUES ($id, $p, $c, $ok, $n, $d)", tx, ("$id", runId), ("$p", report.Protocol), ("$c", check.Name),
                ("$ok", check.Passed ? 1 : 0), ("$n", check.Images), ("$d", check.Detail));
        foreach (RobustImages robust in report.Robust)
            Execute("INSERT INTO image_results VALUES ($id, $p, $e, $t, $n, $bits)", tx, ("$id", runId), ("$p", report.Protocol), ("$e", robust.Eps),
                ("$t", robust.Targeted ? 1 : 0), ("$n", report.Images), ("$bits", robust.Bits));
        foreach (AttackResult r in report.Results)
        {
            Execute("""
                INSERT INTO attacks (run_id, protocol, attack, loss, targeted, eps, eps_pixels, steps, restarts, accuracy, target_hit_rate, images, source, seconds, suite, broke, targets, queries, forwards, backwards, norm)
                VALUES ($id, $p, $a, $l, $t, $e, $ep, $st, $rs, $acc, $hit, $n, $src, $sec, $suite, $broke, $targets, $q, $fw, $bw, $norm)
                """, tx, ("$norm", r.Norm.Name),
                ("$id", runId), ("$p", r.Protocol), ("$a", r.Attack), ("$l", r.Loss), ("$t", r.Targeted ? 1 : 0), ("$e", r.Eps), ("$ep", r.EpsPixels),
                ("$st", r.Steps), ("$rs", r.Restarts), ("$acc", r.Accuracy), ("$hit", r.TargetHitRate), ("$n", r.Images), ("$src", r.Source), ("$sec", r.Seconds),
                ("$suite", r.Suite), ("$broke", r.Broke), ("$targets", r.Targets), ("$q", r.Queries), ("$fw", r.Forwards), ("$bw", r.Backwards));
        }
        for (int i = 0; i < report.Flags.Count; i++)
            Execute("INSERT INTO attack_flags (run_id, protocol, position, check_name, message, series) VALUES ($id, $p, $i, $c, $m, $s)", tx,
                ("$id", runId), ("$p", report.Protocol), ("$i", i), ("$c", report.Flags[i].Check), ("$m", report.Flags[i].Message), ("$s", report.Flags[i].Series));
        tx.Commit();
    }

    public void RecordLabel(string dataset, LabelStats s, IReadOnlyList<byte[]> classImages)
    {
        using var tx = _db.BeginTransaction();
        Execute("""
            INSERT OR REPLACE INTO label_stats (dataset, label, shape, dimension, min, max, entropy, entropy_std, pairwise_l2, pairwise_l2_std,
              normalized_l1, min_pairwise_l2, rank) VALUES ($d, $l, $sh, $dim, $min, $max, $e, $es, $l2, $l2s, $l1, $l2min, $rank)
            """, tx,
            ("$d", dataset), ("$l", s.Kind), ("$sh", s.Shape), ("$dim", s.Dimension), ("$min", s.Min), ("$max", s.Max), ("$e", s.Entropy),
            ("$es", s.EntropyStd), ("$l2", s.PairwiseL2), ("$l2s", s.PairwiseL2Std), ("$l1", s.NormalizedL1),
            ("$l2min", double.IsNaN(s.MinPairwiseL2) ? null : s.MinPairwiseL2), ("$rank", s.Rank < 0 ? null : s.Rank));
        for (int c = 0; c < classImages.Count; c++)
            Execute("INSERT OR REPLACE INTO label_images VALUES ($d, $l, $c, $png)", tx, ("$d", dataset), ("$l", s.Kind), ("$c", c), ("$png", classImages[c]));
        tx.Commit();
    }

    /// <summary>
    /// Records what a cell's run folder holds (training, attacks, features) as the results of its run: what the local
    /// executor does after each cell and what 'study collect' does for every finished one. Idempotent.
    /// </summary>
    public void ImportCell(StudyCell cell)
    {
        RunDirectory dir = cell.Folder;
        StudyRun run = cell.Run;
        if (!dir.IsComplete) throw new LabelRepException($"{dir.Root}: the run has not finished training");
        var metrics = TrainMetrics.Read(dir.MetricsPath);
        RecordTraining(run.Id, metrics, CheckpointState.Read(dir.CheckpointPath, run.Config).History);
        foreach (AttackReport report in AttackFiles.Load(dir)) RecordAttacks(run.Id, report);
        if (run.Embedded && File.Exists(dir.Combine(StudyCell.FeaturesFile)))
            RecordFeatures(run.Id, new FeatureEmbedding(run.Id, run.Config.Dataset, run.Config.Model, run.Config.Label, StudyCell.ReadFeatures(dir)));
    }

    public void RecordFeatures(string runId, FeatureEmbedding f) =>
        Execute("INSERT OR REPLACE INTO features VALUES ($id, $json, $s, $c)", ("$id", runId),
            ("$json", System.Text.Json.JsonSerializer.Serialize(new { x = f.Embedding.X, y = f.Embedding.Y, classes = f.Embedding.Classes })),
            ("$s", f.Embedding.Silhouette), ("$c", f.Embedding.CentroidAccuracy));
}
