using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LabelRep.Studies;

/// <summary>
/// A study spec written in YAML, turned into JSON event by event so that nothing in the file can do more than a spec
/// should: aliases (the "billion laughs"), tags (!!python/…), duplicate keys, several documents and deep nesting are
/// errors, and a quoted scalar stays a string ("2024" is a name, 2024 a number).
/// </summary>
public static partial class YamlToJson
{
    private const int MaxDepth = 32, MaxNodes = 100_000;

    /// <remarks>Longer than the house's 60 lines on purpose: one switch over the parser's events, a state machine that reads
    /// top to bottom; split, each case would need the stacks and the writer passed around.</remarks>
    public static string Convert(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var keys = new Stack<HashSet<string>?>(); // per open collection: the keys seen (mappings) or null (sequences)
            var expectingKey = new Stack<bool>();
            int nodes = 0, documents = 0;
            try
            {
                while (parser.MoveNext())
                {
                    ParsingEvent e = parser.Current!;
                    if (++nodes > MaxNodes) throw Error(source, e, $"more than {MaxNodes:N0} YAML nodes; a spec is a few dozen");
                    switch (e)
                    {
                        case StreamStart or StreamEnd or DocumentEnd:
                            break;
                        case DocumentStart start when !start.IsImplicit || documents > 0:
                            if (++documents > 1) throw Error(source, e, "several YAML documents; a spec is one");
                            break;
                        case DocumentStart:
                            documents++;
                            break;
                        case AnchorAlias:
                            throw Error(source, e, "YAML aliases (*name) are not allowed in a spec; write the value out");
                        case NodeEvent { Tag.IsEmpty: false } tagged:
                            throw Error(source, e, $"YAML tag {tagged.Tag.Value} is not allowed in a spec; write the plain value");
                        case MappingStart:
                            if (keys.Count >= MaxDepth) throw Error(source, e, "YAML nested too deeply for a spec");
                            BeforeValue(e);
                            json.WriteStartObject();
                            keys.Push(new HashSet<string>());
                            expectingKey.Push(true);
                            break;
                        case SequenceStart:
                            if (keys.Count >= MaxDepth) throw Error(source, e, "YAML nested too deeply for a spec");
                            BeforeValue(e);
                            json.WriteStartArray();
                            keys.Push(null);
                            expectingKey.Push(false);
                            break;
                        case MappingEnd:
                            json.WriteEndObject();
                            keys.Pop();
                            expectingKey.Pop();
                            break;
                        case SequenceEnd:
                            json.WriteEndArray();
                            keys.Pop();
                            expectingKey.Pop();
                            break;
                        case Scalar scalar when keys.Count > 0 && keys.Peek() is { } seen && expectingKey.Peek():
                            if (!seen.Add(scalar.Value)) throw Error(source, e, $"key '{scalar.Value}' appears twice in one mapping");
                            json.WritePropertyName(scalar.Value);
                            expectingKey.Pop();
                            expectingKey.Push(false);
                            break;
                        case Scalar scalar:
                            BeforeValue(e);
                            WriteScalar(json, scalar);
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                throw new LabelRepException($"{source}: not valid YAML ({ex.Message.Split('\n')[0]})");
            }

            void BeforeValue(ParsingEvent e)
            {
                if (keys.Count == 0) return;
                if (keys.Peek() != null)
                {
                    if (expectingKey.Peek()) throw Error(source, e, "a mapping key must be a plain value");
                    expectingKey.Pop();
                    expectingKey.Push(true);
                }
            }
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteScalar(Utf8JsonWriter json, Scalar scalar)
    {
        string v = scalar.Value;
        if (scalar.Style is not ScalarStyle.Plain)
        {
            json.WriteStringValue(v);
            return;
        }
        if (v is "" or "~" or "null" or "Null" or "NULL") json.WriteNullValue();
        else if (v is "true" or "True" or "TRUE") json.WriteBooleanValue(true);
        else if (v is "false" or "False" or "FALSE") json.WriteBooleanValue(false);
        else if (Integer().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i)) json.WriteNumberValue(i);
        else if (Real().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) json.WriteNumberValue(d);
        else json.WriteStringValue(v);
    }

    private static LabelRepException Error(string source, ParsingEvent e, string what) =>
        new($"{source}: line {e.Start.Line}: {what}");

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Real();
}
