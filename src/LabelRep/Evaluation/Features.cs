using LabelRep.Data;
using LabelRep.Models;
using TorchSharp;

namespace LabelRep.Evaluation;

/// <summary>A 2-D t-SNE of a model's penultimate features for some test images, with the classes and two separation scores.</summary>
public sealed record Embedding(double[] X, double[] Y, int[] Classes, double Silhouette, double CentroidAccuracy);

/// <summary>The backbone's penultimate features of images, and how well they separate the classes.</summary>
public static class Features
{
    /// <summary>Features (one row per image) and classes of the first <paramref name="count"/> images of <paramref name="data"/>.</summary>
    public static (float[][] Features, int[] Classes) Extract(Classifier classifier, ImageData data, int count, int batchSize = 250)
    {
        classifier.Model.eval();
        int n = Math.Min(count, data.Count);
        var features = new float[n][];
        var classes = new int[n];
        using var _ = torch.no_grad();
        using var model = classifier.FoldForEvaluation();
        ImageBatches.ForEach(data, Enumerable.Range(0, n).ToArray(), batchSize, classifier.Device, (x, y, start) =>
        {
            var f = model.Features(x).cpu();
            long dim = f.shape[1];
            float[] flat = f.contiguous().data<float>().ToArray();
            long[] labels = y.cpu().data<long>().ToArray();
            for (int i = 0; i < labels.Length; i++)
            {
                features[start + i] = flat.AsSpan((int)(i * dim), (int)dim).ToArray();
                classes[start + i] = (int)labels[i];
            }
        });
        return (features, classes);
    }

    /// <summary>t-SNE of the features of the first <paramref name="count"/> images (deterministic for a seed), with the silhouette and nearest-centroid scores.</summary>
    public static Embedding Embed(Classifier classifier, ImageData data, int count, int seed)
    {
        var (features, classes) = Extract(classifier, data, count);
        var (x, y) = Tsne.Embed(features, seed);
        return new Embedding(x, y, classes, Tsne.Silhouette(x, y, classes), Tsne.NearestCentroidAccuracy(features, classes));
    }
}
