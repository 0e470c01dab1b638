// SafeTensors: the Hugging Face safetensors format — 8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the raw data.
// Reading validates everything against the file before allocating; writing is atomic (temporary file in the
// same folder, flushed to disk, then renamed), so a failure never damages an existing file.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
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

    /// <summary>The most dimensions a tensor may have (the reference has no limit; no tensor here needs more than 4).</summary>
    public const int MaxRank = 16;

    /// <summary>The longest tensor name accepted, in UTF-8 bytes (names here are "layer.parameter").</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>
    /// The most entries (tensors and metadata) a header may hold: far more than any model has (large language models
    /// have about a thousand tensors), so that reading costs at most a few times the header's size.
    /// </summary>
    public const int MaxEntries = 100_000;

    /// <summary>Characters of a name or value from the file quoted in an error message; the rest is elided.</summary>
    const int ExcerptLength = 80;

    /// <summary>
    /// Reads <paramref name="path"/>, checking the header against the file before reading any data: the header at
    /// most <see cref="MaxHeaderBytes"/> with at most <see cref="MaxEntries"/> entries, every tensor's dtype, shape (at most <see cref="MaxRank"/> dimensions) and
    /// byte range consistent, and the tensors covering the data section exactly — no gaps, no overlaps, no
    /// trailing bytes — as the reference implementation requires. The header is read once and parsed in place.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, or not a regular file; the message names it and says why.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenRegularFile(path);
        var length = file.Length;
        if (length < 8) throw Bad(path, $"the file has {length} bytes; a safetensors file starts with an 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
        {
            if (TorchFileKind(prefix) is { } kind) throw TorchFile(path, kind);
            throw Bad(path, $"the header length is {headerLength} bytes but the file holds {length - 8} after it (limit {MaxHeaderBytes})");
        }
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Bad(path, "the header is not valid UTF-8");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        try
        {
            ParseHeader(path, header, metadata, entries);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the header is not valid JSON ({Excerpt(e.Message, 200)})");
        }

        // The tensors tile the data section: sorted by offset, each begins where the one before ends, and the
        // last ends where the file does (a header length off by one shifts every tensor, and is refused here).
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw Bad(path, $"tensor '{Excerpt(e.Name)}' ends at byte {e.End} of the data but the data section has {dataLength} bytes");
            if (e.Begin < expected)
                throw Bad(path, $"tensors '{Excerpt(previous!)}' and '{Excerpt(e.Name)}' overlap (bytes {e.Begin} < {expected})");
            if (e.Begin > expected)
                throw Bad(path, $"the data section has a gap: bytes {expected}..{e.Begin} belong to no tensor (before '{Excerpt(e.Name)}')");
            expected = e.End;
            previous = e.Name;
        }
        if (expected != dataLength)
            throw Bad(path, $"the tensors cover {expected} bytes of data but the data section has {dataLength}: the header length or the offsets are wrong, or bytes were appended");

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        byte[]? buffer = null;
        foreach (var e in entries)
        {
            file.Position = dataStart + e.Begin;
            tensors[e.Name] = ReadTensor(file, e, ref buffer);
        }
        return new SafeTensorsFile(tensors, metadata);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading once its size says it can hold a header. A pipe, socket or device
    /// has size 0, so it is refused before it is opened (opening a FIFO would wait for a writer forever).
    /// </summary>
    static FileStream OpenRegularFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (Directory.Exists(path)) throw Bad(path, "it is a folder");
            throw new FileNotFoundException($"{path}: file not found.", path);
        }
        if (info.Length < 8)
            throw Bad(path, $"the file has {info.Length} bytes (a pipe, socket or device has 0 and is not read); a safetensors file starts with an 8-byte header length");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>A tensor's place in the file, as the header declares it.</summary>
    readonly record struct Entry(string Name, string DType, int[] Shape, long Begin, long End);

    /// <summary>
    /// Reads the header's entries in one pass over its bytes (no document tree, no copies): the tensors into
    /// <paramref name="entries"/>, <c>__metadata__</c> into <paramref name="metadata"/>. Every value is checked
    /// before anything sized by it is allocated.
    /// </summary>
    static void ParseHeader(string path, byte[] header, Dictionary<string, string> metadata, List<Entry> entries)
    {
        var json = new Utf8JsonReader(header);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject) throw Bad(path, "the header is not a JSON object");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sawMetadata = false;
        while (json.Read() && json.TokenType != JsonTokenType.EndObject)
        {
            if (entries.Count + metadata.Count >= MaxEntries) throw Bad(path, $"the header holds more than {MaxEntries} entries");
            if (json.ValueSpan.Length > MaxNameBytes)
                throw Bad(path, $"a tensor name is {json.ValueSpan.Length} bytes long (limit {MaxNameBytes}): '{Excerpt(Encoding.UTF8.GetString(json.ValueSpan[..ExcerptLength]))}'");
            var name = json.GetString()!;
            json.Read();
            if (name == "__metadata__")
            {
                if (sawMetadata) throw Bad(path, "the header names '__metadata__' twice");
                sawMetadata = true;
                if (json.TokenType != JsonTokenType.StartObject) throw Bad(path, "__metadata__ is not an object");
                while (json.Read() && json.TokenType != JsonTokenType.EndObject)
                {
                    if (entries.Count + metadata.Count >= MaxEntries) throw Bad(path, $"the header holds more than {MaxEntries} entries");
                    var key = json.GetString()!;
                    json.Read();
                    if (json.TokenType != JsonTokenType.String) throw Bad(path, $"__metadata__ entry '{Excerpt(key)}' is not a string");
                    if (!metadata.TryAdd(key, json.GetString()!)) throw Bad(path, $"__metadata__ names '{Excerpt(key)}' twice");
                }
                continue;
            }
            if (!seen.Add(name)) throw Bad(path, $"the header names '{Excerpt(name)}' twice");
            entries.Add(ParseEntry(path, name, ref json));
        }
        // Only padding (whitespace) may follow the object; the reader throws on anything else.
        if (json.Read()) throw Bad(path, "the header holds more than one JSON value");
    }

    static Entry ParseEntry(string path, string name, ref Utf8JsonReader json)
    {
        // Messages are built only on failure: a header may hold a million entries.
        string What() => $"tensor '{Excerpt(name)}'";
        string Needs() => $"{What()} needs \"dtype\" (string), \"shape\" (array) and \"data_offsets\" ([begin, end])";
        if (json.TokenType != JsonTokenType.StartObject) throw Bad(path, Needs());
        string? dtype = null;
        int[]? shape = null;
        long begin = 0, end = 0;
        var offsets = -1;
        Span<int> dims = stackalloc int[MaxRank];
        while (json.Read() && json.TokenType != JsonTokenType.EndObject)
        {
            var property = json.ValueTextEquals("dtype") ? 0 : json.ValueTextEquals("shape") ? 1 : json.ValueTextEquals("data_offsets") ? 2 : -1;
            json.Read();
            switch (property)
            {
                case 0 when json.TokenType == JsonTokenType.String && dtype is null:
                    foreach (var known in DTypes)
                        if (json.ValueTextEquals(known)) dtype = known;
                    dtype ??= json.GetString()!;
                    break;
                case 1 when json.TokenType == JsonTokenType.StartArray && shape is null:
                    var rank = 0;
                    while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                    {
                        if (rank == MaxRank) throw Bad(path, $"{What()} has more than {MaxRank} dimensions");
                        if (json.TokenType != JsonTokenType.Number || !json.TryGetInt32(out var size) || size < 0)
                            throw Bad(path, $"{What()} has a dimension that is not a whole number in [0, {int.MaxValue}]");
                        dims[rank++] = size;
                    }
                    shape = dims[..rank].ToArray();
                    break;
                case 2 when json.TokenType == JsonTokenType.StartArray && offsets < 0:
                    offsets = 0;
                    while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                    {
                        if (offsets == 2 || json.TokenType != JsonTokenType.Number || !json.TryGetInt64(out var offset))
                            throw Bad(path, $"{What()} has data_offsets that are not two whole numbers; expected 0 ≤ begin ≤ end");
                        if (offsets++ == 0) begin = offset;
                        else end = offset;
                    }
                    if (offsets != 2) throw Bad(path, Needs());
                    break;
                case 0 or 1 or 2:
                    throw Bad(path, Needs());
                default:
                    json.Skip();
                    break;
            }
        }
        if (dtype is null || shape is null || offsets < 0) throw Bad(path, Needs());
        var itemSize = ItemSize(dtype) ?? throw Bad(path, $"{What()} has dtype {Excerpt(dtype)}; supported: F32, F64, F16, BF16");
        long count = 1;
        foreach (var size in shape)
        {
            count *= size;
            if (count > Array.MaxLength) throw Bad(path, $"{What()} declares more than {Array.MaxLength} values");
        }
        if (begin < 0 || end < begin) throw Bad(path, $"{What()} has data_offsets [{begin}, {end}]; expected 0 ≤ begin ≤ end");
        if (end - begin != count * itemSize)
            throw Bad(path, $"{What()} is {dtype} [{Tensor.FormatShape(shape)}] = {count * itemSize} bytes but its data_offsets span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    /// <summary>The dtypes read, so that each entry's dtype is one of these strings rather than a new one.</summary>
    static readonly string[] DTypes = ["F32", "F64", "F16", "BF16"];

    static int? ItemSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F64" => 8,
        "F16" or "BF16" => 2,
        _ => null,
    };

    /// <summary>Reads one tensor from the stream's position: F32 straight into the tensor, other dtypes through a small buffer.</summary>
    static Tensor ReadTensor(FileStream file, Entry e, ref byte[]? buffer)
    {
        var t = Tensor.Zeros(e.Shape);
        var values = t.Span;
        if (e.DType == "F32" && BitConverter.IsLittleEndian)
        {
            file.ReadExactly(MemoryMarshal.AsBytes(values));
            return t;
        }
        var itemSize = ItemSize(e.DType)!.Value;
        buffer ??= new byte[1 << 16];
        for (var i = 0; i < values.Length;)
        {
            var n = Math.Min(values.Length - i, buffer.Length / itemSize);
            var bytes = buffer.AsSpan(0, n * itemSize);
            file.ReadExactly(bytes);
            for (var j = 0; j < n; j++, i++)
            {
                values[i] = e.DType switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * j)..]),
                    "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * j)..]),
                    "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * j)..]),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * j)..]) << 16),
                };
            }
        }
        return t;
    }

    /// <summary>At most <see cref="ExcerptLength"/> characters of <paramref name="text"/> from a file, for an error message.</summary>
    internal static string Excerpt(string text, int length = ExcerptLength) =>
        text.Length <= length ? text : $"{text[..length]}… ({text.Length} characters)";

    /// <summary>
    /// Writes the tensors (as F32, in the given order) and metadata to <paramref name="path"/> atomically: the
    /// bytes go to a temporary file in the same folder, are flushed to disk, and the file is renamed over
    /// <paramref name="path"/> only when complete. On any failure the temporary file is removed and an existing
    /// file at <paramref name="path"/> is left as it was; temporary files that killed writers left beside it (older
    /// than <see cref="StaleTemporaryAge"/>) are deleted first.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written (disk full, file size limit, read-only folder); the message names it.</exception>
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

        AtomicFile.Write(path, file =>
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
        });
    }

    /// <summary>How old a temporary file of <see cref="Write"/> must be to count as left by a killed process.</summary>
    public static readonly TimeSpan StaleTemporaryAge = AtomicFile.StaleTemporaryAge;

    /// <summary>
    /// What <c>torch.save</c> writes, from a file's first bytes: a zip archive (<c>PK\x03\x04</c>, the default since
    /// PyTorch 1.6) or a bare pickle (<c>\x80</c> and protocol 2–5, <c>_use_new_zipfile_serialization=False</c>);
    /// null for anything else. Asked only of a file whose first 8 bytes are no possible header length, so a valid
    /// safetensors file whose length happens to start with those bytes is never taken for one.
    /// </summary>
    static string? TorchFileKind(ReadOnlySpan<byte> prefix) =>
        prefix.StartsWith("PK\x03\x04"u8) ? "a zip archive, as torch.save writes by default"
        : prefix[0] == 0x80 && prefix[1] is >= 2 and <= 5 ? $"a Python pickle (protocol {prefix[1]}), as torch.save(..., _use_new_zipfile_serialization=False) writes"
        : null;

    /// <summary>The error for a PyTorch file, with the two lines of Python that turn it into safetensors.</summary>
    static InvalidDataException TorchFile(string path, string kind)
    {
        var name = Path.GetFileName(path).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
        var stem = Path.GetFileNameWithoutExtension(name);
        return new InvalidDataException(
            $"{path}: not a safetensors file but a PyTorch file ({kind}). LstmSharp does not read pickles, which can run code " +
            "when loaded; convert the state_dict to safetensors in Python (pip install safetensors), then load that file:\n" +
            "    import torch; from safetensors.torch import save_file\n" +
            $"    save_file({{k: v.contiguous() for k, v in torch.load('{name}', map_location='cpu').items()}}, '{stem}.safetensors')\n" +
            "(for a file of a whole model, torch.save(model), use torch.load(...).state_dict() instead).");
    }

    static InvalidDataException Bad(string path, string problem) => new($"{path}: not a valid safetensors file: {problem}.");
}
