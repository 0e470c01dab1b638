// Idx: the IDX format of MNIST (big-endian header: magic 0x0000 08 nd, then nd sizes, then unsigned bytes),
// optionally gzip-compressed. Errors name the file and what is wrong.
using System.Buffers.Binary;
using System.IO.Compression;

namespace LstmSharp.Data;

/// <summary>Reads IDX files of unsigned bytes (MNIST images and labels), plain or gzip-compressed.</summary>
public static class Idx
{
    /// <summary>The dimensions and the bytes of an IDX file.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        using var file = File.OpenRead(path);
        Stream stream = file;
        var magic = new byte[4];
        if (file.Read(magic) == 4 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            file.Position = 0;
            stream = new GZipStream(file, CompressionMode.Decompress);
            if (ReadFully(stream, magic) < 4) throw new InvalidDataException($"{path}: the compressed file is empty.");
        }
        else if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"{path}: not an IDX file (magic {magic[0]:x2}{magic[1]:x2}{magic[2]:x2}{magic[3]:x2}, expected 0000 08 nd).");
        }
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08)
            throw new InvalidDataException($"{path}: only IDX files of unsigned bytes (type 0x08) are supported; the header says type 0x{magic[2]:x2}.");
        var rank = magic[3];
        if (rank is 0 or > 4) throw new InvalidDataException($"{path}: {rank} dimensions; expected 1 to 4.");
        var shape = new int[rank];
        var header = new byte[4 * rank];
        if (ReadFully(stream, header) < header.Length) throw new InvalidDataException($"{path}: the header is truncated.");
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * d));
            if (shape[d] < 0) throw new InvalidDataException($"{path}: dimension {d} is {shape[d]}.");
            count *= shape[d];
        }
        if (count > 1L << 31) throw new InvalidDataException($"{path}: declares {count} values, more than one file may hold here.");
        if (stream == file && count > file.Length - 4 - header.Length)
            throw new InvalidDataException($"{path}: declares {count} values but holds {file.Length - 4 - header.Length}.");
        var data = new byte[count];
        var read = ReadFully(stream, data);
        if (read < count) throw new InvalidDataException($"{path}: declares {count} values but holds {read} (truncated).");
        if (stream != file) stream.Dispose();
        return (shape, data);
    }

    /// <summary>Images <c>[n, rows, cols]</c> scaled to [0, 1].</summary>
    public static Tensor ReadImages(string path)
    {
        var (shape, data) = Read(path);
        if (shape.Length != 3) throw new InvalidDataException($"{path}: expected images [n, rows, cols]; the file has {shape.Length} dimension(s).");
        var t = Tensor.Zeros(shape);
        for (var i = 0; i < data.Length; i++) t.Span[i] = data[i] / 255f;
        return t;
    }

    /// <summary>Labels <c>[n]</c> as floats.</summary>
    public static Tensor ReadLabels(string path)
    {
        var (shape, data) = Read(path);
        if (shape.Length != 1) throw new InvalidDataException($"{path}: expected labels [n]; the file has {shape.Length} dimension(s).");
        var t = Tensor.Zeros(shape);
        for (var i = 0; i < data.Length; i++) t.Span[i] = data[i];
        return t;
    }

    static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
