namespace LabelRep.Labels;

/// <summary>A label representation, registered by name in <see cref="LabelKinds"/>. A new kind is one new file.</summary>
public interface ILabelKind
{
    /// <summary>The name used on the command line, e.g. "speech".</summary>
    string Name { get; }

    /// <summary>One line for --help and the report.</summary>
    string Description { get; }

    /// <summary>Builds the bank for a dataset: (C, 64, 64) for high-dimensional kinds, (C, d) for low-dimensional ones.</summary>
    LabelBank Build(LabelContext context);
}
