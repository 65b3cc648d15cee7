using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelRep.IO;
using LabelRep.Runs;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>A study's tables out of results.db: runs.csv, attacks.csv, epochs.csv and labels.csv, or one study.json.</summary>
public static class StudyExport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes the tables into <paramref name="outDir"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(StudyStore store, string format, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var runs = store.Results();
        var attacks = store.AttackResults();
        var epochs = store.Epochs();
        var labels = store.LabelStatistics();
        if (format == "json")
        {
            string path = Path.Combine(outDir, "study.json");
            AtomicFile.WriteText(path, JsonSerializer.Serialize(new
            {
                name = store.GetValue("name"),
                runs,
                attacks = attacks.Select(a => new { run_id = a.RunId, a.Dataset, a.Model, a.Label, a.Seed, result = a.Result }),
                epochs = epochs.Select(e => new { run_id = e.RunId, epoch = e.Epoch }),
                labels = labels.Select(l => new { dataset = l.Dataset, stats = l.Stats }),
            }, TrainConfig.Json));
            return new[] { path };
        }
        if (format != "csv") throw new LabelRepException($"--format '{format}': a study exports csv or json");
        var files = new List<string>
        {
            Csv(outDir, "runs.csv", "run_id,dataset,model,label,seed,fraction,epochs,train_images,test_accuracy,val_accuracy,best_epoch,train_seconds,parameters,label_bank",
                runs.Select(r => Row(r.Id, r.Dataset, r.Model, r.Label, r.Seed, r.Fraction, r.Epochs, r.TrainImages, r.TestAccuracy, r.ValAccuracy, r.BestEpoch, r.TrainSeconds, r.Parameters, r.LabelBank ?? ""))),
            Csv(outDir, "attacks.csv", "run_id,dataset,model,label,seed," + Evaluation.AttackResult.CsvHeader,
                attacks.Select(a => Row(a.RunId, a.Dataset, a.Model, a.Label, a.Seed) + "," + a.Result.ToCsv())),
            Csv(outDir, "epochs.csv", "run_id,epoch,lr,train_loss,val_loss,val_accuracy,seconds",
                epochs.Select(e => Row(e.RunId, e.Epoch.Epoch, e.Epoch.LearningRate, e.Epoch.TrainLoss, e.Epoch.ValLoss, e.Epoch.ValAccuracy, e.Epoch.Seconds))),
            Csv(outDir, "labels.csv", "dataset,label,shape,dimension,min,max,entropy,entropy_std,pairwise_l2,pairwise_l2_std,normalized_l1",
                labels.Select(l => Row(l.Dataset, l.Stats.Kind, l.Stats.Shape, l.Stats.Dimension, l.Stats.Min, l.Stats.Max, l.Stats.Entropy, l.Stats.EntropyStd,
                    l.Stats.PairwiseL2, l.Stats.PairwiseL2Std, l.Stats.NormalizedL1))),
        };
        return files;
    }

    private static string Csv(string dir, string name, string header, IEnumerable<string> rows)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (string row in rows) text.Append(row).Append('\n');
        string path = Path.Combine(dir, name);
        AtomicFile.WriteText(path, text.ToString());
        return path;
    }

    private static string Row(params object[] cells) => string.Join(",", cells.Select(c => c switch
    {
        double d => d.ToString("R", C),
        IFormattable f => f.ToString(null, C),
        string s when s.Contains(',') || s.Contains('"') => "\"" + s.Replace("\"", "\"\"") + "\"",
        _ => c.ToString(),
    }));
}
