namespace LabelRep.IO;

/// <summary>Names from data (dataset, class and label names) made safe as one file-name component.</summary>
public static class FileNames
{
    /// <summary>Letters, digits, '-' and '_' are kept; anything else (a '/', ':', space) becomes '-'.</summary>
    public static string Safe(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
