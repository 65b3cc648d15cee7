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
              source TEXT, seconds REAL, suite TEXT, broke INTEGER, targets INTEGER, queries INTEGER, forwards INTEGER, backwards INTEGER, PRIMARY KEY (run_id, protocol, attack, loss, targeted, eps));
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
            """;

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
        AddColumn("attacks", "queries", "INTEGER");
        AddColumn("attacks", "forwards", "INTEGER");
        AddColumn("attacks", "backwards", "INTEGER");
        AddColumn("attack_flags", "series", "TEXT");
        AddColumn("label_stats", "min_pairwise_l2", "REAL");
        AddColumn("label_stats", "rank", "INTEGER");
    }
}
