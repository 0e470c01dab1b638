// SafeTensors: the Hugging Face safetensors format — 8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the raw data.
// Reading validates everything against the file before allocating; writing is atomic (temporary file in the
// same folder, flushed to disk, then renamed), so a failure never damages an existing file.
using System.Buffers.Binary;
using System.Text.Json;

namespace LstmSharp.IO;

/// <summary>The tensors and string metadata of a safetensors file.</summary>
/// <param name="Tensors">The tensors by name, as float32 (F64, F16 and BF16 are converted on reading).</param>
/// <param name="Metadata">The <c>__metadata__</c> entries.</param>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Reads and writes safetensors files.</summary>
public static class SafeTensors
{
    /// <summary>The largest JSON header accepted (the format's own reference limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads <paramref name="path"/>, checking the header against the file before reading any data.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        using var file = File.OpenRead(path);
        var length = file.Length;
        if (length < 8) throw Bad(path, $"the file has {length} bytes; a safetensors file starts with an 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
            throw Bad(path, $"the header length is {headerLength} bytes but the file holds {length - 8} after it (limit {MaxHeaderBytes})");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;

        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Bad(path, "the header is not valid UTF-8");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the header is not valid JSON ({e.Message})");
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "the header is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
            var seen = new HashSet<string>();
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw Bad(path, $"the header names '{property.Name}' twice");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ entry '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, property));
            }

            // Every tensor lies inside the data section, and no two overlap.
            entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long previousEnd = 0;
            string? previous = null;
            foreach (var e in entries)
            {
                if (e.End > dataLength)
                    throw Bad(path, $"tensor '{e.Name}' ends at byte {e.End} of the data but the data section has {dataLength} bytes");
                if (e.Begin < previousEnd)
                    throw Bad(path, $"tensors '{previous}' and '{e.Name}' overlap (bytes {e.Begin} < {previousEnd})");
                previousEnd = e.End;
                previous = e.Name;
            }

            var tensors = new Dictionary<string, Tensor>();
            foreach (var e in entries)
            {
                var bytes = new byte[e.End - e.Begin];
                file.Position = dataStart + e.Begin;
                file.ReadExactly(bytes);
                tensors[e.Name] = Decode(e.DType, e.Shape, bytes);
            }
            return new SafeTensorsFile(tensors, metadata);
        }
    }

    static (string Name, string DType, int[] Shape, long Begin, long End) ParseEntry(string path, JsonProperty property)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw Bad(path, $"tensor '{name}' needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\" ([begin, end])");
        }
        var dtype = dtypeElement.GetString()!;
        var itemSize = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" => 2,
            _ => throw Bad(path, $"tensor '{name}' has dtype {dtype}; supported: F32, F64, F16, BF16"),
        };
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        var d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out var size) || size < 0)
                throw Bad(path, $"tensor '{name}' has a dimension that is not a whole number in [0, {int.MaxValue}]");
            shape[d++] = size;
            count *= size;
            if (count > Array.MaxLength) throw Bad(path, $"tensor '{name}' declares more than {Array.MaxLength} values");
        }
        long begin = 0, end = 0;
        var ok = offsetsElement[0].ValueKind == JsonValueKind.Number && offsetsElement[1].ValueKind == JsonValueKind.Number
            && offsetsElement[0].TryGetInt64(out begin) && offsetsElement[1].TryGetInt64(out end);
        if (!ok || begin < 0 || end < begin) throw Bad(path, $"tensor '{name}' has data_offsets [{offsetsElement[0]}, {offsetsElement[1]}]; expected 0 ≤ begin ≤ end");
        if (end - begin != count * itemSize)
            throw Bad(path, $"tensor '{name}' is {dtype} [{Tensor.FormatShape(shape)}] = {count * itemSize} bytes but its data_offsets span {end - begin}");
        return (name, dtype, shape, begin, end);
    }

    static Tensor Decode(string dtype, int[] shape, byte[] bytes)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i)),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(2 * i)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)) << 16),
            };
        }
        return t;
    }

    /// <summary>
    /// Writes the tensors (as F32, in the given order) and metadata to <paramref name="path"/> atomically: the
    /// bytes go to a temporary file in the same folder, are flushed to disk, and the file is renamed over
    /// <paramref name="path"/> only when complete. On any failure the temporary file is removed and an existing
    /// file at <paramref name="path"/> is left as it was.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, _) in list)
        {
            if (name == "__metadata__" || !names.Add(name)) throw new ArgumentException($"Tensor name '{name}' is reserved or repeated.", nameof(tensors));
        }

        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var dim in tensor.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + 4L * tensor.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += 4L * tensor.Length;
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does (aligned data).
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                file.Write(prefix);
                header.Position = 0;
                header.CopyTo(file);
                var buffer = new byte[1 << 16];
                foreach (var (_, tensor) in list)
                {
                    var values = tensor.Span;
                    for (var i = 0; i < values.Length;)
                    {
                        var n = Math.Min(values.Length - i, buffer.Length / 4);
                        for (var j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * j), values[i + j]);
                        file.Write(buffer, 0, 4 * n);
                        i += n;
                    }
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    static InvalidDataException Bad(string path, string problem) => new($"{path}: not a valid safetensors file: {problem}.");
}
