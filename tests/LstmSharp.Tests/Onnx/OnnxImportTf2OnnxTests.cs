// OnnxImport on Keras models as tf2onnx exports them (tools/tf2onnx_fixtures: graphs built node for node as
// tf2onnx's rewriters and handlers emit them, one mirroring a real tf2onnx 1.16.1 export): each predicts what an
// independent numpy implementation of the Keras layers computed from the Keras-layout weights, and what ONNX
// Runtime computes on the same file; it fine-tunes and exports again; the Loop tf2onnx leaves for SimpleRNN and
// masked layers is refused naming the file and node.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Onnx;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxImportTf2OnnxTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tf2onnx", name);

    static (Tensor Input, int[] OutputShape, double[] Output) Expected(string name) => OnnxImportTests.ExpectedAt(Fixture(name + ".json"));

    static double[] RunOnnxRuntime(string path, Tensor input)
    {
        using var session = new InferenceSession(path);
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input.ToArray(), input.Shape.ToArray()))]);
        return [.. results[0].AsTensor<float>().ToArray().Select(v => (double)v)];
    }

    [Theory]
    [InlineData("keras_lstm_stack", "Lstm,Lstm,Dense,Dense")]
    [InlineData("keras_bidirectional_stack", "Bidirectional,Bidirectional,Concatenate,Dense")]
    [InlineData("keras_embedding_gru", "Embedding,Gru,Gru,Dense")]
    public void Tf2OnnxExport_Imported_PredictsWhatKerasAndOnnxRuntimeCompute(string name, string layers)
    {
        var model = OnnxImport.Load(Fixture(name + ".onnx"));
        Assert.Equal(layers, string.Join(',', model.Layers.Select(l => l.GetType().Name)));
        var (input, shape, expected) = Expected(name);
        var y = model.Predict(input);
        Assert.Equal(shape, y.Shape.ToArray());
        Approx.Equal(expected, y, 1e-5, $"{name} vs the numpy Keras reference");
        Approx.Equal(RunOnnxRuntime(Fixture(name + ".onnx"), input), y, 1e-5, $"{name} vs ONNX Runtime");
    }

    [Fact]
    public void Tf2OnnxExport_Imported_KeepsKerasSettingsAndLayerNames()
    {
        var stack = OnnxImport.Load(Fixture("keras_lstm_stack.onnx"));
        Assert.Equal("lstm,lstm_1,dense,dense_1", string.Join(',', stack.Layers.Select(l => l.Name)));
        Assert.True(((Lstm)stack.Layers[0]).Options.ReturnSequences);
        Assert.Equal(Activation.Relu, ((Dense)stack.Layers[2]).Activation);
        Assert.Equal(Activation.Softmax, ((Dense)stack.Layers[3]).Activation);

        var embedded = OnnxImport.Load(Fixture("keras_embedding_gru.onnx"));
        var embedding = (Embedding)embedded.Layers[0];
        Assert.Equal("embedding", embedding.Name);
        Assert.False(embedding.MaskZero);
        Assert.True(((Gru)embedded.Layers[1]).ResetAfter);

        var bi = OnnxImport.Load(Fixture("keras_bidirectional_stack.onnx"));
        Assert.Equal("bidirectional", bi.Layers[0].Name);
        Assert.IsType<Lstm>(((Bidirectional)bi.Layers[0]).ForwardLayer);
        Assert.True(((Gru)((Bidirectional)bi.Layers[1]).ForwardLayer).ResetAfter);
    }

    [Theory]
    [InlineData("keras_lstm_stack")]
    [InlineData("keras_bidirectional_stack")]
    [InlineData("keras_embedding_gru")]
    public void Tf2OnnxExport_Imported_FineTunesAndExportsAgain(string name)
    {
        var model = OnnxImport.Load(Fixture(name + ".onnx"));
        var (input, shape, _) = Expected(name);
        var target = new Tensor([.. GradientCheck.RandomFloats(shape.Aggregate(1, (a, b) => a * b), 9, 1f).Select(v => 0.1f + 0.8f * Math.Abs(v))], shape);
        model.Compile(new Adam(0.02f), new MeanSquaredError());
        var before = model.Evaluate(input, target)["loss"];
        model.Fit(input, target, new FitOptions { Epochs = 40, BatchSize = shape[0], Shuffle = false });
        var after = model.Evaluate(input, target)["loss"];
        Assert.True(after < 0.8 * before, $"{name}: loss {before} → {after}");

        // The fine-tuned model goes back out through our own exporter; ONNX Runtime and a second import agree with it.
        var path = Path.Combine(Path.GetTempPath(), $"tf2onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Save(model, path);
            var y = model.Predict(input);
            var ids = model.Layers[0] is Embedding;
            using var session = new InferenceSession(path);
            var feed = OnnxFeeds.Of(session, session.InputMetadata.Keys.Single(), input);
            using var results = session.Run([feed]);
            Approx.Equal([.. results[0].AsTensor<float>().ToArray().Select(v => (double)v)], y, 1e-5, $"{name} re-exported vs ONNX Runtime");
            Approx.Equal(y.ToDouble(), OnnxImport.Load(path).Predict(input), 1e-6, $"{name} re-imported");
            Assert.Equal(ids, OnnxImport.Load(path).Layers[0] is Embedding);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tf2OnnxLoop_IsRefusedNamingTheFileAndNode()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxImport.Load(Fixture("keras_simplernn_loop.onnx")));
        Assert.Contains("keras_simplernn_loop.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("'StatefulPartitionedCall/sequential/simple_rnn/while_loop' (Loop)", e.Message, StringComparison.Ordinal);
        Assert.Contains("SimpleRNN", e.Message, StringComparison.Ordinal);
        Assert.Contains("mask_zero", e.Message, StringComparison.Ordinal);
    }
}
