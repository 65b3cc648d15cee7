using LabelRep.Data;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>Mean loss and accuracy of a model on a set of images, in eval mode, batch by batch.</summary>
public static class Evaluator
{
    public sealed record Result(double Loss, double Accuracy, int Images, int Correct);

    public static Result Evaluate(LabelRepModel model, Objective objective, ImageData data, int[] indices, int batchSize, Device device)
    {
        model.eval();
        using var _ = torch.no_grad();
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < indices.Length; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int count = Math.Min(batchSize, indices.Length - start);
            var idx = torch.tensor(indices.AsSpan(start, count).ToArray().Select(i => (long)i).ToArray(), ScalarType.Int64);
            var (x, y) = data.Batch(idx);
            x = x.to(device);
            y = y.to(device);
            Tensor output = model.call(x);
            lossSum += objective.Loss(output, y).item<float>() * count;
            correct += (int)objective.Predict(output).eq(y).sum().item<long>();
        }
        int n = indices.Length;
        return new Result(n == 0 ? 0 : lossSum / n, n == 0 ? 0 : (double)correct / n, n, correct);
    }
}
