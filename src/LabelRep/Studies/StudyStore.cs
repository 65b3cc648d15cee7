using System.Globalization;
using LabelRep.Evaluation;
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
public sealed partial class StudyStore : IDisposable
{
    private readonly SqliteConnection _db;

    /// <summary>The tables every LabelRep results database has.</summary>
    private static readonly string[] Tables = { "study", "runs", "epochs", "metrics", "attacks", "attack_flags", "label_stats", "label_images", "features" };

    /// <summary>The per-image results of a run: "test" (classified correctly) or a protocol's worst case at an ε.</summary>
    /// <summary>One minimum-norm attack's distances on one run's sweep images (null: no fooling point found).</summary>
    public sealed record ImageDistances(string RunId, string Protocol, string Attack, bool Targeted, double?[] Distances);

    public sealed record ImageResult(string RunId, string Source, double Eps, bool Targeted, int Images, string Bits)
    {
        public bool[] Values => Evaluation.ImageBits.Decode(Bits, Images);
    }

    /// <summary>Opens the study's database for writing, creating it if it does not exist; a file that is not a LabelRep results database is an error, untouched.</summary>
    public StudyStore(string path) : this(path, readOnly: false)
    {
    }

    /// <param name="readOnly">Open only a database that is there and has the schema, read-only (report, export, status, plan); else open or create one to write.</param>
    /// <param name="halfMadeIsEmpty">Read a database LabelRep left half made as an empty one (else it is refused with how to rebuild it).</param>
    private StudyStore(string path, bool readOnly, bool halfMadeIsEmpty = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        bool exists = System.IO.Path.Exists(Path);
        if (exists) IO.InputFile.RequireRegular(Path, "results database");
        else if (readOnly) throw new LabelRepException($"{Path}: no such results database; give the folder of a 'labelrep study' run");
        bool empty = !exists || new FileInfo(Path).Length == 0;
        if (!exists) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path, Pooling = false, DefaultTimeout = 60, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        }.ToString());
        try
        {
            _db.Open();
            if (readOnly)
            {
                bool halfMade = HalfMade();
                if (halfMade && !halfMadeIsEmpty)
                    throw new LabelRepException($"{Path}: LabelRep left this results database half made (no run recorded yet); rerun 'labelrep study' on the folder to rebuild it");
                if (!halfMade) CheckSchema();
                // A database from an older LabelRep lacks later tables or columns: read a copy in memory, upgraded there
                // (one LabelRep left half made holds nothing yet: an empty one); the file is never written.
                if (halfMade || !Current())
                {
                    var memory = new SqliteConnection("Data Source=:memory:");
                    memory.Open();
                    if (!halfMade) _db.BackupDatabase(memory);
                    _db.Dispose();
                    _db = memory;
                    CreateSchema();
                    Migrate();
                }
                return;
            }
            // An existing database must be ours before anything is written into it; one LabelRep left half made (some of
            // its tables, no run recorded, as a full disk could leave it) is rebuilt: it holds nothing a rerun does not write again.
            if (!empty)
            {
                if (HalfMade()) DropTables();
                else CheckSchema();
            }
            Execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=60000; PRAGMA synchronous=NORMAL;");
            CreateSchema();
            Migrate();
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new LabelRepException(e.SqliteErrorCode is 13 /* SQLITE_FULL */ or 10 /* SQLITE_IOERR */
                ? $"{Path}: could not write the results database ({e.Message.Split('\n')[0].Replace("SQLite Error ", "SQLite error ")}); free some space and rerun, the study resumes"
                : $"{Path}: not a LabelRep results database ({e.Message.Split('\n')[0].Replace("SQLite Error ", "SQLite error ")}); give the folder of a 'labelrep study' run");
        }
        catch (LabelRepException)
        {
            _db.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Opens an existing results database (report, export, status); one that fails the schema check is never written to.</summary>
    public static StudyStore OpenExisting(string path) => new(path, readOnly: true);

    /// <summary>The spec recorded in an existing results database, read-only; null when it has none (or LabelRep left it half made).</summary>
    public static string? SpecIn(string path)
    {
        using var store = new StudyStore(path, readOnly: true, halfMadeIsEmpty: true);
        return store.GetValue("spec");
    }

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
