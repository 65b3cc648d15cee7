using LabelRep.Audio;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// The paper's speech label (§3.3): the class name spoken (espeak-ng, or the user's own recordings with --audio-dir)
/// → 22,050 Hz → silence trimmed → 64-band mel spectrogram in dB → 64×64, values in [−80, 0].
/// </summary>
public sealed class SpeechLabels : ILabelKind
{
    public string Name => "speech";
    public string Description => "mel spectrogram (64×64 dB) of the class name spoken aloud";
    public LabelRole Role => LabelRole.HighDimensional;

    public LabelBank Build(LabelContext context) => new(Name, Spectrograms(context));

    /// <summary>The (C, 64, 64) spectrograms; shared with the shuffled kind.</summary>
    public static torch.Tensor Spectrograms(LabelContext context)
    {
        var classes = context.Dataset.ClassNames;
        var data = new float[classes.Count * 64 * 64];
        for (int c = 0; c < classes.Count; c++)
        {
            string? recording = context.Options.AudioDir is { } dir ? FindRecording(dir, classes[c], c) : null;
            AudioSignal audio = recording != null ? WavFile.Read(recording) : Espeak.Speak(SpokenText(context.Dataset.Spoken[c]), context.Options.Voice);
            float[] label;
            try { label = MelSpectrogram.Label(audio); }
            catch (LabelRepException e)
            {
                throw new LabelRepException($"{recording ?? $"espeak-ng voice {context.Options.Voice}"}: class '{classes[c]}': {e.Message}");
            }
            Array.Copy(label, 0, data, c * 64 * 64, label.Length);
        }
        return torch.tensor(data, new long[] { classes.Count, 64, 64 });
    }

    /// <summary>What is spoken for a class name: underscores and slashes become spaces ("aquarium_fish" → "aquarium fish").</summary>
    public static string SpokenText(string className) => className.Replace('_', ' ').Replace('/', ' ');

    private static string FindRecording(string dir, string className, int index)
    {
        if (!Directory.Exists(dir)) throw new LabelRepException($"--audio-dir {dir}: no such folder");
        string safe = className.Replace('/', '_');
        foreach (string stem in new[] { className, safe, SpokenText(className), index.ToString() })
        {
            string path = Path.Combine(dir, stem + ".wav");
            if (File.Exists(path)) return path;
        }
        throw new LabelRepException($"--audio-dir {dir}: no recording for class {index} '{className}' (looked for '{safe}.wav' and '{index}.wav')");
    }
}
