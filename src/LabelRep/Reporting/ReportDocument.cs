using System.Net;
using System.Text;
using LabelRep.IO;

namespace LabelRep.Reporting;

/// <summary>Writes the same report as Markdown (images as files beside it) and as one self-contained HTML page.</summary>
public sealed class ReportDocument
{
    private readonly string _dir;
    private readonly StringBuilder _md = new();
    private readonly StringBuilder _html = new();

    public ReportDocument(string dir) => _dir = dir;

    public void Title(string text)
    {
        _md.Append("# ").Append(text).Append("\n\n");
        _html.Append("<h1>").Append(E(text)).Append("</h1>\n");
        _title = text;
    }

    private string _title = "LabelRep study";

    public void Heading(string text)
    {
        _md.Append("## ").Append(text).Append("\n\n");
        _html.Append("<h2>").Append(E(text)).Append("</h2>\n");
    }

    public void Subheading(string text)
    {
        _md.Append("### ").Append(text).Append("\n\n");
        _html.Append("<h3>").Append(E(text)).Append("</h3>\n");
    }

    public void Paragraph(string text)
    {
        _md.Append(text).Append("\n\n");
        _html.Append("<p>").Append(E(text)).Append("</p>\n");
    }

    public void List(IEnumerable<string> items)
    {
        _html.Append("<ul>");
        foreach (string item in items)
        {
            _md.Append("- ").Append(item).Append('\n');
            _html.Append("<li>").Append(E(item)).Append("</li>");
        }
        _md.Append('\n');
        _html.Append("</ul>\n");
    }

    public void Table(string[] header, IEnumerable<string[]> rows, string? collapsible = null)
    {
        var all = rows.ToArray();
        _md.Append("| ").Append(string.Join(" | ", header.Select(Md))).Append(" |\n|").Append(string.Concat(header.Select(_ => "---|"))).Append('\n');
        foreach (string[] row in all) _md.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
        _md.Append('\n');
        if (collapsible != null) _html.Append("<details><summary>").Append(E(collapsible)).Append("</summary>");
        _html.Append("<table><tr>").Append(string.Concat(header.Select(h => $"<th>{E(h)}</th>"))).Append("</tr>\n");
        foreach (string[] row in all)
            _html.Append("<tr>").Append(string.Concat(row.Select(c => $"<td class=\"{Class(c)}\">{E(c)}</td>"))).Append("</tr>\n");
        _html.Append("</table>\n");
        if (collapsible != null) _html.Append("</details>\n");
    }

    public void Image(string file, byte[] png, string caption)
    {
        AtomicFile.Write(Path.Combine(_dir, file), s => s.Write(png));
        _md.Append($"![{caption}]({file})\n\n");
        _html.Append($"<figure><img alt=\"{E(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
    }

    public void Gallery(string caption, (string File, byte[] Png)[] images)
    {
        _md.Append("**").Append(caption).Append("**\n\n");
        _html.Append("<h4>").Append(E(caption)).Append("</h4><div class=\"gallery\">");
        foreach (var (file, png) in images)
        {
            AtomicFile.Write(Path.Combine(_dir, file), s => s.Write(png));
            _md.Append($"![{file}]({file}) ");
            _html.Append($"<img alt=\"{E(file)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");
        }
        _md.Append("\n\n");
        _html.Append("</div>\n");
    }

    public void Save()
    {
        AtomicFile.WriteText(Path.Combine(_dir, "report.md"), _md.ToString());
        string page = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(_title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            td.supported { background: #d9f2d9; } td.not-supported { background: #f8d7d7; } td.mixed { background: #fff3cd; }
            figure { margin: 1em 0; } img { max-width: 100%; }
            .gallery img { margin: 4px; border: 1px solid #ddd; }
            </style></head><body>
            {{_html}}
            </body></html>
            """;
        AtomicFile.WriteText(Path.Combine(_dir, "report.html"), page);
    }

    private static string Class(string cell) => cell switch
    {
        "supported" => "supported",
        "not supported" => "not-supported",
        "mixed" => "mixed",
        _ => "",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string Md(string s) => s.Replace("|", "\\|");
}
