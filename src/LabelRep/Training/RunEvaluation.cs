namespace LabelRep.Training;

/// <summary>Loads a finished run's best weights and evaluates them.</summary>
public static class RunEvaluation
{
    /// <summary>Rebuilds the run from config.json, loads best.safetensors and evaluates on the test set.</summary>
    public static Evaluator.Result Test(RunDirectory dir, string device)
    {
        using var setup = RunSetup.WithBestWeights(dir, device);
        return Evaluator.Evaluate(setup.Model, setup.Objective, setup.Data.Test, setup.TestIndices, setup.Config.EvalBatchSize, setup.Device);
    }
}
