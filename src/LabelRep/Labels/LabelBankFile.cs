using LabelRep.IO;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>Label banks as .npy files: (C, d) vectors or (C, H, W) square label images, e.g. the official repo's cifar10_speech.npy.</summary>
public static class LabelBankFile
{
    public static LabelBank Read(string path, string kind, int classCount)
    {
        (float[] data, int[] shape) = Npy.Read(path);
        if (shape.Length is not (2 or 3) || shape.Any(d => d < 1))
            throw new LabelRepException($"{path}: shape ({string.Join(", ", shape)}) is not a label bank; expected (C, d) vectors or (C, H, W) label images");
        long perLabel = shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perLabel > LabelBank.MaxLabelElements)
            throw new LabelRepException($"{path}: each label has {perLabel:N0} values; LabelRep takes at most {LabelBank.MaxLabelElements:N0} per label (a 256×256 image), since the model's head grows with the label");
        if (shape[0] != classCount)
            throw new LabelRepException($"{path}: holds labels for {shape[0]} classes but the dataset has {classCount}");
        if (shape.Length == 3 && !LabelBank.IsDecodableImage(shape[1], shape[2]))
            throw new LabelRepException($"{path}: labels are {shape[1]}×{shape[2]}; a label decoder makes square labels with a side divisible by 16 (64×64, 48×48)");
        int bad = Array.FindIndex(data, v => !float.IsFinite(v));
        if (bad >= 0) throw new LabelRepException($"{path}: value {bad} is {data[bad]}; a label bank holds finite numbers");
        return new LabelBank(kind, torch.tensor(data, shape.Select(d => (long)d).ToArray()));
    }

    public static void Write(string path, LabelBank bank) => AtomicFile.Write(path, Writer(bank));

    /// <summary>The bank's .npy bytes, as a writer (for <see cref="AtomicFile.WriteSet"/>).</summary>
    public static Action<Stream> Writer(LabelBank bank) =>
        Npy.Writer(bank.Targets.contiguous().data<float>().ToArray(), bank.Targets.shape.Select(d => (int)d).ToArray());
}
