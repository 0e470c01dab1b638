// Keras import: .weights.h5 files in Keras 3's layout (written with h5py, tools/keras_fixtures) load into the
// matching models and predict what an independent numpy forward pass computed, within 1e-5.
using System.Text.Json;
using LstmSharp.Keras;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class KerasImportTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "keras", name);

    static (Tensor X, double[] Expected) Io(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixture(name + ".json")));
        var x = doc.RootElement.GetProperty("x");
        return (new Tensor(x.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(), x.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray()),
            doc.RootElement.GetProperty("expected").GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    public static TheoryData<string> Models() => new("lstm_dense", "gru_seq_dense", "emb_bilstm_dense", "lstm2_dense");

    static Sequential Build(string name) => name switch
    {
        "lstm_dense" => new Sequential(new Input(5, 3), new Lstm(4), new Dense(2)),
        "gru_seq_dense" => new Sequential(new Input(4, 3), new Gru(5, new() { ReturnSequences = true }), new Dense(2)),
        "emb_bilstm_dense" => new Sequential(new Input(-1), new Embedding(10, 4), new Bidirectional(new Lstm(3)), new Dense(2)),
        _ => new Sequential(new Input(5, 2), new Lstm(4, new() { ReturnSequences = true }), new Lstm(3), new Dense(1)),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void LoadWeights_KerasLayout_PredictsWhatTheReferenceComputed(string name)
    {
        var model = Build(name);
        KerasImport.LoadWeights(model, Fixture(name + ".weights.h5"));
        var (x, expected) = Io(name);
        Approx.Equal(expected, model.Predict(x), 1e-5, name);
    }

    [Fact]
    public void LoadWeights_WrongSizesOrNames_NameTheDataset()
    {
        var wrong = new Sequential(new Input(5, 3), new Lstm(6), new Dense(2));
        var e = Assert.Throws<InvalidDataException>(() => KerasImport.LoadWeights(wrong, Fixture("lstm_dense.weights.h5")));
        Assert.Contains("dataset 'layers/lstm/cell/vars/0' is [3, 16] but the model needs [3, 24]", e.Message, StringComparison.Ordinal);
        var renamed = new Sequential(new Input(5, 3), new Lstm(4, new() { Name = "encoder" }), new Dense(2));
        Assert.Contains("no dataset 'layers/encoder/cell/vars/0'", Assert.Throws<InvalidDataException>(() => KerasImport.LoadWeights(renamed, Fixture("lstm_dense.weights.h5"))).Message, StringComparison.Ordinal);
        KerasImport.LoadWeights(renamed, Fixture("lstm_dense.weights.h5"), new Dictionary<string, string> { ["encoder"] = "lstm" });
        var notHdf5 = Path.GetTempFileName();
        File.WriteAllText(notHdf5, "not hdf5");
        try
        {
            Assert.Throws<InvalidDataException>(() => KerasImport.LoadWeights(renamed, notHdf5));
        }
        finally
        {
            File.Delete(notHdf5);
        }
    }
}
