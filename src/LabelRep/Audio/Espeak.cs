using System.ComponentModel;
using System.Diagnostics;

namespace LabelRep.Audio;

/// <summary>Speaks a text with espeak-ng into a WAV file (22,050 Hz, 16-bit mono for every voice).</summary>
public static class Espeak
{
    public static string Executable { get; set; } = "espeak-ng";

    public static AudioSignal Speak(string text, string voice)
    {
        string wav = Path.Combine(Path.GetTempPath(), $"labelrep-speech-{Environment.ProcessId}-{Guid.NewGuid():N}.wav");
        var psi = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "-v", voice, "-w", wav, text }) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new LabelRepException("could not start espeak-ng");
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || !File.Exists(wav))
                throw new LabelRepException($"espeak-ng failed for voice '{voice}' ({err.Trim()}); 'espeak-ng --voices' lists the voices");
            return WavFile.Read(wav);
        }
        catch (Win32Exception)
        {
            throw new LabelRepException("espeak-ng is not installed; install it with 'apt-get install -y espeak-ng', or give --audio-dir with your own recordings");
        }
        finally
        {
            if (File.Exists(wav)) File.Delete(wav);
        }
    }
}
