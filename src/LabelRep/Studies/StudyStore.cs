using System.Globalization;
using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Runs;
using Microsoft.Data.Sqlite;

namespace LabelRep.Studies;

/// <summary>A study's results row for one run: its configuration's keys and its final metrics.</summary>
public sealed record RunResult(string Id, string Dataset, string Model, string Label, int Seed, double Fraction, int Epochs,
    int TrainImages, double TestAccuracy, double ValAccuracy, int BestEpoch, double TrainSeconds, long Parameters, string? LabelBank = null);

/// <summary>An attack result of one run (a row of attacks.csv) with the run's identity.</summary>
public sealed record RunAttackResult(string RunId, string Dataset, string Model, string Label, int Seed, AttackResult Result);

/// <summary>A run's 2-D t-SNE of penultimate features of test images (<see cref="Evaluation.Embedding"/>), with the run's identity.</summary>
public sealed record FeatureEmbedding(string RunId, string Dataset, string Model, string Label, Embedding Embedding);

/// <summary>
/// The study's SQLite database (results.db): the spec, every run (identity = configuration hash) with its status and
/// timings, per-epoch and final metrics, attack results and flags, label statistics and images, feature embeddings.
/// WAL mode and one transaction per recorded step, so a killed process never leaves half a result, and two processes
/// can share a study: a run is claimed by one process at a time.
/// </summary>
public sealed class StudyStore : IDisposable
{
    private readonly SqliteConnection _db;

    /// <summary>The tables every LabelRep results database has.</summary>
    private static readonly string[] Tables = { "study", "runs", "epochs", "metrics", "attacks", "attack_flags", "label_stats", "label_images", "features" };

    /// <summary>The per-image results of a run: "test" (classified correctly) or a protocol's worst case at an ε.</summary>
    public sealed record ImageResult(string RunId, string Source, double Eps, bool Targeted, int Images, string Bits)
    {
        public bool[] Values => Evaluation.ImageBits.Decode(Bits, Images);
    }

    /// <summary>Opens the study's database for writing, creating it if it does not exist; a file that is not a LabelRep results database is an error, untouched.</summary>
    public StudyStore(string path) : this(path, mustExist: false)
    {
    }

    /// <param name="mustExist">Open only a database that is there and has the schema (report, export, status); else create one.</param>
    private StudyStore(string path, bool mustExist)
    {
        Path = System.IO.Path.GetFullPath(path);
        bool exists = System.IO.Path.Exists(Path);
        if (exists) IO.InputFile.RequireRegular(Path, "results database");
        else if (mustExist) throw new LabelRepException($"{Path}: no such results database; give the folder of a 'labelrep study' run");
        bool empty = !exists || new FileInfo(Path).Length == 0;
        if (!exists) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path, Pooling = false, DefaultTimeout = 60, Mode = mustExist ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
        }.ToString());
        try
        {
            _db.Open();
            // An existing database must be ours before anything is written into it.
            if (!empty || mustExist) CheckSchema();
            Execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=60000; PRAGMA synchronous=NORMAL;");
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new LabelRepException($"{Path}: not a LabelRep results database ({e.Message.Split('\n')[0].Replace("SQLite Error ", "SQLite error ")}); give the folder of a 'labelrep study' run");
        }
        catch (LabelRepException)
        {
            _db.Dispose();
            throw;
        }
        Execute("""
            CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, position INTEGER NOT NULL, config_json TEXT NOT NULL, dataset TEXT NOT NULL, model TEXT NOT NULL,
              label TEXT NOT NULL, seed INTEGER NOT NULL, fraction REAL NOT NULL, epochs INTEGER NOT NULL,
              attacked INTEGER NOT NULL, embedded INTEGER NOT NULL,
              status TEXT NOT NULL DEFAULT 'pending', owner TEXT, claimed_at TEXT, started_at TEXT, finished_at TEXT, error TEXT);
            CREATE TABLE IF NOT EXISTS epochs (
              run_id TEXT NOT NULL, epoch INTEGER NOT NULL, lr REAL, train_loss REAL, val_loss REAL, val_accuracy REAL, seconds REAL,
              PRIMARY KEY (run_id, epoch));
            CREATE TABLE IF NOT EXISTS metrics (
              run_id TEXT PRIMARY KEY, train_images INTEGER, test_accuracy REAL, test_loss REAL, val_accuracy REAL, val_loss REAL,
              best_epoch INTEGER, train_seconds REAL, images_per_second REAL, parameters INTEGER, metrics_json TEXT, label_bank TEXT);
            CREATE TABLE IF NOT EXISTS attacks (
              run_id TEXT NOT NULL, protocol TEXT NOT NULL, attack TEXT NOT NULL, loss TEXT NOT NULL, targeted INTEGER NOT NULL,
              eps REAL NOT NULL, eps_pixels REAL, steps INTEGER, restarts INTEGER, accuracy REAL, target_hit_rate REAL, images INTEGER,
              source TEXT, seconds REAL, suite TEXT, broke INTEGER, targets INTEGER, PRIMARY KEY (run_id, protocol, attack, loss, targeted, eps));
            CREATE TABLE IF NOT EXISTS attack_flags (run_id TEXT NOT NULL, protocol TEXT NOT NULL, position INTEGER NOT NULL, check_name TEXT, message TEXT,
              series TEXT, PRIMARY KEY (run_id, protocol, position));
            CREATE TABLE IF NOT EXISTS label_stats (dataset TEXT NOT NULL, label TEXT NOT NULL, shape TEXT, dimension INTEGER, min REAL, max REAL,
              entropy REAL, entropy_std REAL, pairwise_l2 REAL, pairwise_l2_std REAL, normalized_l1 REAL, PRIMARY KEY (dataset, label));
            CREATE TABLE IF NOT EXISTS label_images (dataset TEXT NOT NULL, label TEXT NOT NULL, class INTEGER NOT NULL, png BLOB NOT NULL,
              PRIMARY KEY (dataset, label, class));
            CREATE TABLE IF NOT EXISTS features (run_id TEXT PRIMARY KEY, points_json TEXT NOT NULL, silhouette REAL, centroid_accuracy REAL);
            CREATE TABLE IF NOT EXISTS image_results (run_id TEXT NOT NULL, source TEXT NOT NULL, eps REAL NOT NULL, targeted INTEGER NOT NULL,
              images INTEGER NOT NULL, bits TEXT NOT NULL, PRIMARY KEY (run_id, source, eps, targeted));
            """);
        Migrate();
    }

    public string Path { get; }

    /// <summary>Opens an existing results database (report, export, status); one that fails the schema check is never written to.</summary>
    public static StudyStore OpenExisting(string path) => new(path, mustExist: true);

    private void CheckSchema()
    {
        var present = Query("SELECT name FROM sqlite_master WHERE type = 'table'", null, r => r.GetString(0)).ToHashSet();
        string[] missing = Tables.Where(t => !present.Contains(t)).ToArray();
        if (missing.Length > 0)
            throw new LabelRepException($"{Path}: not a LabelRep results database (no table {string.Join(", ", missing)}); give the folder of a 'labelrep study' run");
    }

    /// <summary>Adds the columns later versions added to a database an earlier version made.</summary>
    private void Migrate()
    {
        void AddColumn(string table, string column, string type)
        {
            if (!Query($"SELECT name FROM pragma_table_info('{table}')", null, r => r.GetString(0)).Contains(column))
                Execute($"ALTER TABLE {table} ADD COLUMN {column} {type}");
        }
        AddColumn("metrics", "label_bank", "TEXT");
        AddColumn("attacks", "suite", "TEXT");
        AddColumn("attacks", "broke", "INTEGER");
        AddColumn("attacks", "targets", "INTEGER");
        AddColumn("attack_flags", "series", "TEXT");
        AddColumn("label_stats", "min_pairwise_l2", "REAL");
        AddColumn("label_stats", "rank", "INTEGER");
    }

    /// <summary>This process's name in the owner column: host, process id and start time.</summary>
    /// <summary>This process as a claim owner: host, pid and the pid's start time (so a reused pid is not taken for a live owner).</summary>
    public static string Me { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{StartToken(Environment.ProcessId)}";

    /// <summary>
    /// When process <paramref name="pid"/> started, stable across calls: Linux's start time in clock ticks since boot
    /// (/proc/PID/stat, field 22). .NET's Process.StartTime is derived from the current clock on every call and differs
    /// between calls by microseconds, so it cannot identify a process exactly. Null when the process does not exist.
    /// </summary>
    internal static string? StartToken(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19]; // field 22 of the file; the list after the command name starts at field 3
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                return p.StartTime.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }

    public string? GetValue(string key) => Scalar<string>("SELECT value FROM study WHERE key = $k", ("$k", key));

    public void SetValue(string key, string value) =>
        Execute("INSERT INTO study (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

    /// <summary>Adds runs not yet known (in order); known runs keep their status.</summary>
    public void AddRuns(IReadOnlyList<StudyRun> runs)
    {
        using var tx = _db.BeginTransaction();
        for (int i = 0; i < runs.Count; i++)
        {
            StudyRun r = runs[i];
            Execute("""
                INSERT INTO runs (id, position, config_json, dataset, model, label, seed, fraction, epochs, attacked, embedded)
                VALUES ($id, $pos, $json, $d, $m, $l, $s, $f, $e, $a, $t) ON CONFLICT(id) DO NOTHING
                """, tx, ("$id", r.Id), ("$pos", i), ("$json", r.Config.ToJson()), ("$d", r.Config.Dataset), ("$m", r.Config.Model),
                ("$l", r.Arm), ("$s", r.Config.Seed), ("$f", r.Config.Fraction), ("$e", r.Config.Epochs),
                ("$a", r.Attacked ? 1 : 0), ("$t", r.Embedded ? 1 : 0));
        }
        tx.Commit();
    }

    /// <summary>
    /// Claims the run for this process unless it is done or held by a live process. A claim whose owner is a dead
    /// process on this host (a kill -9) is taken over.
    /// </summary>
    public bool TryClaim(string runId)
    {
        using var tx = _db.BeginTransaction(System.Data.IsolationLevel.Serializable);
        var row = Query("SELECT status, owner FROM runs WHERE id = $id", tx, r => (Status: r.GetString(0), Owner: r.IsDBNull(1) ? null : r.GetString(1)), ("$id", runId)).SingleOrDefault();
        if (row.Status is null || row.Status == "done") return false;
        if (row.Status == "running" && row.Owner != Me && OwnerAlive(row.Owner)) return false;
        Execute("UPDATE runs SET status = 'running', owner = $o, claimed_at = $t, started_at = COALESCE(started_at, $t), error = NULL WHERE id = $id",
            tx, ("$o", Me), ("$t", Now()), ("$id", runId));
        tx.Commit();
        return true;
    }

    private static bool OwnerAlive(string? owner)
    {
        if (owner is null) return false;
        string[] parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName) return true; // another host: trust its claim
        return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && StartToken(pid) == parts[2];
    }

    public void Release(string runId, string? error) =>
        Execute("UPDATE runs SET status = $s, owner = NULL, error = $e WHERE id = $id AND owner = $o",
            ("$s", error is null ? "pending" : "failed"), ("$e", error), ("$id", runId), ("$o", Me));

    /// <summary>The run's status: pending, running, done or failed (null for an unknown run).</summary>
    public string? StatusOf(string runId) => Scalar<string>("SELECT status FROM runs WHERE id = $id", ("$id", runId));

    public void MarkDone(string runId) =>
        Execute("UPDATE runs SET status = 'done', owner = NULL, finished_at = $t WHERE id = $id", ("$t", Now()), ("$id", runId));

    public bool HasMetrics(string runId) => Scalar<long>("SELECT COUNT(*) FROM metrics WHERE run_id = $id", ("$id", runId)) > 0;
    public bool HasAttacks(string runId, string protocol) => Scalar<long>("SELECT COUNT(*) FROM attacks WHERE run_id = $id AND protocol = $p", ("$id", runId), ("$p", protocol)) > 0;
    public bool HasFeatures(string runId) => Scalar<long>("SELECT COUNT(*) FROM features WHERE run_id = $id", ("$id", runId)) > 0;
    public bool HasLabel(string dataset, string label) => Scalar<long>("SELECT COUNT(*) FROM label_stats WHERE dataset = $d AND label = $l", ("$d", dataset), ("$l", label)) > 0;

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
        foreach (RobustImages robust in report.Robust)
            Execute("INSERT INTO image_results VALUES ($id, $p, $e, $t, $n, $bits)", tx, ("$id", runId), ("$p", report.Protocol), ("$e", robust.Eps),
                ("$t", robust.Targeted ? 1 : 0), ("$n", report.Images), ("$bits", robust.Bits));
        foreach (AttackResult r in report.Results)
        {
            Execute("""
                INSERT INTO attacks (run_id, protocol, attack, loss, targeted, eps, eps_pixels, steps, restarts, accuracy, target_hit_rate, images, source, seconds, suite, broke, targets)
                VALUES ($id, $p, $a, $l, $t, $e, $ep, $st, $rs, $acc, $hit, $n, $src, $sec, $suite, $broke, $targets)
                """, tx,
                ("$id", runId), ("$p", r.Protocol), ("$a", r.Attack), ("$l", r.Loss), ("$t", r.Targeted ? 1 : 0), ("$e", r.Eps), ("$ep", r.EpsPixels),
                ("$st", r.Steps), ("$rs", r.Restarts), ("$acc", r.Accuracy), ("$hit", r.TargetHitRate), ("$n", r.Images), ("$src", r.Source), ("$sec", r.Seconds),
                ("$suite", r.Suite), ("$broke", r.Broke), ("$targets", r.Targets));
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
               a.accuracy, a.target_hit_rate, a.images, a.source, a.seconds, a.suite, a.broke, a.targets
        FROM attacks a JOIN runs r ON r.id = a.run_id ORDER BY r.position, a.protocol, a.targeted, a.attack, a.loss, a.eps
        """, null, r => new RunAttackResult(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), new AttackResult
    {
        Protocol = r.GetString(5), Attack = r.GetString(6), Loss = r.GetString(7), Targeted = r.GetInt64(8) != 0, Eps = r.GetDouble(9),
        EpsPixels = r.GetDouble(10), Steps = r.GetInt32(11), Restarts = r.GetInt32(12), Accuracy = r.GetDouble(13),
        TargetHitRate = r.IsDBNull(14) ? null : r.GetDouble(14), Images = r.GetInt32(15), Source = r.IsDBNull(16) ? null : r.GetString(16), Seconds = r.GetDouble(17),
        Suite = r.IsDBNull(18) ? null : r.GetString(18), Broke = r.IsDBNull(19) ? null : r.GetInt32(19), Targets = r.IsDBNull(20) ? null : r.GetInt32(20),
    }));

    public IReadOnlyList<(string Label, string Protocol, string Check, string Message)> AttackFlags() => Query("""
        SELECT r.label, f.protocol, f.check_name, f.message FROM attack_flags f JOIN runs r ON r.id = f.run_id ORDER BY r.position, f.protocol, f.position
        """, null, r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    /// <summary>Every run's flags with the series each one is about (null: the whole evaluation).</summary>
    public IReadOnlyList<(string RunId, string Protocol, AttackFlag Flag)> RunFlags() => Query("""
        SELECT run_id, protocol, check_name, message, series FROM attack_flags ORDER BY run_id, protocol, position
        """, null, r => (r.GetString(0), r.GetString(1), new AttackFlag(r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4))));

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

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private void Execute(string sql, params (string, object?)[] args) => Execute(sql, null, args);

    private void Execute(string sql, SqliteTransaction? tx, params (string, object?)[] args)
    {
        using var cmd = Command(sql, tx, args);
        cmd.ExecuteNonQuery();
    }

    private T? Scalar<T>(string sql, params (string, object?)[] args)
    {
        using var cmd = Command(sql, null, args);
        object? value = cmd.ExecuteScalar();
        return value is null or DBNull ? default : (T)value;
    }

    private List<T> Query<T>(string sql, SqliteTransaction? tx, Func<SqliteDataReader, T> read, params (string, object?)[] args)
    {
        using var cmd = Command(sql, tx, args);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx, (string, object?)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public void Dispose() => _db.Dispose();
}
