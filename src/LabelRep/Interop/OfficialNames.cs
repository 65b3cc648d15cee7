using System.Text.RegularExpressions;

namespace LabelRep.Interop;

/// <summary>
/// The official code's state-dict names (architecture.py: <c>features = Sequential(*backbone.children()[:-1])</c>,
/// then <c>fc</c>, and <c>deconvs</c> for label images) mapped to LabelRep's. For the bearpaw ResNet the children
/// are conv1, bn1, relu, layer1, layer2, layer3, avgpool; for VGG the only child kept is the features Sequential.
/// </summary>
public static partial class OfficialNames
{
    public static string ToLabelRep(string key, string model, bool decoder)
    {
        if (key.StartsWith("fc.", StringComparison.Ordinal)) return (decoder ? "head.fc." : "head.") + key["fc.".Length..];
        if (key.StartsWith("deconvs.", StringComparison.Ordinal)) return "head.deconv." + key["deconvs.".Length..];
        if (model.StartsWith("vgg", StringComparison.Ordinal)) return VggFeatures().Replace(key, "features.features.");
        if (model.StartsWith("resnet", StringComparison.Ordinal))
        {
            return ResNetChild().Replace(key, m => m.Groups[1].Value switch
            {
                "0" => "features.conv1.",
                "1" => "features.bn1.",
                "3" => "features.layer1.",
                "4" => "features.layer2.",
                "5" => "features.layer3.",
                _ => m.Value,
            });
        }
        return key;
    }

    [GeneratedRegex(@"^features\.0\.")]
    private static partial Regex VggFeatures();

    [GeneratedRegex(@"^features\.(\d+)\.")]
    private static partial Regex ResNetChild();
}
