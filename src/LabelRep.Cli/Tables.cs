using Spectre.Console;

namespace LabelRep.Cli;

/// <summary>The tables the CLI prints (Spectre.Console), written to the current Console.Out so that redirection and tests see them.</summary>
public static class Tables
{
    /// <summary>Prints a table; the first <paramref name="textColumns"/> columns align left, the rest (numbers) right.</summary>
    public static void Print(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int textColumns = 1)
    {
        Write(Console.Out, Console.IsOutputRedirected ? 200 : Math.Max(80, SafeWidth()), header, rows, textColumns);
    }

    /// <summary>The table as <see cref="Print"/> lays it out, to <paramref name="output"/> at <paramref name="width"/> columns.</summary>
    internal static void Write(TextWriter output, int width, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int textColumns = 1)
    {
        var table = new Table().Border(TableBorder.Simple);
        for (int i = 0; i < header.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(header[i]));
            table.AddColumn(i < textColumns ? column.LeftAligned() : column.RightAligned());
        }
        foreach (var row in rows) table.AddRow(row.Select(cell => new Text(cell)).ToArray<Spectre.Console.Rendering.IRenderable>());
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = width;
        console.Write(table);
    }

    private static int SafeWidth()
    {
        try { return Console.WindowWidth; }
        catch (IOException) { return 120; }
    }
}
