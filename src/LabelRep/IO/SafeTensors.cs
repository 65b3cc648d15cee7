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

    /// <summary>Reads every tensor; a header that does not describe the bytes (types, shapes, offsets) is an error naming the file.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        byte[] all = InputFile.ReadAllBytes(path, "tensor file");
        if (all.Length < 8) throw new LabelRepException($"{path}: truncated tensor file");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (declared == 0 || declared > (ulong)(all.Length - 8)) throw new LabelRepException($"{path}: corrupt tensor file header (length {declared})");
        long headerLength = (long)declared, dataStart = 8 + headerLength;
        var result = new Dictionary<string, Tensor>();
        try
        {
            if (JsonNode.Parse(Encoding.UTF8.GetString(all, 8, (int)headerLength)) is not JsonObject header)
                throw new LabelRepException($"{path}: corrupt tensor file header (not a JSON object)");
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                if (node is not JsonObject entry || entry["dtype"] is not JsonValue dtypeNode || entry["shape"] is not JsonArray shapeNode
                    || entry["data_offsets"] is not JsonArray { Count: 2 } offsets)
                    throw new LabelRepException($"{path}: tensor '{name}' has no dtype, shape and data_offsets");
                string dtype = dtypeNode.GetValue<string>();
                int elementSize = ElementSize(dtype) ?? throw new LabelRepException($"{path}: tensor '{name}' has dtype {dtype}, which is not supported");
                long[] shape = shapeNode.Select(d => d is JsonValue v && v.TryGetValue(out long n) && n >= 0 ? n : -1).ToArray();
                if (shape.Any(d => d < 0) || shape.Length > 8) throw new LabelRepException($"{path}: tensor '{name}' has an invalid shape");
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                if (begin < 0 || begin > end || end > all.Length - dataStart) throw new LabelRepException($"{path}: tensor '{name}' lies outside the file (truncated?)");
                long count = Npy.Elements(shape);
                if (count < 0 || (end - begin) % elementSize != 0 || count != (end - begin) / elementSize)
                    throw new LabelRepException($"{path}: tensor '{name}' of shape [{string.Join(",", shape)}] does not fit its {end - begin} bytes of {dtype}");
                var span = new ReadOnlySpan<byte>(all, (int)(dataStart + begin), (int)(end - begin));
                result[name] = FromBytes(span, dtype, shape);
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw new LabelRepException($"{path}: corrupt tensor file header ({e.Message})");
        }
        catch (LabelRepException)
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F64" or "I64" => 8,
        "U8" => 1,
        _ => null,
    };

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

    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, string dtype, long[] shape) => dtype switch
    {
        "F32" => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
        "F64" => torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
        "I64" => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
        "I32" => torch.tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape),
        _ => torch.tensor(bytes.ToArray(), shape),
    };
}
