using System.Globalization;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>t-SNE of the penultimate features per label kind, with separation scores.</summary>
public sealed class FeaturesSection : IReportSection
{
    public string Name => "features";
    public int Order => 70;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public void Write(ReportDocument doc, StudyData data)
    {
        StudyStore store = data.Store;
        string[] labels = data.Labels;
        var features = store.Features();
        doc.Heading("Features");
        if (features.Count == 0)
        {
            doc.Paragraph("No feature embeddings yet.");
            return;
        }
        var images = new List<(string, byte[])>();
        foreach (FeatureEmbedding f in features.OrderBy(f => Array.IndexOf(labels, f.Label)))
        {
            string[] classNames = store.GetValue($"classes:{f.Dataset}") is { } names ? System.Text.Json.JsonSerializer.Deserialize<string[]>(names)! : Array.Empty<string>();
            Embedding e = f.Embedding;
            images.Add(($"tsne-{FileNames.Safe(f.Dataset)}-{f.Model}-{FileNames.Safe(f.Label)}.png",
                Charts.Scatter($"{f.Label}: silhouette {e.Silhouette:F2}", e.X, e.Y, e.Classes, classNames)));
        }
        doc.Gallery("t-SNE of the backbone's penultimate features (test images), coloured by class", images.ToArray());
        doc.Table(new[] { "label", "dataset", "model", "images", "silhouette (t-SNE)", "nearest-centroid accuracy (features)" },
            features.OrderBy(f => Array.IndexOf(labels, f.Label)).Select(f => new[]
            {
                f.Label, f.Dataset, f.Model, f.Embedding.X.Length.ToString(C), f.Embedding.Silhouette.ToString("F3", C), f.Embedding.CentroidAccuracy.ToString("P1", C),
            }));
    }
}
