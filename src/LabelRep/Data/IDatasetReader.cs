namespace LabelRep.Data;

/// <summary>Reads one dataset from disk. One small class per file format.</summary>
public interface IDatasetReader
{
    /// <summary>The dataset's description, known without reading the image files where possible.</summary>
    DatasetInfo Info { get; }

    /// <summary>Reads the training and test splits; throws <see cref="LabelRepException"/> with a fixable message on bad input.</summary>
    DatasetSplits Load();
}
