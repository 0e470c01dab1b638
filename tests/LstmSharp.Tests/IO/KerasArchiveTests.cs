// Keras model files as Keras writes them (tools/keras_fixtures/make_keras_archives.py, following Keras's saving code):
// .keras archives (config.json + model.weights.h5) built into Sequential and Functional models, Keras 2 HDF5 weights
// (model.save and save_weights layouts) — each predicting what torch 1.13 computed from the same weights, within 1e-5;
// and the layers and settings LstmSharp cannot reproduce refused by name.
using System.IO.Compression;
using System.Text.Json.Nodes;
using LstmSharp.Keras;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class KerasArchiveTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-keras-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "keras", name);

    static (Tensor X, double[][] Expected) Io(string name)
    {
        var doc = JsonNode.Parse(File.ReadAllText(Fixture(name + ".json")))!;
        static int[] Shape(JsonNode n) => [.. n["shape"]!.AsArray().Select(d => (int)d!)];
        var x = new Tensor([.. doc["x"]!["data"]!.AsArray().Select(v => (float)(double)v!)], Shape(doc["x"]!));
        return (x, [.. doc["expected"]!.AsArray().Select(e => e!["data"]!.AsArray().Select(v => (double)v!).ToArray())]);
    }

    [Fact]
    public void Load_SequentialArchive_BuildsTheModelAndPredictsWhatTorchComputed()
    {
        var model = KerasImport.Load(Fixture("seq_emb_bilstm.keras"));
        Assert.IsType<Sequential>(model);
        Assert.Equal(["embedding", "dropout", "bidirectional", "dense"], model.Layers.Select(l => l.Name));
        Assert.Equal(MergeMode.Concat, Assert.IsType<Bidirectional>(model.Layers[2]).Merge);
        var (x, expected) = Io("seq_emb_bilstm");
        Approx.Equal(expected[0], model.Predict(x), 1e-5, "softmax");
    }

    [Fact]
    public void Load_FunctionalArchive_BuildsTheGraphAndPredictsWhatTorchComputed()
    {
        var model = KerasImport.Load(Fixture("functional_gru_rnn.keras"));
        Assert.Equal(["series"], model.Inputs.Select(i => i.Name));
        Assert.Contains(model.Layers, l => l is Gru { Name: "encoder" });
        var (x, expected) = Io("functional_gru_rnn");
        var outputs = model.Predict([x]);
        Assert.Equal(2, outputs.Count);
        Approx.Equal(expected[0], outputs[0], 1e-5, "per_step");
        Approx.Equal(expected[1], outputs[1], 1e-5, "score");
    }

    [Fact]
    public void Load_KerasTwoForms_ResetBeforeGruNoBiasLstmAndUnmaskedEmbedding_PredictWhatTheReferenceComputed()
    {
        var model = KerasImport.Load(Fixture("seq_forms.keras"));
        Assert.False(Assert.IsType<Embedding>(model.Layers[0]).MaskZero);
        var gru = Assert.IsType<Gru>(model.Layers[1]);
        Assert.False(gru.ResetAfter);
        Assert.False(gru.Options.ZeroOutputForMask);
        Assert.False(Assert.IsType<Lstm>(model.Layers[2]).Options.UseBias);
        var (x, expected) = Io("seq_forms");
        Assert.Contains(0f, x.ToArray());
        Approx.Equal(expected[0], model.Predict(x), 1e-5, "reset-before GRU, LSTM without biases, id 0 a token");
    }

    [Fact]
    public void Load_SequencesInsideBidirectional_ZeroAtPaddedSteps_AsKerasForces()
    {
        var path = Edited("seq_emb_bilstm.keras", c =>
        {
            var bidirectional = Layer(c, 3)["config"]!;
            bidirectional["layer"]!["config"]!["return_sequences"] = true;
            bidirectional["backward_layer"]!["config"]!["return_sequences"] = true;
        });
        var bidirectional = Assert.IsType<Bidirectional>(KerasImport.Load(path).Layers[2]);
        Assert.True(bidirectional.ForwardLayer.Options.ReturnSequences);
        Assert.True(bidirectional.ForwardLayer.Options.ZeroOutputForMask);
    }

    [Fact]
    public void LoadWeights_Keras2ModelSave_FindsEachWeightByName()
    {
        var model = new Sequential(new Input(-1, 2), new Lstm(4, new() { ReturnSequences = true }), new Bidirectional(new Gru(3)), new Dense(2));
        KerasImport.LoadWeights(model, Fixture("legacy_lstm_bigru.h5"));
        var (x, expected) = Io("legacy_lstm_bigru");
        Approx.Equal(expected[0], model.Predict(x), 1e-5, "model.save layout");
    }

    [Fact]
    public void LoadWeights_Keras2SaveWeights_FindsEachWeightByName()
    {
        var model = new Sequential(new Input(-1), new Embedding(8, 3), new SimpleRnn(4), new Dense(1));
        KerasImport.LoadWeights(model, Fixture("legacy_weights_emb_rnn.h5"));
        var (x, expected) = Io("legacy_weights_emb_rnn");
        Approx.Equal(expected[0], model.Predict(x), 1e-5, "save_weights layout");
        var renamed = new Sequential(new Input(-1), new Embedding(8, 3, "tokens"), new SimpleRnn(4), new Dense(1));
        Assert.Contains("has no layer group 'tokens'", Assert.Throws<InvalidDataException>(() => KerasImport.LoadWeights(renamed, Fixture("legacy_weights_emb_rnn.h5"))).Message, StringComparison.Ordinal);
    }

    /// <summary>A copy of a fixture archive with its config.json changed by <paramref name="edit"/>.</summary>
    string Edited(string archive, Action<JsonNode> edit)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".keras");
        File.Copy(Fixture(archive), path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("config.json")!;
        JsonNode config;
        using (var reader = entry.Open()) config = JsonNode.Parse(reader)!;
        edit(config);
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("config.json").Open());
        writer.Write(config.ToJsonString());
        return path;
    }

    static JsonObject Layer(JsonNode config, int index) => config["config"]!["layers"]![index]!.AsObject();

    public static TheoryData<string, int, string, string, string> Refusals() => new()
    {
        { "seq_emb_bilstm.keras", 4, "use_bias", "false", "layer 'dense' has use_bias=False" },
        { "seq_emb_bilstm.keras", 4, "activation", "\"gelu\"", "layer 'dense' has activation=gelu" },
        { "seq_emb_bilstm.keras", 3, "merge_mode", "null", "layer 'bidirectional' has merge_mode=None" },
        { "functional_gru_rnn.keras", 1, "recurrent_activation", "\"hard_sigmoid\"", "layer 'encoder' has recurrent_activation=hard_sigmoid" },
        { "functional_gru_rnn.keras", 3, "return_state", "true", "layer 'simple_rnn' has return_state=True" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Load_SettingWeCannotReproduce_RefusedByName(string archive, int layer, string setting, string value, string message)
    {
        var path = Edited(archive, c => Layer(c, layer)["config"]![setting] = JsonNode.Parse(value));
        var e = Assert.Throws<InvalidDataException>(() => KerasImport.Load(path));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedLayerOrNotAnArchive_SaysWhich()
    {
        var conv = Edited("seq_emb_bilstm.keras", c => Layer(c, 4)["class_name"] = "Conv1D");
        Assert.Contains("layer 'dense' is a Conv1D, which LstmSharp has no import for", Assert.Throws<InvalidDataException>(() => KerasImport.Load(conv)).Message, StringComparison.Ordinal);
        var zeroOutput = Edited("functional_gru_rnn.keras", c => c["config"]!["layers"]!.AsArray().Insert(1, JsonNode.Parse(
            """{"class_name": "Embedding", "config": {"name": "ids", "input_dim": 5, "output_dim": 3, "mask_zero": true}, "name": "ids", "inbound_nodes": []}""")));
        Assert.Contains("layer 'ids' is called 0 times", Assert.Throws<InvalidDataException>(() => KerasImport.Load(zeroOutput)).Message, StringComparison.Ordinal);
        var h5 = Fixture("legacy_weights_emb_rnn.h5");
        Assert.Contains("not a .keras archive", Assert.Throws<InvalidDataException>(() => KerasImport.Load(h5)).Message, StringComparison.Ordinal);
    }
}
