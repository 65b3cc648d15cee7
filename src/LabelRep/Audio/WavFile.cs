using System.Buffers.Binary;
using System.Text;

namespace LabelRep.Audio;

/// <summary>A mono signal in [−1, 1] and its sampling rate.</summary>
public sealed record AudioSignal(float[] Samples, int SampleRate);

/// <summary>RIFF WAVE reading: PCM 8/16/24/32-bit or IEEE float 32/64, any rate, mono or multi-channel (averaged to mono).</summary>
public static class WavFile
{
    public static AudioSignal Read(string path)
    {
        byte[] b = IO.InputFile.ReadAllBytes(path, "WAV recording", 1L << 30);
        if (b.Length < 12 || Encoding.ASCII.GetString(b, 0, 4) != "RIFF" || Encoding.ASCII.GetString(b, 8, 4) != "WAVE")
            throw new LabelRepException($"{path}: not a RIFF WAVE file; convert it with 'sox IN -b 16 OUT.wav'");
        int format = 0, channels = 0, rate = 0, bits = 0;
        bool hasFormat = false;
        int pos = 12;
        while (pos + 8 <= b.Length)
        {
            string id = Encoding.ASCII.GetString(b, pos, 4);
            long declared = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
            int body = pos + 8;
            int size;
            if (body + declared > b.Length)
            {
                if (id != "data") throw new LabelRepException($"{path}: truncated WAV chunk '{id}'");
                size = b.Length - body; // streaming writers leave the data size unset (0xFFFFFFFF, 0x7FFFFFFF); take what is there
            }
            else
            {
                size = (int)declared;
            }
            if (id == "fmt ")
            {
                if (size < 16) throw new LabelRepException($"{path}: malformed WAV format chunk");
                if (hasFormat) throw new LabelRepException($"{path}: two WAV format chunks");
                hasFormat = true;
                format = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(body + 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 14));
                if (format == 0xFFFE && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(body + 24)); // WAVE_FORMAT_EXTENSIBLE
            }
            else if (id == "data")
            {
                if (!hasFormat) throw new LabelRepException($"{path}: WAV data before its format chunk");
                if (rate < 1000 || rate > 768_000) throw new LabelRepException($"{path}: sampling rate {rate} Hz is not a recording's (1,000 to 768,000 Hz)");
                return new AudioSignal(Decode(b.AsSpan(body, size), format, channels, bits, path), rate);
            }
            pos = body + size + (size & 1);
            if (pos < 0) break;
        }
        throw new LabelRepException($"{path}: WAV file has no data chunk");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits, string path)
    {
        int bytesPer = bits / 8;
        if ((format == 1 && bits is not (8 or 16 or 24 or 32)) || (format == 3 && bits is not (32 or 64)) || format is not (1 or 3))
            throw new LabelRepException($"{path}: WAV encoding (format {format}, {bits}-bit) is not supported; use PCM 8/16/24/32-bit or float");
        if (channels is < 1 or > 64) throw new LabelRepException($"{path}: {channels} channels is not a recording's");
        int frames = data.Length / (bytesPer * channels);
        if (frames == 0) throw new LabelRepException($"{path}: WAV file holds no samples");
        var mono = new float[frames];
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                var s = data.Slice((f * channels + c) * bytesPer, bytesPer);
                sum += (format, bits) switch
                {
                    (1, 8) => (s[0] - 128) / 128.0,
                    (1, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
                    (1, 24) => ((s[2] << 24 | s[1] << 16 | s[0] << 8) >> 8) / 8388608.0,
                    (1, 32) => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
                    (3, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
            }
            mono[f] = (float)(sum / channels);
            if (!float.IsFinite(mono[f]))
                throw new LabelRepException($"{path}: sample {f} is {mono[f]} (not a number); the recording is corrupt");
        }
        return mono;
    }

    /// <summary>Writes 16-bit PCM mono (used by tests and for inspecting labels).</summary>
    public static void Write16(string path, float[] samples, int rate)
    {
        using var s = File.Create(path);
        using var w = new BinaryWriter(s);
        w.Write(Encoding.ASCII.GetBytes("RIFF")); w.Write(36 + samples.Length * 2); w.Write(Encoding.ASCII.GetBytes("WAVE"));
        w.Write(Encoding.ASCII.GetBytes("fmt ")); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write(Encoding.ASCII.GetBytes("data")); w.Write(samples.Length * 2);
        foreach (float v in samples) w.Write((short)Math.Clamp(Math.Round(v * 32767.0), -32768, 32767));
    }
}
