using LabelRep.Data;
using LabelRep.Models;
using TorchSharp;

namespace LabelRep.Evaluation;

/// <summary>Mean training loss and accuracy (by the classifier's decision rule) on a set of images, in eval mode.</summary>
public static class Accuracy
{
    /// <param name="PerImage">Whether each image (in the order of the indices) was classified correctly.</param>
    public sealed record Result(double Loss, double Accuracy, int Images, int Correct, bool[] PerImage);

    /// <param name="progress">Called after each batch with the images done so far.</param>
    public static Result Evaluate(Classifier classifier, ImageData data, int[] indices, int batchSize, Action<int>? progress = null, CancellationToken cancel = default)
    {
        classifier.Model.eval();
        using var _ = torch.no_grad();
        using var model = classifier.FoldForEvaluation();
        double lossSum = 0;
        var perImage = new bool[indices.Length];
        ImageBatches.ForEach(data, indices, batchSize, classifier.Device, (x, y, start) =>
        {
            var output = model.Forward(x);
            lossSum += classifier.Objective.Loss(output, y).item<float>() * x.shape[0];
            classifier.Decision.Predict(output).eq(y).cpu().data<bool>().CopyTo(perImage, start);
            progress?.Invoke(start + (int)x.shape[0]);
        }, cancel);
        int n = indices.Length, correct = perImage.Count(c => c);
        return new Result(n == 0 ? 0 : lossSum / n, n == 0 ? 0 : (double)correct / n, n, correct, perImage);
    }
}
