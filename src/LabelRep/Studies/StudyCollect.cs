using LabelRep.Data;

namespace LabelRep.Studies;

/// <summary>
/// Builds a study's results.db from its run folders alone: the grid, the label statistics, and every cell whose folder
/// is complete. What the Slurm executor's final job runs, and what anyone can run again: rebuilding gives the same
/// database (timings aside), because the folders are the results.
/// </summary>
public static class StudyCollect
{
    /// <summary>Returns how many of the grid's cells are complete (and now in the database).</summary>
    public static (int Done, int Cells) Run(string studyDir, StudySpec spec, CancellationToken cancel = default)
    {
        string dir = Path.GetFullPath(studyDir);
        using var store = StudyRunner.Open(dir, spec);
        var data = new Dictionary<string, DatasetSplits>();
        try
        {
            IReadOnlyList<StudyRun> runs = StudyRunner.LoadAndRecord(store, spec, data, cancel);
            int done = 0;
            for (int i = 0; i < runs.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var cell = new StudyCell(dir, spec, runs, i);
                if (!cell.IsComplete) continue;
                store.ImportCell(cell);
                store.MarkDone(cell.Run.Id);
                done++;
            }
            return (done, runs.Count);
        }
        finally
        {
            foreach (DatasetSplits d in data.Values) d.Dispose();
        }
    }

    /// <summary>The grid of a spec, with the dataset sizes it depends on (small fractions train for more epochs).</summary>
    public static IReadOnlyList<StudyRun> Grid(StudySpec spec) => Grid(spec, keep: null).Grid;

    /// <summary>
    /// The grid, reading each dataset once; the splits of <paramref name="keep"/> are returned for the caller to use
    /// (and dispose), the others are freed as soon as they are counted.
    /// </summary>
    public static (IReadOnlyList<StudyRun> Grid, DatasetSplits? Kept) Grid(StudySpec spec, string? keep)
    {
        var sizes = new Dictionary<string, int>();
        DatasetSplits? kept = null;
        foreach (string d in spec.Datasets)
        {
            DatasetSplits splits = DatasetRegistry.Open(d, spec.DataDir).Load();
            sizes[d] = splits.Train.Count;
            if (d == keep) kept = splits;
            else splits.Dispose();
        }
        return (spec.Runs(d => sizes[d]), kept);
    }
}
