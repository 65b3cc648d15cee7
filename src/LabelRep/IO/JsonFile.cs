using System.Text.Json;

namespace LabelRep.IO;

/// <summary>JSON files LabelRep wrote (configurations, checkpoints, metrics, results), read so that a damaged one is one clear error.</summary>
public static class JsonFile
{
    /// <summary>Reads and deserializes <paramref name="path"/>; null values where the type has none, wrong types and bad JSON are errors naming the file.</summary>
    public static T Read<T>(string path, string what, JsonSerializerOptions options) where T : class
    {
        string text = InputFile.ReadAllText(path, what);
        try
        {
            return JsonSerializer.Deserialize<T>(text, options) ?? throw new LabelRepException($"{path}: empty {what} (null)");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new LabelRepException($"{path}: not a valid {what} ({FirstLine(e.Message)})");
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
