namespace LabelRep.Studies;

/// <summary>results.db's tables: created at once on a new file, checked on an existing one, completed on an older one.</summary>
public sealed partial class StudyStore
{
    /// <summary>Every table and its columns (the columns <see cref="Migrate"/> adds included).</summary>
    private const string Schema = """
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
              source TEXT, seconds REAL, suite TEXT, broke INTEGER, targets INTEGER, queries INTEGER, forwards INTEGER, backwards INTEGER, norm TEXT,
              PRIMARY KEY (run_id, protocol, attack, loss, targeted, eps));
            CREATE TABLE IF NOT EXISTS attack_flags (run_id TEXT NOT NULL, protocol TEXT NOT NULL, position INTEGER NOT NULL, check_name TEXT, message TEXT,
              series TEXT, PRIMARY KEY (run_id, protocol, position));
            CREATE TABLE IF NOT EXISTS attack_sweeps (run_id TEXT NOT NULL, protocol TEXT NOT NULL, classes INTEGER, images INTEGER, unbounded_accuracy REAL,
              PRIMARY KEY (run_id, protocol));
            CREATE TABLE IF NOT EXISTS attack_checks (run_id TEXT NOT NULL, protocol TEXT NOT NULL, check_name TEXT NOT NULL, passed INTEGER NOT NULL, images INTEGER,
              detail TEXT, PRIMARY KEY (run_id, protocol, check_name));
            CREATE TABLE IF NOT EXISTS label_stats (dataset TEXT NOT NULL, label TEXT NOT NULL, shape TEXT, dimension INTEGER, min REAL, max REAL,
              entropy REAL, entropy_std REAL, pairwise_l2 REAL, pairwise_l2_std REAL, normalized_l1 REAL, PRIMARY KEY (dataset, label));
            CREATE TABLE IF NOT EXISTS label_images (dataset TEXT NOT NULL, label TEXT NOT NULL, class INTEGER NOT NULL, png BLOB NOT NULL,
              PRIMARY KEY (dataset, label, class));
            CREATE TABLE IF NOT EXISTS features (run_id TEXT PRIMARY KEY, points_json TEXT NOT NULL, silhouette REAL, centroid_accuracy REAL);
            CREATE TABLE IF NOT EXISTS image_results (run_id TEXT NOT NULL, source TEXT NOT NULL, eps REAL NOT NULL, targeted INTEGER NOT NULL,
              images INTEGER NOT NULL, bits TEXT NOT NULL, PRIMARY KEY (run_id, source, eps, targeted));
            CREATE TABLE IF NOT EXISTS image_distances (run_id TEXT NOT NULL, protocol TEXT NOT NULL, norm TEXT NOT NULL, attack TEXT NOT NULL, targeted INTEGER NOT NULL,
              position INTEGER NOT NULL, distance REAL, PRIMARY KEY (run_id, protocol, attack, targeted, position));
            """;

    /// <summary>Every table, in one transaction: a full disk leaves all of them or none, never a database that is half LabelRep's.</summary>
    private void CreateSchema()
    {
        using var tx = _db.BeginTransaction();
        Execute(Schema, tx);
        tx.Commit();
    }

    /// <summary>Drops LabelRep's tables of a half-made database, in one transaction.</summary>
    private void DropTables()
    {
        using var tx = _db.BeginTransaction();
        foreach (string table in KnownTables) Execute($"DROP TABLE IF EXISTS {table}", tx);
        tx.Commit();
    }

    /// <summary>
    /// A database LabelRep began and did not finish (an earlier version created its tables one by one, so a full disk
    /// could stop it between two): only LabelRep's tables, not all of those every version has, and no run recorded.
    /// Rebuilt, not refused.
    /// </summary>
    private bool HalfMade()
    {
        var present = PresentTables();
        if (present.Any(t => !KnownTables.Contains(t)) || Tables.All(present.Contains)) return false;
        return !present.Contains("runs") || Scalar<long>("SELECT COUNT(*) FROM runs") == 0;
    }

    /// <summary>Whether the database has every table and column this version reads (else a read-only open upgrades a copy).</summary>
    private bool Current()
    {
        var present = PresentTables();
        if (KnownTables.Any(t => !present.Contains(t))) return false;
        return AddedColumns.All(c => HasColumn(c.Table, c.Column));
    }

    /// <summary>The tables the database has now.</summary>
    private HashSet<string> PresentTables() => Query("SELECT name FROM sqlite_master WHERE type = 'table'", null, r => r.GetString(0)).ToHashSet();

    private bool HasColumn(string table, string column) => Query($"SELECT name FROM pragma_table_info('{table}')", null, r => r.GetString(0)).Contains(column);

    /// <summary>Every table <see cref="Schema"/> creates.</summary>
    private static readonly string[] KnownTables = System.Text.RegularExpressions.Regex.Matches(Schema, @"CREATE TABLE IF NOT EXISTS (\w+)").Select(m => m.Groups[1].Value).ToArray();

    /// <summary>The columns later versions added, each with its type.</summary>
    private static readonly (string Table, string Column, string Type)[] AddedColumns =
    {
        ("metrics", "label_bank", "TEXT"), ("attacks", "suite", "TEXT"), ("attacks", "broke", "INTEGER"), ("attacks", "targets", "INTEGER"),
        ("attacks", "queries", "INTEGER"), ("attacks", "forwards", "INTEGER"), ("attacks", "backwards", "INTEGER"), ("attack_flags", "series", "TEXT"), ("attacks", "norm", "TEXT"),
        ("label_stats", "min_pairwise_l2", "REAL"), ("label_stats", "rank", "INTEGER"),
    };

    private void CheckSchema()
    {
        var present = PresentTables();
        string[] missing = Tables.Where(t => !present.Contains(t)).ToArray();
        if (missing.Length > 0)
            throw new LabelRepException($"{Path}: not a LabelRep results database (no table {string.Join(", ", missing)}); give the folder of a 'labelrep study' run");
    }

    /// <summary>Adds the columns later versions added to a database an earlier version made.</summary>
    private void Migrate()
    {
        foreach (var (table, column, type) in AddedColumns)
            if (!HasColumn(table, column))
                Execute($"ALTER TABLE {table} ADD COLUMN {column} {type}");
    }
}
