using System.CommandLine;
using System.CommandLine.Parsing;

namespace LabelRep.Cli;

/// <summary>
/// The command line's parse errors as one line in the shape of every other error: what was wrong, in the user's terms
/// (no .NET type names), a close name when a command or option is misspelt, and the help to read.
/// </summary>
public static class ParseErrors
{
    public static string Describe(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        // An unknown word says more than "Required command was not provided", which System.CommandLine lists first.
        ParseError error = parsed.Errors.FirstOrDefault(e => Unrecognized(e) != null) ?? parsed.Errors[0];
        string message;
        if (Unrecognized(error) is { } word)
        {
            string? near = Nearest(word, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
                .Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))));
            message = $"unknown {(word.StartsWith('-') ? "option" : command.Subcommands.Count > 0 ? "command" : "argument")} '{word}'" +
                      (near != null ? $"; did you mean '{near}'?" : "");
        }
        else if (command.Subcommands.Count > 0 && error.Message.Contains("command was not provided"))
            message = $"which command? one of: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
        else if (CannotParse(error) is { } value && (error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult) is { Option: var option })
            message = $"{option.Name} '{value}': must be {Kind(option.ValueType)}";
        else
            message = error.Message.Split('\n')[0].TrimEnd('.');
        return $"{message} (see '{Path(parsed.CommandResult)} --help')";
    }

    private static string? Unrecognized(ParseError error)
    {
        const string prefix = "Unrecognized command or argument '";
        return error.Message.StartsWith(prefix) && error.Message.EndsWith("'.") ? error.Message[prefix.Length..^2] : null;
    }

    private static string? CannotParse(ParseError error)
    {
        var match = System.Text.RegularExpressions.Regex.Match(error.Message, "^Cannot parse argument '(.*)' for option");
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>What a value of this type is, in words: "a whole number", "a number", … (each value, for a repeatable option).</summary>
    private static string Kind(Type type)
    {
        Type element = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
        return Type.GetTypeCode(element) switch
        {
            TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 or TypeCode.Byte => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.Boolean => "true or false",
            _ => "a " + element.Name.ToLowerInvariant(),
        };
    }

    /// <summary>"labelrep study status": the command's words as typed, without the root's assembly name.</summary>
    private static string Path(CommandResult result)
    {
        var words = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Command is not RootCommand; r = c.Parent) words.Insert(0, c.Command.Name);
        return string.Join(' ', words.Prepend("labelrep"));
    }

    /// <summary>The candidate within a small edit distance of the word (a swap of two letters counts once), if one is.</summary>
    private static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates.Distinct())
        {
            int d = Distance(word, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best != null && bestDistance <= Math.Max(1, word.TrimStart('-').Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
