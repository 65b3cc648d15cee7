using System.Numerics;

namespace LabelRep.Audio;

/// <summary>
/// The official label pipeline (docs/protocols.md §3) as librosa 0.8 computes it: trim silence (top_db 60,
/// frame 2048, hop 512, centred frames), mel power spectrogram (n_fft 2048, hop 256, 64 Slaney mel bands, fmin 0,
/// fmax 8000, periodic Hann, centred with reflect padding), power_to_db(ref = max, top_db 80) and skimage's resize of
/// the time axis to 64 columns (anti-aliased when it shrinks).
/// </summary>
public static class MelSpectrogram
{
    public const int SampleRate = 22050;
    public const int NFft = 2048;
    public const int Hop = 256;
    public const int Mels = 64;
    public const double FMax = 8000;

    /// <summary>The 64×64 label in dB, [−80, 0], row-major (rows = mel bands, columns = time).</summary>
    public static float[] Label(AudioSignal signal, int columns = 64)
    {
        if (signal.Samples.All(v => v == 0)) throw new LabelRepException("the recording is silent (every sample is 0)");
        float[] y = signal.SampleRate == SampleRate ? signal.Samples : Resample(signal);
        y = Trim(y);
        double[,] power = Mel(y);
        double[,] db = PowerToDb(power, topDb: 80);
        return ResizeColumns(db, columns);
    }

    /// <summary>Band-limited resampling to 22,050 Hz (NWaves' windowed-sinc resampler).</summary>
    public static float[] Resample(AudioSignal signal)
    {
        var s = new NWaves.Signals.DiscreteSignal(signal.SampleRate, signal.Samples);
        return NWaves.Operations.Operation.Resample(s, SampleRate).Samples;
    }

    /// <summary>librosa.effects.trim: keep from the first to the last frame whose RMS is within 60 dB of the loudest frame.</summary>
    public static float[] Trim(float[] y, double topDb = 60, int frameLength = 2048, int hopLength = 512)
    {
        int pad = frameLength / 2;
        int frames = 1 + y.Length / hopLength;
        var mse = new double[frames];
        for (int t = 0; t < frames; t++)
        {
            double sum = 0;
            for (int k = 0; k < frameLength; k++)
            {
                double v = y[Reflect(t * hopLength + k - pad, y.Length)];
                sum += v * v;
            }
            mse[t] = sum / frameLength;
        }
        double max = Math.Max(mse.Max(), 1e-10);
        double refDb = 10 * Math.Log10(max);
        int first = -1, last = -1;
        for (int t = 0; t < frames; t++)
        {
            double db = 10 * Math.Log10(Math.Max(mse[t], 1e-10)) - refDb;
            if (db > -topDb)
            {
                if (first < 0) first = t;
                last = t;
            }
        }
        if (first < 0) return Array.Empty<float>();
        int start = first * hopLength, end = Math.Min(y.Length, (last + 1) * hopLength);
        return y[start..end];
    }

    /// <summary>Mel power spectrogram, (64 bands, 1 + N/hop frames).</summary>
    public static double[,] Mel(float[] y)
    {
        if (y.Length == 0) throw new LabelRepException("the recording is silent (nothing left after trimming)");
        int frames = 1 + y.Length / Hop;
        int bins = NFft / 2 + 1;
        double[,] filters = SlaneyMelFilters(SampleRate, NFft, Mels, 0, FMax);
        var window = new double[NFft];
        for (int i = 0; i < NFft; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / NFft); // periodic Hann
        var result = new double[Mels, frames];
        var buffer = new Complex[NFft];
        var spectrum = new double[bins];
        for (int t = 0; t < frames; t++)
        {
            for (int k = 0; k < NFft; k++) buffer[k] = new Complex(y[Reflect(t * Hop + k - NFft / 2, y.Length)] * window[k], 0);
            Fft(buffer);
            for (int f = 0; f < bins; f++) spectrum[f] = buffer[f].Real * buffer[f].Real + buffer[f].Imaginary * buffer[f].Imaginary;
            for (int m = 0; m < Mels; m++)
            {
                double sum = 0;
                for (int f = 0; f < bins; f++) sum += filters[m, f] * spectrum[f];
                result[m, t] = sum;
            }
        }
        return result;
    }

    /// <summary>10·log10(max(S, 1e−10)) − 10·log10(max(S)), floored at −top_db.</summary>
    public static double[,] PowerToDb(double[,] s, double topDb)
    {
        int rows = s.GetLength(0), cols = s.GetLength(1);
        double max = 1e-10;
        foreach (double v in s) max = Math.Max(max, v);
        double refDb = 10 * Math.Log10(max);
        var db = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                db[r, c] = Math.Max(10 * Math.Log10(Math.Max(s[r, c], 1e-10)) - refDb, -topDb);
        return db;
    }

    /// <summary>
    /// skimage.transform.resize(m, (rows, columns)) as the official notebook calls it (order 1, mode 'reflect',
    /// anti-aliasing on): when the time axis shrinks by a factor f, a Gaussian blur with σ = (f − 1) / 2 along it
    /// (scipy's gaussian_filter1d, truncate 4, 'mirror' edges); then bilinear interpolation at input coordinate
    /// (j + 0.5)·f − 0.5 with mirrored edges. Rows (mel bands) keep their number, so only time is touched.
    /// </summary>
    public static float[] ResizeColumns(double[,] m, int columns)
    {
        int rows = m.GetLength(0), n = m.GetLength(1);
        double factor = (double)n / columns;
        double[,] source = factor > 1 ? BlurColumns(m, (factor - 1) / 2) : m;
        var result = new float[rows * columns];
        for (int j = 0; j < columns; j++)
        {
            double x = (j + 0.5) * factor - 0.5;
            int x0 = (int)Math.Floor(x), x1 = (int)Math.Ceiling(x);
            double w = x - x0;
            int c0 = Reflect(x0, n), c1 = Reflect(x1, n);
            for (int r = 0; r < rows; r++) result[r * columns + j] = (float)((1 - w) * source[r, c0] + w * source[r, c1]);
        }
        return result;
    }

    /// <summary>scipy.ndimage.gaussian_filter1d along the columns: truncate 4.0, 'mirror' mode (the edge is not repeated).</summary>
    private static double[,] BlurColumns(double[,] m, double sigma)
    {
        int rows = m.GetLength(0), n = m.GetLength(1);
        int radius = (int)(4.0 * sigma + 0.5);
        var kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.Exp(-0.5 * k * k / (sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;
        var blurred = new double[rows, n];
        for (int r = 0; r < rows; r++)
        {
            for (int t = 0; t < n; t++)
            {
                double v = 0;
                for (int k = -radius; k <= radius; k++) v += kernel[k + radius] * m[r, Reflect(t + k, n)];
                blurred[r, t] = v;
            }
        }
        return blurred;
    }

    /// <summary>librosa.filters.mel with htk=False and norm='slaney': triangles on the Slaney mel scale, area-normalized.</summary>
    public static double[,] SlaneyMelFilters(int sr, int nFft, int nMels, double fMin, double fMax)
    {
        int bins = nFft / 2 + 1;
        var fftFreqs = new double[bins];
        for (int i = 0; i < bins; i++) fftFreqs[i] = (double)i * sr / nFft;
        double melMin = HzToMel(fMin), melMax = HzToMel(fMax);
        var melF = new double[nMels + 2];
        for (int i = 0; i < melF.Length; i++) melF[i] = MelToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        var weights = new double[nMels, bins];
        for (int m = 0; m < nMels; m++)
        {
            double fdiffLow = melF[m + 1] - melF[m], fdiffHigh = melF[m + 2] - melF[m + 1];
            double enorm = 2.0 / (melF[m + 2] - melF[m]);
            for (int f = 0; f < bins; f++)
            {
                double lower = (fftFreqs[f] - melF[m]) / fdiffLow;
                double upper = (melF[m + 2] - fftFreqs[f]) / fdiffHigh;
                weights[m, f] = Math.Max(0, Math.Min(lower, upper)) * enorm;
            }
        }
        return weights;
    }

    private const double FSp = 200.0 / 3, MinLogHz = 1000, MinLogMel = MinLogHz / FSp;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;

    public static double HzToMel(double hz) => hz >= MinLogHz ? MinLogMel + Math.Log(hz / MinLogHz) / LogStep : hz / FSp;

    public static double MelToHz(double mel) => mel >= MinLogMel ? MinLogHz * Math.Exp(LogStep * (mel - MinLogMel)) : FSp * mel;

    /// <summary>numpy's 'reflect' padding index (edge not repeated), bouncing as often as needed.</summary>
    private static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    /// <summary>In-place iterative radix-2 FFT (length a power of two).</summary>
    private static void Fft(Complex[] a)
    {
        int n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (a[i], a[j]) = (a[j], a[i]);
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = -2 * Math.PI / len;
            var wLen = new Complex(Math.Cos(angle), Math.Sin(angle));
            for (int i = 0; i < n; i += len)
            {
                Complex w = Complex.One;
                for (int k = 0; k < len / 2; k++)
                {
                    Complex u = a[i + k], v = a[i + k + len / 2] * w;
                    a[i + k] = u + v;
                    a[i + k + len / 2] = u - v;
                    w *= wLen;
                }
            }
        }
    }
}
