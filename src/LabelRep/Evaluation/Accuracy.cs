using LabelRep.Data;
using LabelRep.Models;
using TorchSharp;

namespace LabelRep.Evaluation;

/// <summary>Mean training loss and accuracy (by the classifier's decision rule) on a set of images, in eval mode.</summary>
public static class Accuracy
{
    public sealed record Result(double Loss, double Accuracy, int Images, int Correct);

    public static Result Evaluate(Classifier classifier, ImageData data, int[] indices, int batchSize)
    {
        classifier.Model.eval();
        using var _ = torch.no_grad();
        double lossSum = 0;
        int correct = 0;
        ImageBatches.ForEach(data, indices, batchSize, classifier.Device, (x, y, _) =>
        {
            var output = classifier.Model.call(x);
            lossSum += classifier.Objective.Loss(output, y).item<float>() * x.shape[0];
            correct += (int)classifier.Decision.Predict(output).eq(y).sum().item<long>();
        });
        int n = indices.Length;
        return new Result(n == 0 ? 0 : lossSum / n, n == 0 ? 0 : (double)correct / n, n, correct);
    }
}
