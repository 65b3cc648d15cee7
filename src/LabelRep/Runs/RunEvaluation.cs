using LabelRep.Evaluation;

namespace LabelRep.Runs;

/// <summary>Loads a finished run's best weights and evaluates them.</summary>
public static class RunEvaluation
{
    /// <summary>Rebuilds the run from config.json, loads best.safetensors and evaluates on the test set.</summary>
    public static Accuracy.Result Test(RunDirectory dir, string device)
    {
        using var setup = RunSetup.WithBestWeights(dir, device);
        return Accuracy.Evaluate(setup.Classifier, setup.Data.Test, setup.TestIndices, setup.Config.EvalBatchSize);
    }
}
