// Hostile model files, as SQLite and safetensors test themselves: a seeded mutator over small committed model files
// of every task (Fixtures/models) — truncations, bit flips, length-field edits, dtype, shape and offset edits, JSON
// and metadata edits, huge values — loaded and used in-process. Every mutant either loads and gives finite results,
// or is refused with an InvalidDataException naming the file; none allocates beyond a bound; and the mutants the
// issue reported (tests below the fuzz loop) are each refused with the reason.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.IO;
using LstmSharp.Tests.Cli;
using LstmSharp.Text;
using Xunit;
using Xunit.Abstractions;

namespace LstmSharp.Tests.IO;

public sealed class HostileModelFileTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A tight work-buffer limit, so a mutant that asks for big buffers is refused quickly.</summary>
    static readonly ModelFileLimits Limits = new() { MaxWorkBytes = 4 << 20 };

    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", name));

    /// <summary>Loads a file as its task does and uses it: forecasts, class probabilities, generated text and a score.</summary>
    static void LoadAndUse(string fixture, string path)
    {
        if (fixture.StartsWith("forecast", StringComparison.Ordinal))
        {
            var forecaster = Forecaster.Load(path, Limits);
            var rows = forecaster.HistoryNeeded + 3;
            var columns = forecaster.Columns.Select((_, c) => Enumerable.Range(0, rows).Select(r => 100f + (3 * r) + c).ToArray()).ToArray();
            foreach (var value in forecaster.ForecastNext(columns)) Assert.True(float.IsFinite(value), $"forecast {value}");
        }
        else if (fixture.StartsWith("classify", StringComparison.Ordinal))
        {
            var classifier = TextClassifier.Load(path, Limits);
            foreach (var p in classifier.PredictProbabilities(["good great fine", "bad", ""]))
                Assert.True(Math.Abs(p.Sum() - 1f) < 1e-3f, $"probabilities sum to {p.Sum()}");
        }
        else if (fixture.StartsWith("translate", StringComparison.Ordinal))
        {
            var translator = LstmSharp.Translation.Translator.Load(path, Limits);
            Assert.NotNull(translator.Translate("red cat.", beamSize: 1));
            foreach (var t in translator.TranslateNBest("blue sea sun.", beamSize: 2, nBest: 2))
                Assert.True(double.IsFinite(t.Score), $"score {t.Score}");
        }
        else
        {
            var model = LanguageModel.Load(path, Limits);
            Assert.NotNull(string.Concat(model.Generate("the ", 4, new SamplingOptions(), new TokenSampler(1))));
            Assert.True(double.IsFinite(model.Evaluate(new TextBatches(model.Encode("the quick brown fox jumps"), 1, 4))));
        }
    }

    /// <summary>The commands of the tool that read a file of the fixture's task: info, and predicting from it.</summary>
    IEnumerable<string[]> ToolCommands(string fixture, string path)
    {
        yield return ["info", path, "--quiet"];
        yield return fixture switch
        {
            "forecast.safetensors" => ["forecast", "predict", CliRunner.Data("AirPassengers.csv"), "-m", path, "-o", "-", "--quiet"],
            "forecast-multi.safetensors" => ["forecast", "predict", MultiColumnData(), "-m", path, "-o", "-", "--quiet"],
            "classify.safetensors" => ["classify", "predict", "good great fine", "bad", "-m", path, "--quiet"],
            "translate.safetensors" => ["translate", "predict", "red cat.", "-m", path, "--beam", "2", "--quiet"],
            _ => ["text", "generate", "-m", path, "--length", "4", "--quiet"],
        };
    }

    /// <summary>AirPassengers with the multivariate fixture's second input, the month index.</summary>
    string MultiColumnData()
    {
        var path = Path.Combine(_folder, "multi.csv");
        if (File.Exists(path)) return path;
        var lines = File.ReadAllLines(CliRunner.Data("AirPassengers.csv"));
        File.WriteAllLines(path, [lines[0] + ",month_index", .. lines.Skip(1).Select((l, i) => l + "," + (i % 12).ToString(CultureInfo.InvariantCulture))]);
        return path;
    }

    public static TheoryData<string> Fixtures() => ["forecast.safetensors", "forecast-multi.safetensors", "classify.safetensors", "text.safetensors", "translate.safetensors"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Load_Mutants_LoadAndGiveFiniteResultsOrAreRefusedNamingTheFile(string fixture)
    {
        var original = Fixture(fixture);
        LoadAndUse(fixture, Write("valid.safetensors", original));   // the unmutated file loads and works
        var rng = new Random(fixture.Length * 7919);
        var path = Path.Combine(_folder, "mutant.safetensors");
        using var tool = new CliRunner();
        int loaded = 0, refused = 0;
        long most = 0;
        var mostBy = "";
        const int Rounds = 2000;
        for (var round = 0; round < Rounds; round++)
        {
            var (bytes, what) = Mutate(original, rng);
            File.WriteAllBytes(path, bytes);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                LoadAndUse(fixture, path);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.True(e.Message.Contains(path, StringComparison.Ordinal), $"round {round} ({what}): the message does not name the file: {e.Message}");
                Assert.True(e.Message.Length < 2000, $"round {round} ({what}): a {e.Message.Length}-character message");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round} ({what}): {e.GetType().Name}: {e.Message}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > most) (most, mostBy) = (allocated, what);
            if (round % 4 == 0)
            {
                // The tool on the same mutant: 0 or 1, never 2 (an internal error), and a refusal names a file.
                foreach (var args in ToolCommands(fixture, path))
                {
                    var (exit, _, error) = tool.Run(args);
                    Assert.True(exit is 0 or 1, $"round {round} ({what}): `lstm {string.Join(' ', args)}` exited {exit}: {error}");
                    Assert.True(exit == 0 || args.Where(File.Exists).Any(file => error.Contains(file, StringComparison.Ordinal)),
                        $"round {round} ({what}): the error names no file: {error}");
                }
            }
        }
        output.WriteLine($"{fixture}: {Rounds} mutants, {loaded} loaded, {refused} refused; most allocated {most / 1024.0:F0} kB ({mostBy})");
        // Bounded by the file's size (a few kB here) and the work-buffer limit, whatever the mutant declares.
        Assert.True(most < 2 * Limits.MaxWorkBytes + (64 * original.Length) + (4 << 20), $"{mostBy} allocated {most} bytes");
        Assert.True(loaded > 0 && refused > 0, $"{loaded} loaded, {refused} refused: the mutator must reach both outcomes");
    }

    /// <summary>The mutants the issue reported: each is refused, naming the file and the reason.</summary>
    public static TheoryData<string, string, string> Reported() => new()
    {
        { "classify.safetensors", "max-length-10M", "work buffers" },
        { "forecast.safetensors", "horizon-int-max", "Horizon must be in [1, 1000000]" },
        { "forecast.safetensors", "header-length-plus-1", "not a valid safetensors file" },
        { "forecast.safetensors", "header-length-minus-1", "the tensors cover 468 bytes of data but the data section has 469" },
        { "forecast.safetensors", "scalers-empty", "the scaler of column 1 holds 0 values" },
        { "forecast.safetensors", "transform-9", "transform is '9'; expected one of None, Difference, LogDifference" },
        { "forecast.safetensors", "activation-combination", "activation is 'Relu, Tanh'" },
        { "forecast-multi.safetensors", "recursive-multi-column", "the recursive strategy needs one column" },
        { "forecast.safetensors", "lookback-disagrees", "is not the one the settings build" },
        { "forecast.safetensors", "nan-weight", "holds NaN" },
        { "text.safetensors", "steps-minus-1", "BPTT steps in this model file are '-1'" },
        { "text.safetensors", "no-compile-settings", "holds no compile settings" },
        { "text.safetensors", "tokenizer-broken", "the tokenizer in this model file is damaged" },
        { "text.safetensors", "tokenizer-larger-than-embedding", "they must be equal" },
        { "text.safetensors", "not-stateful", "must be stateful" },
        { "classify.safetensors", "duplicate-label", "two distinct labels" },
        { "classify.safetensors", "null-label", "none null" },
        { "classify.safetensors", "huge-tensor-name", "bytes long (limit 4096)" },
        { "forecast.safetensors", "layer-name-escape-sequence", "a name holds the control character U+001B at 4" },
    };

    [Theory]
    [MemberData(nameof(Reported))]
    public void Load_ReportedMutant_IsRefusedNamingFileAndReason(string fixture, string mutation, string expected)
    {
        var (header, data) = Split(Fixture(fixture));
        var metadata = header["__metadata__"]!.AsObject();
        void Json(string key, Action<JsonNode> edit)
        {
            var node = JsonNode.Parse((string)metadata[key]!)!;
            edit(node);
            metadata[key] = node.ToJsonString();
        }
        JsonObject Node(JsonNode architecture, int n) => architecture["nodes"]![n]!["layer"]!.AsObject();
        var bytes = (byte[]?)null;
        switch (mutation)
        {
            case "max-length-10M": Json("architecture", a => a["inputs"]![0]!["shape"] = new JsonArray(10_000_000)); break;
            case "horizon-int-max": Json("user.lstmsharp.forecast", s => s["horizon"] = int.MaxValue); break;
            case "header-length-plus-1":
            case "header-length-minus-1":
                // Padded, so one byte less still ends in valid JSON and only the data moves (the old reader loaded it shifted).
                bytes = Join(header, data, padding: 8);
                var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, mutation == "header-length-plus-1" ? length + 1 : length - 1);
                break;
            case "scalers-empty": Json("user.lstmsharp.forecast", s => s["scalers"] = new JsonArray(new JsonArray())); break;
            case "transform-9": Json("user.lstmsharp.forecast", s => s["transform"] = "9"); break;
            case "activation-combination": Json("architecture", a => Node(a, 1)["activation"] = "Relu, Tanh"); break;
            case "recursive-multi-column": Json("user.lstmsharp.forecast", s => (s["strategy"], s["horizon"]) = ("Recursive", 1)); break;
            case "lookback-disagrees": Json("user.lstmsharp.forecast", s => s["lookback"] = 7); break;
            case "nan-weight": BinaryPrimitives.WriteSingleLittleEndian(data, float.NaN); break;
            case "steps-minus-1": metadata["user.lstmsharp.text.steps"] = "-1"; break;
            case "no-compile-settings": metadata.Remove("compile"); break;
            case "tokenizer-broken": metadata["user.lstmsharp.text.tokenizer"] = "{\"type\":\"Tokenizer\""; break;
            case "tokenizer-larger-than-embedding": Json("user.lstmsharp.text.tokenizer", t => t["vocabulary"]!.AsArray().Add("§")); break;
            case "not-stateful": Json("architecture", a => Node(a, 1)["stateful"] = false); break;
            case "duplicate-label": Json("user.lstmsharp.classify.classes", c => c[1] = (string?)c[0]); break;
            case "null-label": Json("user.lstmsharp.classify.classes", c => c[1] = null); break;
            case "layer-name-escape-sequence": Json("architecture", a => Node(a, 0)["name"] = "lstm\u001b[2J"); break;
            case "huge-tensor-name":
                var name = header.First(p => p.Key != "__metadata__").Key;
                var entry = header[name]!.DeepClone();
                header.Remove(name);
                header[name + new string('x', 1 << 20)] = entry;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "unknown mutation");
        }
        var path = Write(mutation + ".safetensors", bytes ?? Join(header, data));
        var e = Assert.Throws<InvalidDataException>(() => LoadAndUse(fixture, path));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 1000, $"a {e.Message.Length}-character message");
    }

    [Fact]
    public void Load_LongInputBeyondTheWorkLimit_RefusedUntilTheCallerRaisesIt()
    {
        var (header, data) = Split(Fixture("classify.safetensors"));
        var metadata = header["__metadata__"]!.AsObject();
        var architecture = JsonNode.Parse((string)metadata["architecture"]!)!;
        architecture["inputs"]![0]!["shape"] = new JsonArray(50_000);
        metadata["architecture"] = architecture.ToJsonString();
        var path = Write("long-input.safetensors", Join(header, data));
        var e = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(path, Limits));
        Assert.Contains("MB of work buffers per sample for its input [50000]", e.Message, StringComparison.Ordinal);
        var classifier = TextClassifier.Load(path, new ModelFileLimits { MaxWorkBytes = 64 << 20 });
        Assert.Equal(50_000, classifier.MaxLength);
        Assert.All(classifier.PredictProbabilities(["good", "bad"]), p => Assert.Equal(1f, p.Sum(), 3));
    }

    string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>One seeded mutation of <paramref name="file"/> and what it was.</summary>
    static (byte[] Bytes, string What) Mutate(byte[] file, Random rng)
    {
        var bytes = (byte[])file.Clone();
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch (rng.Next(12))
        {
            case 0:
                var cut = rng.Next(bytes.Length);
                return (bytes[..cut], $"truncated to {cut} bytes");
            case 1:
                var bit = rng.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                return (bytes, $"bit {bit} flipped");
            case 2:
                var at = 8 + rng.Next(headerLength);
                var digit = (byte)('0' + rng.Next(10));
                if (char.IsAsciiDigit((char)bytes[at])) bytes[at] = digit;
                else bytes[at] = (byte)rng.Next(32, 127);
                return (bytes, $"header byte {at} set to '{(char)bytes[at]}'");
            case 3:
                var delta = new long[] { -9, -8, -1, 1, 8, 1L << 40, -headerLength }[rng.Next(7)];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(headerLength + delta));
                return (bytes, $"header length {headerLength} + {delta}");
            case 4:
                var value = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3e38f, -3e38f, 1e20f, 0f }[rng.Next(7)];
                var index = rng.Next((bytes.Length - 8 - headerLength) / 4);
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerLength + (4 * index)), value);
                return (bytes, $"data value {index} set to {value}");
            case 5:
                return EditHeader(file, rng, "value replaced", (parent, key) => Replace(parent, key, Hostile(rng)));
            case 6:
                return EditHeader(file, rng, "entry removed", Remove);
            case 7:
                return EditHeader(file, rng, "entry duplicated", Duplicate);
            case 8:
                return EditTensor(file, rng, "dtype", t => t["dtype"] = new[] { "F16", "F64", "BF16", "I8", "f32" }[rng.Next(5)]);
            case 9:
                return EditTensor(file, rng, "shape or offsets", t =>
                {
                    var array = rng.Next(2) == 0 ? t["shape"]!.AsArray() : t["data_offsets"]!.AsArray();
                    if (array.Count == 0) array.Add(2);
                    var i = rng.Next(array.Count);
                    var v = (long)array[i]!;
                    array[i] = new[] { v + 1, v - 1, v + 4, v * 2, 0, int.MaxValue, -1 }[rng.Next(7)];
                });
            case 10:
                var extra = rng.Next(1, 9);
                var grown = new byte[bytes.Length + extra];
                var where = 8 + headerLength + rng.Next(bytes.Length - 8 - headerLength + 1);
                bytes.AsSpan(0, where).CopyTo(grown);
                bytes.AsSpan(where).CopyTo(grown.AsSpan(where + extra));
                return (grown, $"{extra} bytes inserted in the data at {where}");
            default:
                var digits = Enumerable.Range(8, headerLength).Where(i => char.IsAsciiDigit((char)bytes[i])).ToArray();
                var d = digits[rng.Next(digits.Length)];
                bytes[d] = (byte)('0' + rng.Next(10));
                return (bytes, $"header digit {d} set to {(char)bytes[d]}");
        }
    }

    /// <summary>A value a careless or hostile writer might put anywhere in a header.</summary>
    static JsonNode? Hostile(Random rng) => rng.Next(30) switch
    {
        0 => 0, 1 => -1, 2 => 1, 3 => 2, 4 => 999, 5 => int.MaxValue, 6 => int.MinValue, 7 => 10_000_000, 8 => long.MaxValue, 9 => 1e30,
        10 => -1e30, 11 => 0.5, 12 => "999", 13 => "9", 14 => "Relu, Tanh", 15 => "", 16 => "Recursive", 17 => "None", 18 => "MinMax",
        19 => "LogDifference", 20 => "Concat", 21 => "F16", 22 => "Gru", 23 => "Dense", 24 => null, 25 => true, 26 => new JsonArray(),
        27 => new JsonObject(), 28 => new JsonArray(new JsonArray()), _ => new string('x', 100_000),
    };

    /// <summary>
    /// Rewrites the header (length prefix recomputed, data unchanged) after <paramref name="edit"/> at one place chosen
    /// in the header itself or, two times in three, in the JSON a metadata string holds (architecture, compile
    /// settings, task settings, tokenizer, classes), which is parsed, edited and written back.
    /// </summary>
    static (byte[] Bytes, string What) EditHeader(byte[] file, Random rng, string what, Action<JsonNode, string> edit)
    {
        var (header, data) = Split(file);
        var metadata = header["__metadata__"]!.AsObject();
        var documents = metadata.Where(m => (string?)m.Value is ['{' or '[', ..]).Select(m => m.Key).ToArray();
        var key = rng.Next(3) == 0 ? null : documents[rng.Next(documents.Length)];
        var document = key is null ? header : JsonNode.Parse((string)metadata[key]!)!;
        var places = new List<(JsonNode Parent, string Key)>();
        Collect(document, places);
        var (parent, at) = places[rng.Next(places.Count)];
        edit(parent, at);
        if (key is not null) metadata[key] = document.ToJsonString();
        return (Join(header, data), $"{what} at {key ?? "header"}:{parent.GetPath()}/{at}");
    }

    static (byte[] Bytes, string What) EditTensor(byte[] file, Random rng, string what, Action<JsonObject> edit)
    {
        var (header, data) = Split(file);
        var names = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).ToArray();
        var name = names[rng.Next(names.Length)];
        edit(header[name]!.AsObject());
        return (Join(header, data), $"{what} of tensor {name} edited");
    }

    /// <summary>Every (container, key or index) in <paramref name="node"/>; long arrays (a vocabulary) offer a few entries, so other places keep their chance.</summary>
    static void Collect(JsonNode node, List<(JsonNode, string)> places)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToArray())
                {
                    places.Add((o, key));
                    if (child is not null) Collect(child, places);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i += Math.Max(1, a.Count / 8))
                {
                    places.Add((a, i.ToString(CultureInfo.InvariantCulture)));
                    if (a[i] is { } child) Collect(child, places);
                }
                break;
        }
    }

    static void Replace(JsonNode parent, string key, JsonNode? value)
    {
        if (parent is JsonObject o) o[key] = value;
        else parent.AsArray()[int.Parse(key, CultureInfo.InvariantCulture)] = value;
    }

    static void Remove(JsonNode parent, string key)
    {
        if (parent is JsonObject o) o.Remove(key);
        else parent.AsArray().RemoveAt(int.Parse(key, CultureInfo.InvariantCulture));
    }

    /// <summary>A copy of the entry beside it: a repeated class label, vocabulary token, layer or tensor dimension.</summary>
    static void Duplicate(JsonNode parent, string key)
    {
        if (parent is JsonObject o)
        {
            o[key + "_copy"] = o[key]?.DeepClone();
            return;
        }
        var a = parent.AsArray();
        var i = int.Parse(key, CultureInfo.InvariantCulture);
        a.Insert(i, a[i]?.DeepClone());
    }

    static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (JsonNode.Parse(file.AsSpan(8, length))!.AsObject(), file[(8 + length)..]);
    }

    static byte[] Join(JsonObject header, byte[] data, int padding = 0)
    {
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (text.Length + padding + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        text.CopyTo(bytes, 8);
        bytes.AsSpan(8 + text.Length, padded - text.Length).Fill((byte)' ');
        data.CopyTo(bytes, 8 + padded);
        return bytes;
    }
}
