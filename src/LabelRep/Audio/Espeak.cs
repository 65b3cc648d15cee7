using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LabelRep.Audio;

/// <summary>
/// Speaks a text with espeak-ng into a WAV file (22,050 Hz, 16-bit mono for every voice). The text goes in on
/// standard input, never on the command line, so a class name such as "-wvictim.txt" is spoken, not obeyed.
/// </summary>
public static partial class Espeak
{
    public static string Executable { get; set; } = "espeak-ng";

    public static AudioSignal Speak(string text, string voice)
    {
        if (!VoiceName().IsMatch(voice))
            throw new LabelRepException($"--voice '{voice}': not a voice name (letters, digits, '-', '_', '+' and '/'); 'espeak-ng --voices' lists them");
        string temp = Path.GetTempPath();
        // espeak-ng writes its WAV there: a missing or read-only folder is the cause to name, not the voice.
        if (!Directory.Exists(temp))
            throw new LabelRepException($"the temporary folder {temp} does not exist (TMPDIR); speech labels are synthesized through a file there: create it or point TMPDIR at a writable folder");
        string wav = Path.Combine(temp, $"labelrep-speech-{Environment.ProcessId}-{Guid.NewGuid():N}.wav");
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "-v", voice, "-w", wav, "--stdin" }) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new LabelRepException("could not start espeak-ng");
            p.StandardInput.Write(text.Replace('\n', ' ').Replace('\r', ' '));
            p.StandardInput.Close();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || !File.Exists(wav))
                throw new LabelRepException(err.Contains("Can't write to", StringComparison.Ordinal)
                    ? $"espeak-ng could not write its WAV file in the temporary folder {temp} ({err.Trim()}); point TMPDIR at a writable folder"
                    : $"espeak-ng failed for voice '{voice}' ({err.Trim()}); 'espeak-ng --voices' lists the voices");
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

    /// <summary>espeak-ng voice names: "en", "en-us", "fr", "mb/mb-en1", "en+f3"; never starting with '-'.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_+/-]{0,63}$")]
    private static partial Regex VoiceName();
}
