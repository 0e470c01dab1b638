// safetensors: exact round trips, a corpus of broken and hostile files (each a clear InvalidDataException
// naming the file), a seeded mutation fuzz loop over a valid file, and atomic writes that never damage an
// existing file.
using System.Buffers.Binary;
using System.Text;
using LstmSharp.IO;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-st-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string PathOf(string name) => System.IO.Path.Combine(_folder, name);

    static Dictionary<string, Tensor> Sample() => new()
    {
        ["weight_ih_l0"] = new Tensor([1.5f, -2.25f, float.Epsilon, 3e38f, -0f, 7f], 3, 2),
        ["bias"] = new Tensor([0.1f, 0.2f, 0.3f], 3),
        ["empty"] = Tensor.Zeros(0, 4),
    };

    [Fact]
    public void WriteRead_RoundTripsBitsShapesAndMetadata()
    {
        var path = PathOf("model.safetensors");
        SafeTensors.Write(path, Sample(), new Dictionary<string, string> { ["format"] = "lstmsharp", ["version"] = "1" });
        var file = SafeTensors.Read(path);
        Assert.Equal("lstmsharp", file.Metadata["format"]);
        foreach (var (name, tensor) in Sample())
        {
            Assert.True(file.Tensors[name].Shape.SequenceEqual(tensor.Shape), name);
            Assert.Equal(tensor.ToArray().Select(BitConverter.SingleToInt32Bits), file.Tensors[name].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        Assert.Equal(0UL, headerLength % 8);
    }

    [Fact]
    public void Read_OtherDTypes_ConvertedToFloat()
    {
        var data = new List<byte>();
        data.AddRange(BitConverter.GetBytes(2.5));                 // F64
        data.AddRange(BitConverter.GetBytes((Half)1.5));            // F16
        data.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(-3f) >> 16))); // BF16
        var path = Write("dtypes", """{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"c":{"dtype":"BF16","shape":[1],"data_offsets":[10,12]}}""", [.. data]);
        var file = SafeTensors.Read(path);
        Assert.Equal(2.5f, file.Tensors["a"].Span[0]);
        Assert.Equal(1.5f, file.Tensors["b"].Span[0]);
        Assert.Equal(-3f, file.Tensors["c"].Span[0]);
    }

    string Write(string name, string header, byte[] data, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, string, int, ulong?, string> Hostile() => new()
    {
        { "truncated-prefix", "", -1, null, "8-byte header length" },
        { "header-longer-than-file", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, 1_000_000UL, "header length is 1000000" },
        { "huge-header", "{}", 0, ulong.MaxValue, "header length" },
        { "invalid-json", """{"a":{"dtype":"F32",""", 0, null, "not valid JSON" },
        { "not-an-object", "[1,2,3]", 0, null, "not a JSON object" },
        { "unknown-dtype", """{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}""", 4, null, "dtype I8" },
        { "offsets-out-of-range", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, null, "ends at byte 8" },
        { "offsets-backwards", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}""", 8, null, "0 ≤ begin ≤ end" },
        { "shape-disagrees", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, null, "span 8" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "overlap" },
        { "huge-shape", """{"a":{"dtype":"F32","shape":[2000000000,2000000000],"data_offsets":[0,4]}}""", 4, null, "more than" },
        { "negative-dim", """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0, null, "dimension" },
        { "missing-fields", """{"a":{"dtype":"F32"}}""", 0, null, "needs \"dtype\"" },
        { "offsets-not-numbers", """{"a":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}""", 4, null, "data_offsets" },
        { "duplicate-name", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, null, "twice" },
        { "bad-metadata", """{"__metadata__":{"x":1}}""", 0, null, "not a string" },
        { "gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, null, "gap: bytes 0..4 belong to no tensor" },
        { "trailing-bytes", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, null, "cover 4 bytes of data but the data section has 8" },
        { "rank-17", """{"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}""", 4, null, "more than 16 dimensions" },
        { "two-values", """{} {}""", 0, null, "not valid JSON" },
        { "folder", "", -2, null, "it is a folder" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Read_BrokenFile_NamesFileAndProblem(string name, string header, int dataBytes, ulong? declared, string expected)
    {
        string path;
        if (dataBytes == -2)
        {
            path = Directory.CreateDirectory(PathOf(name)).FullName;
        }
        else if (dataBytes < 0)
        {
            path = PathOf(name);
            File.WriteAllBytes(path, [1, 2, 3]);
        }
        else
        {
            path = Write(name, header, new byte[dataBytes], declared);
        }
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LongNamesAndValues_QuotedAsShortExcerpts()
    {
        var name = new string('n', 4000);
        var header = "{\"" + name + "\":{\"dtype\":\"" + new string('D', 1_000_000) + "\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var path = Write("long-name", header, new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains("(4000 characters)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1000000 characters)", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 500, $"a {e.Message.Length}-character message");
    }

    [Fact]
    public void Read_Fifo_RefusedWithoutWaitingForAWriter()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("pipe");
        Assert.Equal(0, MakeFifo(path, 0b110_000_000));
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains("a pipe, socket or device", e.Message, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    internal static extern int MakeFifo([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, uint mode);

    [Fact]
    public void Read_MutatedFiles_NeverCrashHangOrOverAllocate()
    {
        var valid = PathOf("valid");
        SafeTensors.Write(valid, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        var original = File.ReadAllBytes(valid);
        var rng = new Random(12345);
        var mutant = PathOf("mutant");
        for (var round = 0; round < 3000; round++)
        {
            var bytes = (byte[])original.Clone();
            switch (rng.Next(4))
            {
                case 0: bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8)); break;
                case 1: bytes[rng.Next(Math.Min(bytes.Length, 8 + 200))] = (byte)rng.Next(256); break;
                case 2: Array.Resize(ref bytes, rng.Next(bytes.Length)); break;
                default:
                    var digits = Encoding.ASCII.GetBytes(rng.Next(0, 100_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    digits.CopyTo(bytes, Math.Min(bytes.Length - digits.Length, 8 + rng.Next(150)));
                    break;
            }
            File.WriteAllBytes(mutant, bytes);
            try
            {
                var file = SafeTensors.Read(mutant);
                Assert.True(file.Tensors.Values.Sum(t => (long)t.Length) * 4 <= bytes.Length, "decoded more data than the file holds");
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Fact]
    public void Write_FailingMidway_LeavesExistingFileAndNoTemporaryFile()
    {
        var path = PathOf("keep.safetensors");
        SafeTensors.Write(path, Sample());
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Write(path, Failing()));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["keep.safetensors"], Directory.GetFiles(_folder).Select(System.IO.Path.GetFileName));

        static IEnumerable<KeyValuePair<string, Tensor>> Failing()
        {
            yield return new("a", Tensor.Zeros(4));
            throw new InvalidOperationException("disk full (simulated)");
        }
    }

    [Fact]
    public void Write_StaleTemporaryOfAKilledWrite_IsSweptAndAFreshOneKept()
    {
        var path = PathOf("model.safetensors");
        var stale = PathOf($".model.safetensors.{Guid.NewGuid():N}.tmp");
        var fresh = PathOf($".model.safetensors.{Guid.NewGuid():N}.tmp");
        var other = PathOf($".other.safetensors.{Guid.NewGuid():N}.tmp");
        foreach (var file in new[] { stale, fresh, other }) File.WriteAllBytes(file, [1, 2, 3]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - SafeTensors.StaleTemporaryAge - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow - SafeTensors.StaleTemporaryAge - TimeSpan.FromMinutes(1));
        SafeTensors.Write(path, Sample());
        Assert.False(File.Exists(stale), "a killed write's temporary file is swept");
        Assert.True(File.Exists(fresh), "a temporary file a live writer may own is kept");
        Assert.True(File.Exists(other), "another file's temporary is not this write's to sweep");
    }

    [Fact]
    public void Read_MoreEntriesThanTheLimit_Refused()
    {
        var header = new StringBuilder("{\"__metadata__\":{");
        for (var i = 0; i <= SafeTensors.MaxEntries; i++) header.Append(System.Globalization.CultureInfo.InvariantCulture, $"\"k{i}\":\"v\",");
        header.Length--;
        var path = Write("many-entries", header.Append("}}").ToString(), []);
        Assert.Contains($"more than {SafeTensors.MaxEntries} entries", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LargeHeader_AllocatesAFewTimesItsSize()
    {
        // 8 MB of metadata: the header bytes and the string they decode to, not a document tree on top.
        var value = new string('v', 8_000_000);
        var path = Write("large-header", "{\"__metadata__\":{\"k\":\"" + value + "\"}}", []);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(value.Length, SafeTensors.Read(path).Metadata["k"].Length);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4L * value.Length, $"{allocated} bytes for an {value.Length}-byte header");
    }

    [Fact]
    public void Write_RepeatedName_Throws() =>
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(PathOf("x"), [new("a", Tensor.Zeros(1)), new("a", Tensor.Zeros(1))]));
}
