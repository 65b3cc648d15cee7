using LabelRep.Audio;
using Xunit;

namespace LabelRep.Tests.Labels;

public class MelSpectrogramTests
{
    private static float[] Tone(double hz, int samples, int rate = 22050) =>
        Enumerable.Range(0, samples).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    [Fact]
    public void A_tone_has_its_energy_in_the_mel_band_of_its_frequency()
    {
        // Given: a 1 kHz tone
        float[] y = Tone(1000, 22050);

        // When
        double[,] mel = MelSpectrogram.Mel(y);

        // Then: 1 + N/hop frames, and the loudest band is the one whose centre is nearest 1 kHz
        Assert.Equal(1 + 22050 / 256, mel.GetLength(1));
        int frame = mel.GetLength(1) / 2;
        int loudest = Enumerable.Range(0, 64).MaxBy(m => mel[m, frame]);
        double melLow = MelSpectrogram.HzToMel(0), melHigh = MelSpectrogram.HzToMel(8000);
        double[] centres = Enumerable.Range(1, 64).Select(i => MelSpectrogram.MelToHz(melLow + (melHigh - melLow) * i / 65)).ToArray();
        int expected = Enumerable.Range(0, 64).MinBy(m => Math.Abs(centres[m] - 1000));
        Assert.InRange(loudest, expected - 1, expected + 1);
    }

    [Fact]
    public void The_label_is_64_by_64_in_minus_80_to_0_dB()
    {
        float[] label = MelSpectrogram.Label(new AudioSignal(Tone(440, 15000), 22050));
        Assert.Equal(64 * 64, label.Length);
        // power_to_db puts the loudest bin at 0 dB; skimage's anti-aliased resize of the time axis then smooths the peak a little.
        Assert.InRange(label.Max(), -1f, 0f);
        Assert.True(label.Min() >= -80f);
    }

    [Fact]
    public void Trim_removes_leading_and_trailing_silence()
    {
        float[] y = new float[11025].Concat(Tone(500, 11025)).Concat(new float[11025]).ToArray();
        float[] trimmed = MelSpectrogram.Trim(y);
        Assert.InRange(trimmed.Length, 11025, 11025 + 2 * 2048);
    }

    [Fact]
    public void Slaney_mel_scale_is_linear_below_1_kHz_and_logarithmic_above()
    {
        Assert.Equal(15.0, MelSpectrogram.HzToMel(1000), 9);
        Assert.Equal(7.5, MelSpectrogram.HzToMel(500), 9);
        Assert.Equal(4000, MelSpectrogram.MelToHz(MelSpectrogram.HzToMel(4000)), 6);
        // Slaney normalization: every triangle has area 1 in Hz (up to discretisation)
        double[,] w = MelSpectrogram.SlaneyMelFilters(22050, 2048, 64, 0, 8000);
        double binHz = 22050.0 / 2048;
        for (int m = 10; m < 64; m++)
        {
            double area = Enumerable.Range(0, 1025).Sum(f => w[m, f]) * binHz;
            Assert.Equal(1.0, area, 1);
        }
    }

    [Fact]
    public void Resampling_to_22050_keeps_the_tone()
    {
        var signal = new AudioSignal(Tone(1000, 24000, 24000), 24000);
        float[] resampled = MelSpectrogram.Resample(signal);
        Assert.InRange(resampled.Length, 22000, 22100);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void Wav_files_of_several_encodings_are_read(int bits)
    {
        string path = Path.Combine(TestData.TempDir("wav"), "x.wav");
        float[] tone = Tone(300, 1000);
        if (bits == 16) WavFile.Write16(path, tone, 16000);
        else
        {
            using var s = File.Create(path);
            using var w = new BinaryWriter(s);
            w.Write("RIFF"u8.ToArray()); w.Write(36 + 2000); w.Write("WAVE"u8.ToArray());
            w.Write("fmt "u8.ToArray()); w.Write(16); w.Write((short)1); w.Write((short)2); w.Write(16000); w.Write(32000); w.Write((short)2); w.Write((short)8);
            w.Write("data"u8.ToArray()); w.Write(2000);
            foreach (float v in tone) { byte b = (byte)Math.Round(v * 127 + 128); w.Write(b); w.Write(b); }
        }
        var signal = WavFile.Read(path);
        Assert.Equal(16000, signal.SampleRate);
        Assert.Equal(1000, signal.Samples.Length);
        Assert.Equal(tone[100], signal.Samples[100], 1);
    }
}
