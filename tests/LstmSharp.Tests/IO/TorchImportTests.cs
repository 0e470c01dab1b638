// PyTorch import: state_dicts written by PyTorch (tools/torch_import_fixtures) load into the matching models
// and predict what PyTorch computed (float64) within 1e-5; ambiguous, missing, extra and misshapen tensors are
// refused with a message that names them.
using System.Text.Json;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class TorchImportTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-torch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_import", name);

    static (Tensor X, double[] Expected) Io(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixture(name + ".json")));
        Tensor Read(string key) => new(
            doc.RootElement.GetProperty(key).GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            doc.RootElement.GetProperty(key).GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        return (Read("x"), doc.RootElement.GetProperty("expected").GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    public static TheoryData<string> Models() => new("emb_bilstm2_fc", "gru_fc_seq", "rnn2_fc", "lstm_fc", "bigru_nobias_fc");

    static Sequential Build(string name) => name switch
    {
        "emb_bilstm2_fc" => new Sequential(new Input(-1), new Embedding(20, 8),
            new Bidirectional(new Lstm(16, new() { ReturnSequences = true })), new Bidirectional(new Lstm(16)), new Dense(3)),
        "gru_fc_seq" => new Sequential(new Input(-1, 5), new Gru(12, new() { ReturnSequences = true }), new TimeDistributed(new Dense(4))),
        "bigru_nobias_fc" => new Sequential(new Input(-1, 5), new Bidirectional(new Gru(6, new GruOptions { UseBias = false, ReturnSequences = true })), new TimeDistributed(new Dense(3))),
        "rnn2_fc" => new Sequential(new Input(-1, 4), new SimpleRnn(10, new() { ReturnSequences = true }), new SimpleRnn(10), new Dense(1)),
        _ => new Sequential(new Input(-1, 6), new Lstm(9), new Dense(2)),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void LoadStateDict_ByOrderAndShape_PredictsWhatTorchComputed(string name)
    {
        var model = Build(name);
        TorchImport.LoadStateDict(model, Fixture(name + ".safetensors"));
        var (x, expected) = Io(name);
        Approx.Equal(expected, model.Predict(x), 1e-5, name);
    }

    [Fact]
    public void LoadStateDict_ShapeMismatch_NamesTensorAndShapes()
    {
        var model = new Sequential(new Input(-1, 6), new Lstm(8), new Dense(2));
        var e = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(model, Fixture("lstm_fc.safetensors"), new Dictionary<string, string> { ["lstm"] = "lstm" }));
        Assert.Contains("'lstm.weight_ih_l0' is [36, 6] but layer 'lstm' needs [32, 6]", e.Message, StringComparison.Ordinal);
        var f = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(model, Fixture("lstm_fc.safetensors")));
        Assert.Contains("no module fits layer 'lstm'", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadStateDict_Ambiguous_AsksForAMap_ThenLoads()
    {
        var path = Path.Combine(_folder, "two-heads.safetensors");
        SafeTensors.Write(path,
        [
            new("head_a.weight", Tensor.Full(1f, 3, 3)), new("head_a.bias", Tensor.Full(0.5f, 3)),
            new("head_b.weight", Tensor.Full(2f, 3, 3)), new("head_b.bias", Tensor.Full(-1f, 3)),
        ]);
        var model = new Sequential(new Input(3), new Dense(3, name: "first"), new Dense(3, name: "second"));
        // Both Dense layers fit both modules: matching by shape alone would be a guess.
        var e = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(model, path));
        Assert.Contains("fits several modules (head_a, head_b)", e.Message, StringComparison.Ordinal);
        TorchImport.LoadStateDict(model, path, new Dictionary<string, string> { ["first"] = "head_b", ["second"] = "head_a" });
        Assert.All(model.GetWeights()["first.weight"].ToArray(), v => Assert.Equal(2f, v));
        Assert.All(model.GetWeights()["second.bias"].ToArray(), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void LoadStateDict_ModelInsideTimeDistributed_RefusedNamingIt()
    {
        var word = new Input(-1) { Name = "word_chars" };
        var encoder = new Model([word], [new Bidirectional(new Lstm(2)).Call(new Embedding(5, 3).Call(word))], name: "char_encoder");
        var chars = new Input(-1, -1);
        var model = new Model([chars], [new TimeDistributed(encoder, "char_features").Call(chars)]);
        var e = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(model, Fixture("lstm_fc.safetensors")));
        Assert.Contains("layer 'char_features' is a model inside the model", e.Message, StringComparison.Ordinal);
        Assert.Contains("'char_encoder'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadStateDict_ExtraTensorsOrPeepholes_Refused()
    {
        var path = Path.Combine(_folder, "extra.safetensors");
        var file = SafeTensors.Read(Fixture("lstm_fc.safetensors"));
        SafeTensors.Write(path, [.. file.Tensors, new("decoder.weight", Tensor.Zeros(5, 5))]);
        var e = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(Build("lstm_fc"), path));
        Assert.Contains("no layer of the model takes decoder.weight", e.Message, StringComparison.Ordinal);

        var peephole = new Sequential(new Input(-1, 6), new Lstm(9, new() { Peepholes = true }), new Dense(2));
        var p = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(peephole, Fixture("lstm_fc.safetensors"), new Dictionary<string, string> { ["lstm"] = "lstm" }));
        Assert.Contains("no peepholes", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lstm_state_dict.pt", "a zip archive")]
    [InlineData("lstm_state_dict_legacy.pt", "a Python pickle (protocol 2)")]
    public void LoadStateDict_PyTorchFile_SaysHowToConvertIt(string name, string kind)
    {
        // Real torch.save files (tools/torch_import_fixtures/make_pt_fixtures.py, torch 1.13), the new and the old format.
        var model = new Sequential(new Input(-1, 2), new Lstm(3));
        var e = Assert.Throws<InvalidDataException>(() => TorchImport.LoadStateDict(model, Fixture(name)));
        Assert.StartsWith($"{Fixture(name)}: not a safetensors file but a PyTorch file ({kind}", e.Message, StringComparison.Ordinal);
        Assert.Contains("\n    import torch; from safetensors.torch import save_file\n", e.Message, StringComparison.Ordinal);
        Assert.Contains($"save_file({{k: v.contiguous() for k, v in torch.load('{name}', map_location='cpu').items()}}, '{Path.GetFileNameWithoutExtension(name)}.safetensors')", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("header length", e.Message, StringComparison.Ordinal);
        Assert.Contains("PyTorch file", Assert.Throws<InvalidDataException>(() => Model.Load(Fixture(name))).Message, StringComparison.Ordinal);
    }
}
