using System.Collections;
using System.Text.Json;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Runs;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LabelRep.Interop;

/// <summary>What <see cref="PyTorchImport"/> did: how keys were matched and the imported run's test accuracy.</summary>
public sealed record ImportSummary(string Matching, int Tensors, int StrippedPrefix, double TestAccuracy, int TestImages);

/// <summary>
/// Turns a PyTorch state dict of the same architecture into a LabelRep run that evaluate and attack accept. Keys
/// may carry nn.DataParallel's "module." prefix (the official code's checkpoints). Keys are matched by name when
/// they are LabelRep's own (an exported model); otherwise in order, with every shape checked, since a state dict
/// lists tensors in the order the modules registered them. Normalization comes from the dataset, not the file.
/// </summary>
public static class PyTorchImport
{
    public static ImportSummary Import(string stateDictPath, TrainConfig config, string? labelsFile, RunDirectory run)
    {
        IO.InputFile.RequireRegular(stateDictPath, "PyTorch state dict");
        if (run.HasConfig) throw new LabelRepException($"{run.Root} already holds a run; choose a new --out folder");
        Dictionary<string, Tensor> source = Read(stateDictPath);
        int stripped = 0;
        if (source.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)))
        {
            source = source.ToDictionary(kv => kv.Key["module.".Length..], kv => kv.Value);
            stripped = source.Count;
        }
        config = config with { Labels = config.Labels with { LabelsFile = labelsFile is null ? null : Path.GetFullPath(labelsFile) } };
        using RunSetup setup = RunSetup.Create(config);
        var target = setup.Model.state_dict();
        string matching = Copy(source, target, config.Model, setup.Model.HeadShape.IsImage, stateDictPath);

        OutputFolder.Create(run.Root, "run");
        AtomicFile.WriteText(run.ConfigPath, config.ToJson());
        LabelBankFile.Write(run.LabelsPath, setup.Objective.Bank);
        RunDirectory.SaveModel(setup.Model, run.BestPath);
        var result = Accuracy.Evaluate(setup.Classifier, setup.Data.Test, setup.TestIndices, config.EvalBatchSize);
        var summary = new ImportSummary(matching, source.Count, stripped, result.Accuracy, result.Images);
        AtomicFile.WriteText(run.Combine("imported.json"), JsonSerializer.Serialize(new
        {
            source = Path.GetFullPath(stateDictPath), matching, tensors = source.Count, stripped_prefix = stripped > 0 ? "module." : null,
            test_accuracy = result.Accuracy, test_images = result.Images,
        }, TrainConfig.Json));
        foreach (Tensor t in source.Values) t.Dispose();
        return summary;
    }

    /// <summary>Reads a torch.save'd state dict (or a checkpoint dict holding one under "state_dict").</summary>
    private static Dictionary<string, Tensor> Read(string path)
    {
        Hashtable table;
        try
        {
            using FileStream stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not LabelRepException)
        {
            throw new LabelRepException($"{path}: not a PyTorch state dict that can be read without Python ({e.Message.Split('\n')[0].TrimEnd('.')}); save it with torch.save(model.state_dict(), path)");
        }
        if (table.ContainsKey("state_dict") && table["state_dict"] is Hashtable inner) table = inner;
        var tensors = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Value is Tensor t) tensors[(string)entry.Key] = t;
        }
        if (tensors.Count == 0) throw new LabelRepException($"{path}: holds no tensors");
        return tensors;
    }

    private static string Copy(Dictionary<string, Tensor> source, IDictionary<string, Tensor> target, string model, bool decoder, string path)
    {
        using var _ = torch.no_grad();
        // The normalization buffers come from the dataset; other checkpoints do not have them.
        var wanted = target.Where(kv => !kv.Key.StartsWith("normalize.", StringComparison.Ordinal)).ToList();
        string matching = "by name";
        if (!wanted.All(kv => source.ContainsKey(kv.Key)))
        {
            source = source.ToDictionary(kv => OfficialNames.ToLabelRep(kv.Key, model, decoder), kv => kv.Value);
            matching = "official code's names";
        }
        string? missing = wanted.Select(kv => kv.Key).FirstOrDefault(k => !source.ContainsKey(k));
        if (missing != null)
            throw new LabelRepException($"{path}: no tensor for '{missing}' (the file has {source.Count} tensors, e.g. '{source.Keys.First()}'); is it the same backbone and head (--model, --label)?");
        string? extra = source.Keys.FirstOrDefault(k => !k.StartsWith("normalize.", StringComparison.Ordinal) && !target.ContainsKey(k));
        if (extra != null)
            throw new LabelRepException($"{path}: tensor '{extra}' has no place in a {model} model with a {(decoder ? "decoder" : "linear")} head; is it the same architecture?");
        foreach (var (name, tensor) in wanted) CopyOne(source[name], tensor, name, path);
        return matching;
    }

    private static void CopyOne(Tensor from, Tensor to, string name, string path)
    {
        if (!from.shape.SequenceEqual(to.shape))
            throw new LabelRepException($"{path}: '{name}' has shape [{string.Join(",", from.shape)}], the model needs [{string.Join(",", to.shape)}]; is it the same backbone, head and class count?");
        to.copy_(from.to_type(to.dtype));
    }
}
