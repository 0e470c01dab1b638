// OnnxImport: models exported by PyTorch (tools/onnx_import_fixtures: torch.onnx.export of five recurrent
// models) predict what PyTorch computed and what ONNX Runtime computes on the same file, and fine-tune; our own
// exports read back to the same predictions; what has no equivalent is refused naming the node.
using System.Text.Json;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Onnx;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxImportTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx_import", name);

    static (Tensor Input, int[] OutputShape, double[] Output) Expected(string name) => ExpectedAt(Fixture(name + ".json"));

    /// <summary>A fixture's input and expected output: {"input": {shape, data}, "output": {shape, data}}.</summary>
    internal static (Tensor Input, int[] OutputShape, double[] Output) ExpectedAt(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        int[] Shape(string key) => [.. doc.RootElement.GetProperty(key).GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
        double[] Data(string key) => [.. doc.RootElement.GetProperty(key).GetProperty("data").EnumerateArray().Select(d => d.GetDouble())];
        return (new Tensor([.. Data("input").Select(v => (float)v)], Shape("input")), Shape("output"), Data("output"));
    }

    static float[] RunOnnxRuntime(string path, Tensor input, bool ids)
    {
        using var session = new InferenceSession(path);
        var value = ids
            ? NamedOnnxValue.CreateFromTensor("input", new DenseTensor<long>(input.ToArray().Select(v => (long)v).ToArray(), input.Shape.ToArray()))
            : NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input.ToArray(), input.Shape.ToArray()));
        using var results = session.Run([value]);
        return results[0].AsTensor<float>().ToArray();
    }

    [Theory]
    [InlineData("embedding_lstm_last", "Embedding,Lstm,Dense")]
    [InlineData("bigru2_tagger", "Bidirectional,Bidirectional,Dense")]
    [InlineData("rnn_last_state", "SimpleRnn,Dense")]
    [InlineData("bilstm_both_states", "Bidirectional,Concatenate,Dense")]
    [InlineData("gru_per_step", "Gru,Dense")]
    public void PyTorchExport_Imported_PredictsWhatPyTorchAndOnnxRuntimeCompute(string name, string layers)
    {
        var model = OnnxImport.Load(Fixture(name + ".onnx"));
        Assert.Equal(layers, string.Join(',', model.Layers.Select(l => l.GetType().Name)));
        var (input, shape, expected) = Expected(name);
        var y = model.Predict(input);
        Assert.Equal(shape, y.Shape.ToArray());
        Approx.Equal(expected, y, 1e-5, $"{name} vs PyTorch");
        var ort = RunOnnxRuntime(Fixture(name + ".onnx"), input, ids: name.StartsWith("embedding", StringComparison.Ordinal));
        Approx.Equal([.. ort.Select(v => (double)v)], y, 1e-5, $"{name} vs ONNX Runtime");
    }

    [Fact]
    public void PyTorchExport_Imported_KeepsPyTorchsSettingsAndNames()
    {
        var tagger = OnnxImport.Load(Fixture("bigru2_tagger.onnx"));
        var first = (Bidirectional)tagger.Layers[0];
        var gru = (Gru)first.ForwardLayer;
        Assert.True(gru.ResetAfter);
        Assert.True(gru.Options.ReturnSequences);
        Assert.Equal(4, gru.Units);
        Assert.Equal("fc", tagger.Layers[2].Name);
        Assert.Equal(Activation.Softmax, ((Dense)tagger.Layers[2]).Activation);

        var classifier = OnnxImport.Load(Fixture("embedding_lstm_last.onnx"));
        Assert.False(((Embedding)classifier.Layers[0]).MaskZero);
        Assert.Equal("emb", classifier.Layers[0].Name);
    }

    [Fact]
    public void PyTorchExport_Imported_FineTunes()
    {
        var model = OnnxImport.Load(Fixture("gru_per_step.onnx"));
        var (input, shape, _) = Expected("gru_per_step");
        var target = new Tensor(GradientCheck.RandomFloats(shape.Aggregate(1, (a, b) => a * b), 5, 1f).Select(Math.Abs).ToArray(), shape);
        model.Compile(new Adam(0.02f), new MeanSquaredError());
        var before = model.Evaluate(input, target)["loss"];
        model.Fit(input, target, new FitOptions { Epochs = 30, BatchSize = 2, Shuffle = false });
        var after = model.Evaluate(input, target)["loss"];
        Assert.True(after < 0.5 * before, $"loss {before} → {after}");
    }

    [Fact]
    public void OwnExport_ReadBack_PredictsTheSame()
    {
        var model = new Sequential(21, new Input(-1), new Embedding(13, 4),
            new Bidirectional(new Lstm(5, new() { ReturnSequences = true, Peepholes = true })),
            new Gru(4, new GruOptions { ResetAfter = false, ReturnSequences = true }),
            new Dense(3, Activation.Tanh), new SimpleRnn(3), new Dense(2, Activation.Softmax));
        var ids = new Tensor([3, 7, 1, 0, 0, 4, 4, 9, 12, 2, 8, 0, 0, 0, 0], 3, 5);
        var path = Path.Combine(Path.GetTempPath(), $"import-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Save(model, path);
            var imported = OnnxImport.Load(path);
            Assert.True(((Embedding)imported.Layers[0]).MaskZero);
            Approx.Equal(model.Predict(ids).ToDouble(), imported.Predict(ids), 1e-6, "read back");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OwnExport_FinalStatesAndLastOutputs_ReadBack()
    {
        var x = new Input(-1, 3) { Name = "x" };
        var (last, states) = new Bidirectional(new Lstm(4)).CallWithState(x);
        var joined = new Concatenate().Call(last, states[0]);
        var model = new Model([x], [new Dense(2).Call(joined), states[3]], seed: 4);
        var input = new Tensor(GradientCheck.RandomFloats(2 * 5 * 3, 30, 1f), 2, 5, 3);
        var imported = OnnxImport.FromBytes(OnnxExport.ToBytes(model));
        var expected = model.Predict([input]);
        var actual = imported.Predict([input]);
        for (var k = 0; k < 2; k++) Approx.Equal(expected[k].ToDouble(), actual[k], 1e-6, $"output {k}");
    }

    [Fact]
    public void Unsupported_IsRefusedNamingTheNode()
    {
        var merged = new Sequential(new Input(-1, 2), new Bidirectional(new Lstm(3), MergeMode.Sum), new Dense(1));
        var e = Assert.Throws<NotSupportedException>(() => OnnxImport.FromBytes(OnnxExport.ToBytes(merged), "summed.onnx"));
        Assert.Contains("summed.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("(Split)", e.Message, StringComparison.Ordinal);

        var notOnnx = Assert.Throws<FormatException>(() => OnnxImport.FromBytes("name,value\n1,2\n"u8.ToArray(), "data.csv"));
        Assert.Contains("data.csv is not an ONNX model", notOnnx.Message, StringComparison.Ordinal);
    }
}
