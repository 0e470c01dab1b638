using System.IO.Compression;
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class IdxTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string Write(string name, byte[] bytes, bool gzip = false)
    {
        var path = Path.Combine(_folder, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    static byte[] Images(int n, int rows, int cols, int dataBytes) =>
        [0, 0, 8, 3, 0, 0, 0, (byte)n, 0, 0, 0, (byte)rows, 0, 0, 0, (byte)cols, .. Enumerable.Range(0, dataBytes).Select(i => (byte)(i * 51))];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_PlainOrGzip_ScalesTo01(bool gzip)
    {
        var t = Idx.ReadImages(Write("images", Images(2, 1, 3, 6), gzip));
        Assert.True(t.HasShape(2, 1, 3));
        Assert.Equal([0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f], t.ToArray());
    }

    [Fact]
    public void BundledMnist_Has10000DigitsOfEachClass()
    {
        var root = Repository.Root;
        var labels = Idx.ReadLabels(Path.Combine(root, "data", "mnist10k-labels-idx1-ubyte.gz"));
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], Enumerable.Range(0, 10).Select(c => labels.ToArray().Count(l => l == c)));
        var images = Idx.ReadImages(Path.Combine(root, "data", "mnist10k-images-idx3-ubyte.gz"));
        Assert.True(images.HasShape(10000, 28, 28));
    }

    [Fact]
    public void BrokenFiles_ClearErrors()
    {
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Idx.Read(Write("short", Images(2, 1, 3, 4), gzip: true))).Message, StringComparison.Ordinal);
        Assert.Contains("declares 6 values but holds 4", Assert.Throws<InvalidDataException>(() => Idx.Read(Write("short2", Images(2, 1, 3, 4)))).Message, StringComparison.Ordinal);
        Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => Idx.Read(Write("csv", "a,b\n1,2\n"u8.ToArray()))).Message, StringComparison.Ordinal);
        Assert.Contains("type 0x0d", Assert.Throws<InvalidDataException>(() => Idx.Read(Write("floats", [0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).Message, StringComparison.Ordinal);
        Assert.Contains("header is truncated", Assert.Throws<InvalidDataException>(() => Idx.Read(Write("header", [0, 0, 8, 3, 0, 0]))).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Idx.Read(Path.Combine(_folder, "missing")));
        var huge = Assert.Throws<InvalidDataException>(() => Idx.Read(Write("huge", [0, 0, 8, 2, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff])));
        Assert.Contains("declares", huge.Message, StringComparison.Ordinal);
    }
}
