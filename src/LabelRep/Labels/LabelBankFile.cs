using LabelRep.IO;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>Label banks as .npy files (C×64×64 or C×d float32), e.g. the official repo's cifar10_speech.npy.</summary>
public static class LabelBankFile
{
    public static LabelBank Read(string path, string kind, int classCount)
    {
        (float[] data, int[] shape) = Npy.Read(path);
        if (shape.Length is not (2 or 3))
            throw new LabelRepException($"{path}: shape ({string.Join(", ", shape)}) is not a label bank; expected (C, 64, 64) or (C, d)");
        if (shape[0] != classCount)
            throw new LabelRepException($"{path}: holds labels for {shape[0]} classes but the dataset has {classCount}");
        if (shape.Length == 3 && (shape[1] != 64 || shape[2] != 64))
            throw new LabelRepException($"{path}: labels are {shape[1]}×{shape[2]}; the label decoder produces 64×64");
        return new LabelBank(kind, torch.tensor(data, shape.Select(d => (long)d).ToArray()));
    }

    public static void Write(string path, LabelBank bank) =>
        Npy.Write(path, bank.Targets.contiguous().data<float>().ToArray(), bank.Targets.shape.Select(d => (int)d).ToArray());
}
