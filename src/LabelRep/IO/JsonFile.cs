using System.Text.Json;
using System.Text.RegularExpressions;

namespace LabelRep.IO;

/// <summary>JSON files LabelRep wrote or a user gave (configurations, checkpoints, specs, results), read so that a damaged or mistyped one is one clear error.</summary>
public static partial class JsonFile
{
    /// <summary>Reads and deserializes <paramref name="path"/>; null values where the type has none, wrong types and bad JSON are errors naming the file.</summary>
    public static T Read<T>(string path, string what, JsonSerializerOptions options) where T : class =>
        Parse<T>(InputFile.ReadAllText(path, what), path, what, options);

    /// <summary>
    /// Deserializes <paramref name="json"/> read from <paramref name="source"/>; every failure is a <see cref="LabelRepException"/>
    /// that names the key and says what it needs, then <paramref name="help"/> (where to look up the keys) when given.
    /// </summary>
    public static T Parse<T>(string json, string source, string what, JsonSerializerOptions options, string? help = null) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, options) ?? throw new LabelRepException($"{source}: empty {what} (null)");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new LabelRepException($"{source}: {Describe(e, what)}{(help is null ? "" : $"; {help}")}");
        }
    }

    /// <summary>
    /// System.Text.Json's messages name .NET types ("could not be converted to System.Int32"); a user wrote a key, so the
    /// common cases say which key and what it takes. The rest keep the parser's first line.
    /// </summary>
    private static string Describe(Exception e, string what)
    {
        string first = e.Message.Split('\n')[0].Trim();
        if (e is JsonException { Path: { Length: > 2 } path })
        {
            string key = path[2..];
            if (first.Contains("could not be mapped")) return $"unknown key '{key}' in the {what}";
            Match type = ConvertedTo().Match(first);
            if (type.Success) return $"'{key}' must be {Expected(type.Groups[1].Value.TrimEnd('.'))} in the {what}";
        }
        return $"not a valid {what} ({first})";
    }

    private static string Expected(string type) => type switch
    {
        _ when type.EndsWith("[]") || type.Contains("List`1") => "a list",
        _ when type.Contains("Dictionary`2") => "a mapping (key: value)",
        _ when type.Contains("System.Int32") || type.Contains("System.Int64") => "a whole number",
        _ when type.Contains("System.Double") || type.Contains("System.Single") => "a number",
        _ when type.Contains("System.Boolean") => "true or false",
        _ when type.Contains("System.String") => "text",
        _ => "a mapping of its own keys",
    };

    [GeneratedRegex(@"could not be converted to ([\w.`\[\]]+)")]
    private static partial Regex ConvertedTo();
}
