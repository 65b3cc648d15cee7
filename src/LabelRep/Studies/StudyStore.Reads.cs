using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Runs;

namespace LabelRep.Studies;

/// <summary>What reporting and export read back.</summary>
public sealed partial class StudyStore
{
    public IReadOnlyList<(string Id, string Status, string Label, double Fraction)> RunStatus() =>
        Query("SELECT id, status, label, fraction FROM runs ORDER BY position", null, r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3)));

    public IReadOnlyList<RunResult> Results() => Query("""
        SELECT r.id, r.dataset, r.model, r.label, r.seed, r.fraction, r.epochs, m.train_images, m.test_accuracy, m.val_accuracy,
               m.best_epoch, m.train_seconds, m.parameters, m.label_bank
        FROM runs r JOIN metrics m ON m.run_id = r.id ORDER BY r.position
        """, null, r => new RunResult(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetDouble(5), r.GetInt32(6),
        r.GetInt32(7), r.GetDouble(8), r.GetDouble(9), r.GetInt32(10), r.GetDouble(11), r.GetInt64(12), r.IsDBNull(13) ? null : r.GetString(13)));

    public IReadOnlyList<RunAttackResult> AttackResults() => Query("""
        SELECT r.id, r.dataset, r.model, r.label, r.seed, a.protocol, a.attack, a.loss, a.targeted, a.eps, a.eps_pixels, a.steps, a.restarts,
               a.accuracy, a.target_hit_rate, a.images, a.source, a.seconds, a.suite, a.broke, a.targets, a.queries, a.forwards, a.backwards
        FROM attacks a JOIN runs r ON r.id = a.run_id ORDER BY r.position, a.protocol, a.targeted, a.attack, a.loss, a.eps
        """, null, r => new RunAttackResult(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), new AttackResult
    {
        Protocol = r.GetString(5), Attack = r.GetString(6), Loss = r.GetString(7), Targeted = r.GetInt64(8) != 0, Eps = r.GetDouble(9),
        EpsPixels = r.GetDouble(10), Steps = r.GetInt32(11), Restarts = r.GetInt32(12), Accuracy = r.GetDouble(13),
        TargetHitRate = r.IsDBNull(14) ? null : r.GetDouble(14), Images = r.GetInt32(15), Source = r.IsDBNull(16) ? null : r.GetString(16), Seconds = r.GetDouble(17),
        Suite = r.IsDBNull(18) ? null : r.GetString(18), Broke = r.IsDBNull(19) ? null : r.GetInt32(19), Targets = r.IsDBNull(20) ? null : r.GetInt32(20),
        Queries = r.IsDBNull(21) ? null : r.GetInt32(21), Forwards = r.IsDBNull(22) ? null : r.GetInt64(22), Backwards = r.IsDBNull(23) ? null : r.GetInt64(23),
    }));

    public IReadOnlyList<(string Label, string Protocol, string Check, string Message)> AttackFlags() => Query("""
        SELECT r.label, f.protocol, f.check_name, f.message FROM attack_flags f JOIN runs r ON r.id = f.run_id ORDER BY r.position, f.protocol, f.position
        """, null, r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    /// <summary>Every run's flags with the series each one is about (null: the whole evaluation).</summary>
    public IReadOnlyList<(string RunId, string Protocol, AttackFlag Flag)> RunFlags() => Query("""
        SELECT run_id, protocol, check_name, message, series FROM attack_flags ORDER BY run_id, protocol, position
        """, null, r => (r.GetString(0), r.GetString(1), new AttackFlag(r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4))));

    /// <summary>Every run's checks that ran, per protocol.</summary>
    public IReadOnlyList<(string RunId, string Protocol, AttackCheck Check)> RunChecks() => Query("""
        SELECT run_id, protocol, check_name, passed, images, detail FROM attack_checks ORDER BY run_id, protocol, check_name
        """, null, r => (r.GetString(0), r.GetString(1), new AttackCheck(r.GetString(2), r.GetInt64(3) != 0, r.IsDBNull(4) ? 0 : r.GetInt32(4), r.IsDBNull(5) ? "" : r.GetString(5))));

    /// <summary>Per run and protocol, the attacked classifier's number of classes (0 for a sweep recorded before it was kept).</summary>
    public IReadOnlyDictionary<(string RunId, string Protocol), int> SweepClasses() => Query("SELECT run_id, protocol, classes FROM attack_sweeps", null,
        r => (Key: (r.GetString(0), r.GetString(1)), Classes: r.IsDBNull(2) ? 0 : r.GetInt32(2))).ToDictionary(x => x.Key, x => x.Classes);

    /// <summary>Per run, protocol and minimum-norm attack (untargeted or targeted), every image's smallest fooling distance in sweep order (null: none found).</summary>
    public IReadOnlyList<ImageDistances> Distances() =>
        Query("SELECT run_id, protocol, attack, targeted, position, distance FROM image_distances ORDER BY run_id, protocol, attack, targeted, position", null,
                r => (Key: (Run: r.GetString(0), Protocol: r.GetString(1), Attack: r.GetString(2), Targeted: r.GetInt64(3) != 0), Distance: r.IsDBNull(5) ? (double?)null : r.GetDouble(5)))
            .GroupBy(x => x.Key)
            .Select(g => new ImageDistances(g.Key.Run, g.Key.Protocol, g.Key.Attack, g.Key.Targeted, g.Select(x => x.Distance).ToArray()))
            .ToArray();

    public IReadOnlyList<ImageResult> ImageResults() => Query("SELECT run_id, source, eps, targeted, images, bits FROM image_results ORDER BY run_id, source, eps, targeted",
        null, r => new ImageResult(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetInt64(3) != 0, r.GetInt32(4), r.GetString(5)));

    public IReadOnlyList<(string Dataset, LabelStats Stats)> LabelStatistics() => Query("""
        SELECT dataset, label, shape, dimension, min, max, entropy, entropy_std, pairwise_l2, pairwise_l2_std, normalized_l1, min_pairwise_l2, rank
        FROM label_stats ORDER BY dataset
        """, null,
        r => (r.GetString(0), new LabelStats(r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetDouble(4), r.GetDouble(5), 0, 0, r.GetDouble(6), r.GetDouble(7),
            r.GetDouble(8), r.GetDouble(9), r.GetDouble(10), r.IsDBNull(11) ? double.NaN : r.GetDouble(11), r.IsDBNull(12) ? -1 : r.GetInt32(12))));

    public IReadOnlyList<(string Dataset, string Label, int Class, byte[] Png)> LabelImages() =>
        Query("SELECT dataset, label, class, png FROM label_images ORDER BY dataset, label, class", null, r => (r.GetString(0), r.GetString(1), r.GetInt32(2), (byte[])r[3]));

    public IReadOnlyList<FeatureEmbedding> Features() => Query("""
        SELECT r.id, r.dataset, r.model, r.label, f.points_json, f.silhouette, f.centroid_accuracy FROM features f JOIN runs r ON r.id = f.run_id ORDER BY r.position
        """, null, r =>
        {
            using var doc = System.Text.Json.JsonDocument.Parse(r.GetString(4));
            double[] Read(string name) => doc.RootElement.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            return new FeatureEmbedding(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                new Embedding(Read("x"), Read("y"), Read("classes").Select(c => (int)c).ToArray(), r.GetDouble(5), r.GetDouble(6)));
        });

    public IReadOnlyList<(string RunId, EpochRecord Epoch)> Epochs() => Query("SELECT * FROM epochs ORDER BY run_id, epoch", null,
        r => (r.GetString(0), new EpochRecord(r.GetInt32(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6))));

    /// <summary>When the first run started and the last one finished (UTC, ISO 8601), if any did.</summary>
    public (string? Started, string? Finished) Span() =>
        Query("SELECT MIN(started_at), MAX(finished_at) FROM runs", null, r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1))).Single();
}
