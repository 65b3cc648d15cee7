using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.IO;

/// <summary>
/// Named tensors in the safetensors format (8-byte header length, JSON header, raw little-endian data), written
/// atomically. Used for checkpoints (model and optimizer state); Python reads them with the safetensors package.
/// </summary>
public static class SafeTensors
{
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new JsonObject();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var cpu = tensor.detach().cpu().contiguous();
            byte[] bytes = ToBytes(cpu, out string dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(json.Length + pad));
            stream.Write(len);
            stream.Write(json);
            for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
            foreach (byte[] blob in blobs) stream.Write(blob);
        });
    }

    public static Dictionary<string, Tensor> Load(string path)
    {
        byte[] all;
        try { all = File.ReadAllBytes(path); }
        catch (IOException e) { throw new LabelRepException($"{path}: cannot read ({e.Message})"); }
        if (all.Length < 8) throw new LabelRepException($"{path}: truncated tensor file");
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (headerLength <= 0 || 8 + headerLength > all.Length) throw new LabelRepException($"{path}: corrupt tensor file header");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(all, 8, (int)headerLength))!.AsObject(); }
        catch (JsonException) { throw new LabelRepException($"{path}: corrupt tensor file header"); }
        long dataStart = 8 + headerLength;
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__" || node is null) continue;
            string dtype = node["dtype"]!.GetValue<string>();
            long[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            long begin = node["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
            if (dataStart + end > all.Length || begin > end) throw new LabelRepException($"{path}: truncated tensor file");
            var span = new ReadOnlySpan<byte>(all, (int)(dataStart + begin), (int)(end - begin));
            result[name] = FromBytes(span, dtype, shape, path);
        }
        return result;
    }

    private static byte[] ToBytes(Tensor t, out string dtype)
    {
        switch (t.dtype)
        {
            case ScalarType.Float32: dtype = "F32"; return MemoryMarshal.AsBytes(t.data<float>().ToArray().AsSpan()).ToArray();
            case ScalarType.Float64: dtype = "F64"; return MemoryMarshal.AsBytes(t.data<double>().ToArray().AsSpan()).ToArray();
            case ScalarType.Int64: dtype = "I64"; return MemoryMarshal.AsBytes(t.data<long>().ToArray().AsSpan()).ToArray();
            case ScalarType.Int32: dtype = "I32"; return MemoryMarshal.AsBytes(t.data<int>().ToArray().AsSpan()).ToArray();
            case ScalarType.Byte: dtype = "U8"; return t.data<byte>().ToArray();
            default: throw new NotSupportedException($"dtype {t.dtype} is not supported in tensor files");
        }
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, string dtype, long[] shape, string path) => dtype switch
    {
        "F32" => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
        "F64" => torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
        "I64" => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
        "I32" => torch.tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape),
        "U8" => torch.tensor(bytes.ToArray(), shape),
        _ => throw new LabelRepException($"{path}: tensor dtype {dtype} is not supported"),
    };
}
