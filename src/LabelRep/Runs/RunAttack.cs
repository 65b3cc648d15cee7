using LabelRep.Data;
using LabelRep.Evaluation;

namespace LabelRep.Runs;

/// <summary>Attacks a finished run from its folder: loads its best weights (and the source run's), sweeps, saves the results beside it.</summary>
public static class RunAttack
{
    /// <param name="plot">Draws the sweep's PNG (attacks-PROTOCOL.png), saved with the JSON and CSV; null for none.</param>
    /// <param name="resuming">Told the journal's path and how many batches an interrupted run of this attack had finished, when it resumes one.</param>
    public static AttackReport Run(RunDirectory run, RunDirectory? source, AttackRequest request, string device,
        IProgress<AttackProgress>? progress = null, CancellationToken cancel = default, DatasetSplits? preloaded = null,
        Func<AttackReport, byte[]>? plot = null, Action<string, int>? resuming = null)
    {
        request.Validate();
        RefuseUnfinished(run, "the run");
        if (source != null) RefuseUnfinished(source, "--source");
        TrainConfig targetConfig = run.ReadConfig();
        if (source?.ReadConfig() is { } sourceConfig)
        {
            if (sourceConfig.Dataset != targetConfig.Dataset)
                throw new LabelRepException($"--source was trained on {sourceConfig.Dataset}, the attacked run on {targetConfig.Dataset}; a transfer attack needs the same dataset");
            // The same configuration trains the same model: its "transfer" would be a white-box attack reported as a black-box one.
            if (sourceConfig.Hash() == targetConfig.Hash())
                throw new LabelRepException($"--source {source.Root} has the attacked run's own configuration, so it is the same model; a transfer attack crafts on another one (e.g. a categorical run of the same seed)");
        }
        // With a source run, read the data once for both models.
        using DatasetSplits? shared = preloaded == null && source != null ? DatasetRegistry.Open(targetConfig.Dataset, targetConfig.DataDir).Load() : null;
        preloaded ??= shared;
        using RunSetup target = RunSetup.WithBestWeights(run, device, preloaded);
        using RunSetup? sourceSetup = source == null ? null : RunSetup.WithBestWeights(source, device, preloaded);
        var runner = new AttackRunner(target.Classifier, sourceSetup?.Classifier, request);
        // Finished batches go to a journal as they end; after a kill the same command resumes from it, and a journal of
        // another attack is refused (SweepJournal).
        string identity = string.Join("\n", request.Describe(), Fingerprint(run), source == null ? "-" : Fingerprint(source), device,
            string.Join(",", target.TestIndices));
        string journalPath = AttackFiles.JournalPath(run, request.Protocol.Name);
        using SweepJournal journal = SweepJournal.Open(journalPath, identity);
        if (journal.Resumed > 0) resuming?.Invoke(journalPath, journal.Resumed);
        AttackReport report = runner.Run(target.Data.Test, target.TestIndices, Path.GetFileName(run.Root), progress, cancel, journal);
        AttackFiles.Save(run, report, plot?.Invoke(report));
        journal.Finish();
        return report;
    }

    /// <summary>What decides a run's model: its configuration and its best weights' bytes.</summary>
    private static string Fingerprint(RunDirectory run) =>
        run.ReadConfig().Hash() + ":" + (File.Exists(run.BestPath) ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(run.BestPath))) : "-");

    /// <summary>
    /// The binarization test (<see cref="BinarizationTest"/>) of APGD on the run's head, on its first
    /// <paramref name="images"/> test images at <paramref name="eps"/> (pixels).
    /// </summary>
    public static BinarizationTest.Result Binarization(RunDirectory run, string device, double eps, int images, int seed)
    {
        RefuseUnfinished(run, "the run");
        using RunSetup setup = RunSetup.WithBestWeights(run, device);
        setup.Classifier.Freeze();
        var space = new AttackSpace(setup.Classifier, normalized: false);
        using var scope = TorchSharp.torch.NewDisposeScope();
        long[] first = setup.TestIndices.Take(Math.Max(1, images)).Select(i => (long)i).ToArray();
        var (x, y) = setup.Data.Test.Batch(TorchSharp.torch.tensor(first));
        var batch = new AttackBatch(x.to(setup.Classifier.Device), y.to(setup.Classifier.Device), null, TorchSharp.torch.tensor(0f), TorchSharp.torch.tensor(1f));
        using var random = new TorchSharp.torch.Generator((ulong)seed);
        return BinarizationTest.Run(space, batch, eps, random);
    }

    /// <summary>
    /// A run whose training began (checkpoint.json) and has not ended (no metrics.json) is still training or was stopped:
    /// its best weights are an early epoch's and will change, so its numbers would not be the finished model's.
    /// </summary>
    private static void RefuseUnfinished(RunDirectory run, string what)
    {
        if (File.Exists(run.CheckpointPath) && !run.IsComplete)
            throw new LabelRepException($"{run.Root}: {what} has not finished training (checkpoint.json, no metrics.json yet); attack it when 'labelrep train' ends, or finish it with 'labelrep train … --out {run.Root} --resume'");
    }
}
