using System.Globalization;

namespace LabelRep.Labels;

/// <summary>
/// The parameters of a label name such as "controlled:levels=16,rank=5": numbers by name, each one the kind declares
/// in <see cref="ILabelKind.Parameters"/> (with its default). A name without parameters is the kind with its defaults,
/// so "speech" and "speech:" are the same labels; a study treats each distinct name as its own label.
/// </summary>
public sealed class LabelParameters
{
    private readonly IReadOnlyDictionary<string, double> _defaults;
    private readonly Dictionary<string, double> _given;

    private LabelParameters(string name, IReadOnlyDictionary<string, double> defaults, Dictionary<string, double> given)
    {
        Name = name;
        _defaults = defaults;
        _given = given;
    }

    /// <summary>The full label name, as given.</summary>
    public string Name { get; }

    /// <summary>The value of a declared parameter: the one given in the name, or the kind's default.</summary>
    public double this[string key] => _given.TryGetValue(key, out double v) ? v
        : _defaults.TryGetValue(key, out double d) ? d : throw new ArgumentException($"label parameter '{key}' is not declared");

    /// <summary>Whether the name gave this parameter (rather than leaving it at the default).</summary>
    public bool Has(string key) => _given.ContainsKey(key);

    /// <summary>An integer parameter within [min, max], or one clear error naming the label.</summary>
    public int Integer(string key, int min, int max)
    {
        double v = this[key];
        if (v != Math.Floor(v) || v < min || v > max)
            throw new LabelRepException($"label '{Name}': {key}={v.ToString(CultureInfo.InvariantCulture)} must be a whole number from {min} to {max}");
        return (int)v;
    }

    /// <summary>A real parameter within (min, max] (or [min, max] when <paramref name="minInclusive"/>), or one clear error.</summary>
    public double Real(string key, double min, double max, bool minInclusive = false)
    {
        double v = this[key];
        if (!(minInclusive ? v >= min : v > min) || !(v <= max))
            throw new LabelRepException($"label '{Name}': {key}={v.ToString(CultureInfo.InvariantCulture)} must be in {(minInclusive ? "[" : "(")}{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return v;
    }

    /// <summary>Splits "kind:key=value,key=value" into the kind's name and its parameters, checked against <paramref name="defaults"/>.</summary>
    public static LabelParameters Parse(string name, IReadOnlyDictionary<string, double> defaults)
    {
        var given = new Dictionary<string, double>(StringComparer.Ordinal);
        if (name.Contains(LabelKinds.ArmSeparator))
            throw new LabelRepException($"label '{name}': a label name has no '+' (studies use it for the training regime; write 1e3, not 1e+3)");
        int colon = name.IndexOf(':');
        if (colon >= 0)
        {
            foreach (string part in name[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] kv = part.Split('=');
                string key = kv[0].Trim();
                if (kv.Length != 2 || !double.TryParse(kv[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                    throw new LabelRepException($"label '{name}': '{part}' is not key=number (e.g. {KindName(name)}:{Example(defaults)})");
                if (!defaults.ContainsKey(key))
                    throw new LabelRepException(defaults.Count == 0
                        ? $"label '{name}': {KindName(name)} takes no parameters"
                        : $"label '{name}': unknown parameter '{key}'; {KindName(name)} takes {string.Join(", ", defaults.Keys)}");
                if (!given.TryAdd(key, value)) throw new LabelRepException($"label '{name}': {key} is given twice");
            }
        }
        return new LabelParameters(name, defaults, given);
    }

    /// <summary>The kind's name: what precedes ':'.</summary>
    public static string KindName(string name)
    {
        int colon = name.IndexOf(':');
        return colon >= 0 ? name[..colon] : name;
    }

    private static string Example(IReadOnlyDictionary<string, double> defaults) =>
        defaults.Count == 0 ? "" : string.Join(",", defaults.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"));
}
