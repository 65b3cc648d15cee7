using System.Reflection;
using System.Text.Json.Serialization;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Studies;
using Xunit;

namespace LabelRep.Tests.Evaluation;

/// <summary>An attack option is declared once; the flags, the validation, the spec keys and the docs' table follow it.</summary>
public class AttackOptionTests
{
    [Fact]
    public void Attacks_that_declare_the_same_option_agree_on_its_unit_and_range()
    {
        foreach (var declared in AttackOptions.All)
        {
            foreach (IAttack attack in declared.Attacks)
            {
                AttackOption own = attack.Options.Single(o => o.Name == declared.Option.Name);
                Assert.True(own.Unit == declared.Option.Unit && own.Min == declared.Option.Min && own.Max == declared.Option.Max && own.Description == declared.Option.Description,
                    $"{attack.Name} declares '{own.Name}' with another unit or range than {declared.Attacks[0].Name}");
                Assert.True(own.Accepts(own.Standard) && own.Accepts(own.Paper), $"{attack.Name}'s default '{own.Name}' is outside its own range");
            }
        }
    }

    [Fact]
    public void Every_declared_option_is_a_flag_of_the_attack_command_with_its_help()
    {
        var (code, output, _) = Cli.CliRunner.Run("attack", "--help");
        Assert.Equal(0, code);
        foreach (var declared in AttackOptions.All)
        {
            Assert.Contains($"--{declared.Option.Name} <", output);
            Assert.Contains(declared.Option.Range, output);
        }
    }

    [Theory]
    [InlineData("steps", "0")]
    [InlineData("steps", "1.5")]
    [InlineData("queries", "1e7")]
    [InlineData("p-init", "0")]
    [InlineData("rescale", "2")]
    public void A_value_outside_the_declared_range_is_refused_in_one_line_naming_the_range(string option, string value)
    {
        AttackOption declared = AttackOptions.Get(option).Option;
        var e = Assert.Throws<LabelRepException>(() => declared.Parse(value, "--" + option));
        Assert.Equal($"--{option} {double.Parse(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)}: must be {declared.Range}", e.Message);
        Assert.Throws<LabelRepException>(() => new AttackRequest { Options = new Dictionary<string, double> { [option] = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) } }.Validate());
    }

    [Fact]
    public void Every_budget_key_of_a_study_spec_is_a_declared_option_and_is_checked_by_its_declaration()
    {
        string[] keys = typeof(StudyAttackSpec).GetProperties()
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .Select(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))
            .Where(k => AttackOptions.All.Any(d => d.Option.SpecKey == k)).ToArray();
        Assert.Equal(AttackOptions.All.Select(d => d.Option.SpecKey).OrderBy(k => k), keys.OrderBy(k => k));
        var spec = new StudyAttackSpec { Steps = 7, Queries = 70, Targets = 3, Restarts = 2, PInit = 0.8, Rescale = 0 };
        Assert.Equal(new Dictionary<string, double> { ["steps"] = 7, ["queries"] = 70, ["targets"] = 3, ["restarts"] = 2, ["p-init"] = 0.8, ["rescale"] = 0 }, spec.Options);
        var e = Assert.Throws<LabelRepException>(() => (new StudySpec { Name = "s", Attack = new StudyAttackSpec { Targets = 0 } }).Validate());
        Assert.Contains("attack.targets 0: must be a whole number from 1", e.Message);
    }

    [Fact]
    public void The_docs_option_table_is_the_declarations()
    {
        string path = Path.Combine(Approved.Folder(), "..", "..", "..", "docs", "protocols.md");
        string doc = File.ReadAllText(path);
        const string open = "<!-- attack-options: generated from the declarations; tests/LabelRep.Tests/Evaluation/AttackOptionTests.cs -->\n";
        const string close = "<!-- /attack-options -->";
        int start = doc.IndexOf(open, StringComparison.Ordinal) + open.Length, end = doc.IndexOf(close, StringComparison.Ordinal);
        Assert.True(start >= open.Length && end > start - 1, "docs/protocols.md lacks the attack-options markers");
        string expected = AttackOptions.MarkdownTable() + "\n";
        if (Environment.GetEnvironmentVariable("LABELREP_APPROVE") == "1")
            File.WriteAllText(path, doc[..start] + expected + doc[end..]);
        else
            Assert.Equal(expected, doc[start..end]);
    }
}

/// <summary>attacks.csv rows: one field per column, whatever a name holds.</summary>
public class AttackCsvTests
{
    [Fact]
    public void A_source_name_with_commas_and_quotes_stays_one_field()
    {
        var row = new AttackResult
        {
            Protocol = "standard", Attack = "transfer", Loss = "margin", Targeted = false, Eps = 0.1, EpsPixels = 0.1, Steps = 20, Restarts = 1, Accuracy = 0.5,
            Images = 10, Source = "controlled:levels=16,rank=5 \"x\"", Seconds = 1, Queries = null, Forwards = 40, Backwards = 20,
        };
        string csv = row.ToCsv();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char ch = csv[i];
            if (quoted && ch == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
            else if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        string[] header = AttackResult.CsvHeader.Split(',');
        Assert.Equal(header.Length, fields.Count);
        Assert.Equal("controlled:levels=16,rank=5 \"x\"", fields[Array.IndexOf(header, "source")]);
        Assert.Equal("40", fields[Array.IndexOf(header, "forwards")]);
    }
}
