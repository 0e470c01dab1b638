// Edge cases of the graph model found in review, each once a bug: a "Sequential" file whose calls are not a chain
// (it bypassed the parameter budget), shapes whose size overflows, per-step sample weights given to a per-sample
// output, a single output's loss weight through a file, ONNX names of states beside a layer named like them,
// ONNX export of a time-axis Concatenate of padded sequences given as a negative axis, and nested models left
// with their default names.
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Onnx;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class GraphEdgeCaseTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-edge-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string WriteArchitecture(string architecture)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor>(), new Dictionary<string, string>
        {
            ["format"] = "lstmsharp.model", ["format_version"] = "2", ["architecture"] = architecture,
        });
        return path;
    }

    [Fact]
    public void Load_SequentialWhoseCallsAreNotAChain_IsRefusedBeforeAllocating()
    {
        // Both calls read the input [1]: counted as such they are small, but chained the second would be Dense on 8000.
        var path = WriteArchitecture("""
            {"class":"Sequential","inputs":[{"name":"input","shape":[1]}],
             "nodes":[{"layer":{"type":"Dense","name":"a","units":8000,"activation":"Linear"},"inputs":[[-1,0]]},
                      {"layer":{"type":"Dense","name":"b","units":8000,"activation":"Linear"},"inputs":[[-1,0]]}],
             "outputs":[{"node":1,"output":0,"name":"output"}]}
            """);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
        Assert.Contains("does not consume the output of the call before it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reshape_SizesThatOverflow_AreRefused_InCallsAndFiles()
    {
        Assert.Throws<ArgumentException>(() => new Reshape([-1, 65536, 65536, 65536, 65536]).Call(new Input(4)));
        Assert.Throws<ArgumentException>(() => new Flatten().Call(new Input(65536, 65536)));
        Assert.Throws<ArgumentException>(() => new Concatenate().Call(new Input(2, int.MaxValue), new Input(2, int.MaxValue)));
        var path = WriteArchitecture("""
            {"class":"Model","inputs":[{"name":"input","shape":[4]}],
             "nodes":[{"layer":{"type":"Reshape","name":"r","target_shape":[-1,65536,65536,65536,65536]},"inputs":[[-1,0]]}],
             "outputs":[{"node":0,"output":0,"name":"r"}]}
            """);
        Assert.Throws<InvalidDataException>(() => Model.Load(path));
    }

    [Fact]
    public void Fit_PerStepWeightsForAPerSampleOutput_AreRefusedNamingTheOutput()
    {
        var x = new Input(3, 2);
        var (sequence, states) = new Lstm(3, new() { ReturnSequences = true }).CallWithState(x);
        var model = new Model([x], [new TimeDistributed(new Dense(2), "tags").Call(sequence), new Dense(1, name: "label").Call(states[0])]);
        model.Compile(new Sgd(0.1f), new MeanSquaredError());
        var data = new Tensor(GradientCheck.RandomFloats(4 * 3 * 2, 1, 1f), 4, 3, 2);
        Tensor[] y = [Tensor.Zeros(4, 3, 2), Tensor.Zeros(4, 1)];
        var e = Assert.Throws<ArgumentException>(() => model.Fit([data], y, new FitOptions { SampleWeights = Tensor.Full(1f, 4, 3) }));
        Assert.Contains("output 'label'", e.Message, StringComparison.Ordinal);
        var history = model.Fit([data], y, new FitOptions
        {
            OutputSampleWeights = new Dictionary<string, Tensor> { ["tags"] = Tensor.Full(1f, 4, 3), ["label"] = new Tensor([1f, 0f, 0f, 0f], 4) },
        });
        Assert.True(float.IsFinite(history.Loss[0]));
    }

    [Fact]
    public void SaveLoad_SingleOutputLossWeight_ComesBack()
    {
        var x = new Input(3);
        var model = new Model([x], [new Dense(2, name: "out").Call(x)]);
        model.Compile(new Sgd(0.1f), new Dictionary<string, Loss> { ["out"] = new MeanSquaredError() }, new Dictionary<string, float> { ["out"] = 0.25f });
        var path = Path.Combine(_folder, "weight.safetensors");
        model.Save(path);
        Assert.Equal([0.25f], Model.Load(path).LossWeights);
    }

    [Fact]
    public void OnnxExport_StateOutputBesideALayerNamedLikeIt_KeepsBothNames()
    {
        var x = new Input(5, 2) { Name = "x" };
        var (y, states) = new Lstm(3, new() { ReturnSequences = true }).CallWithState(x);
        var model = new Model([x], [states[0], new Lstm(3).Call(y)]);
        Assert.Equal(["lstm:1", "lstm_1"], model.Outputs.Select(o => o.Name));
        using var session = new InferenceSession(OnnxExport.ToBytes(model));
        Assert.Equal(["lstm__1", "lstm_1"], session.OutputMetadata.Keys);
    }

    [Fact]
    public void OnnxExport_TimeConcatenationOfPaddedSequencesByNegativeAxis_IsRefused()
    {
        var ids = new Input(-1);
        var embedded = new Embedding(9, 3).Call(ids);
        var model = new Model([ids], [new Lstm(3).Call(new Concatenate(axis: -2).Call(embedded, embedded))]);
        Assert.Contains("joins padded sequences along time", Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_TwoNestedModelsWithDefaultNames_GetSuffixesAsKeras()
    {
        Model Block()
        {
            var input = new Input(3);
            return new Model([input], [new Dense(3).Call(input)]);
        }
        var x = new Input(3);
        var (first, second) = (Block(), Block());
        var outer = new Model([x], [second.Call(first.Call(x))]);
        Assert.Equal(["model", "model_1"], outer.Layers.Select(l => l.Name));
        Assert.Equal(["model.dense.weight", "model.dense.bias", "model_1.dense.weight", "model_1.dense.bias"], outer.GetWeights().Keys);
    }
}
