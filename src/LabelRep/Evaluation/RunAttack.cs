using LabelRep.Data;
using LabelRep.Training;

namespace LabelRep.Evaluation;

/// <summary>Attacks a finished run from its folder: loads its best weights (and the source run's), sweeps, saves the results beside it.</summary>
public static class RunAttack
{
    public static AttackReport Run(RunDirectory run, RunDirectory? source, AttackRequest request, string device,
        IProgress<AttackProgress>? progress = null, CancellationToken cancel = default, DatasetSplits? preloaded = null)
    {
        request.Validate();
        // With a source run of the same dataset, read the data once for both models (the runner rejects other datasets).
        using DatasetSplits? shared = preloaded == null && source != null && source.ReadConfig().Dataset == run.ReadConfig().Dataset ? Load(run) : null;
        preloaded ??= shared;
        using RunSetup target = RunSetup.WithBestWeights(run, device, preloaded);
        using RunSetup? sourceSetup = source == null ? null : RunSetup.WithBestWeights(source, device, preloaded);
        var runner = new AttackRunner(target, sourceSetup, request);
        AttackReport report = runner.Run(Path.GetFileName(run.Root), progress, cancel);
        AttackStore.Save(run, report);
        return report;
    }

    private static DatasetSplits Load(RunDirectory run)
    {
        TrainConfig config = run.ReadConfig();
        return DatasetRegistry.Open(config.Dataset, config.DataDir).Load();
    }
}
