// Model files: every layer type round-trips to bit-identical predictions; files of the wrong kind, with
// missing tensors or wrong shapes, or from a newer version, are refused with the file and the problem named.
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class ModelFileTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-model-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static Sequential EveryLayer() => new(5, new Input(-1),
        new Embedding(12, 4),
        new Bidirectional(new Lstm(5, new() { ReturnSequences = true, Peepholes = true, Dropout = 0.1f, KernelRegularizer = new Regularizer(0.01f, 0.02f) }), MergeMode.Average),
        new Dropout(0.2f, seed: 3),
        new Gru(4, new() { ReturnSequences = true, GoBackwards = true }),
        new TimeDistributed(new Dense(3, Activation.Tanh)),
        new SimpleRnn(3),
        new Dense(2, Activation.Softmax, biasRegularizer: new Regularizer(l2: 0.5f)));

    [Fact]
    public void SaveLoad_EveryLayerType_BitIdenticalPredictions()
    {
        var model = EveryLayer();
        var ids = new Tensor([1, 4, 7, 0, 0, 3, 11, 2, 9, 5], 2, 5);
        var before = model.Predict(ids).ToArray();
        var path = Path.Combine(_folder, "model.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);
        Assert.Equal(model.Summary(), loaded.Summary());
        Assert.Equal(before.Select(BitConverter.SingleToInt32Bits), loaded.Predict(ids).ToArray().Select(BitConverter.SingleToInt32Bits));
        var masking = new Sequential(1, new Input(3, 2), new Masking(-1f), new Lstm(2));
        masking.Save(path);
        var x = new Tensor(GradientCheck.RandomFloats(12, 4, 1f), 2, 3, 2);
        Assert.Equal(masking.Predict(x).ToArray(), Sequential.Load(path).Predict(x).ToArray());
        var reloadedLayers = Sequential.Load(path).Layers;
        Assert.Equal(-1f, ((Masking)reloadedLayers[0]).MaskValue);
    }

    [Fact]
    public void SaveLoad_CompileSettingsAndMetadata_ComeBack()
    {
        var path = Path.Combine(_folder, "compiled.safetensors");
        var model = new Sequential(new Input(4, 2), new Gru(3), new Dense(3, Activation.Softmax));
        model.Compile(new RmsProp(0.02f, rho: 0.8f, momentum: 0.5f, centered: true) { GlobalClipNorm = 2f, ClipValue = 0.5f },
            new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy(), new Perplexity());
        model.Metadata["vocabulary"] = "[\"<pad>\", \"a\", \"b\"]";
        model.Metadata["scaler"] = "min 1.5 max 7";
        model.Save(path);
        var loaded = Sequential.Load(path);
        var rms = Assert.IsType<RmsProp>(loaded.Optimizer);
        Assert.Equal((0.02f, 0.8f, 0.5f, true, 2f, 0.5f), (rms.LearningRate, rms.Rho, rms.Momentum, rms.Centered, rms.GlobalClipNorm!.Value, rms.ClipValue!.Value));
        Assert.IsType<SparseCategoricalCrossentropy>(loaded.Loss);
        Assert.Equal(["accuracy", "perplexity"], loaded.Metrics.Select(m => m.Name));
        Assert.Equal(model.Metadata.OrderBy(m => m.Key), loaded.Metadata.OrderBy(m => m.Key));
        var uncompiled = Path.Combine(_folder, "plain-model.safetensors");
        new Sequential(new Input(2), new Dense(1)).Save(uncompiled);
        Assert.Null(Sequential.Load(uncompiled).Optimizer);
    }

    [Fact]
    public void Load_PlainSafetensors_SaysItIsNotAModel()
    {
        var path = Path.Combine(_folder, "plain.safetensors");
        SafeTensors.Write(path, [new("weight", Tensor.Zeros(2))]);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Contains("not an LstmSharp model file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingOrMisshapenTensorOrNewerVersion_Throws()
    {
        var model = new Sequential(2, new Input(4, 3), new Lstm(2), new Dense(1));
        var path = Path.Combine(_folder, "m.safetensors");
        model.Save(path);
        var file = SafeTensors.Read(path);

        var tensors = file.Tensors.Where(t => t.Key != "dense.bias").ToList();
        SafeTensors.Write(path, tensors, file.Metadata);
        Assert.Contains("lacks dense.bias", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message, StringComparison.Ordinal);

        tensors = file.Tensors.Select(t => t.Key == "dense.bias" ? new KeyValuePair<string, Tensor>(t.Key, Tensor.Zeros(3)) : t).ToList();
        SafeTensors.Write(path, tensors, file.Metadata);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Contains("'dense.bias' is [3] but the architecture needs [1]", e.Message, StringComparison.Ordinal);

        var newer = file.Metadata.ToDictionary(m => m.Key, m => m.Key == "format_version" ? "99" : m.Value);
        SafeTensors.Write(path, file.Tensors, newer);
        Assert.Contains("newer", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message, StringComparison.Ordinal);

        var huge = file.Metadata.ToDictionary(m => m.Key, m => m.Key == "architecture" ? m.Value.Replace("\"units\":2", "\"units\":2000000000", StringComparison.Ordinal) : m.Value);
        SafeTensors.Write(path, file.Tensors, huge);
        Assert.Contains("needs far more parameter values", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message, StringComparison.Ordinal);

        var broken = file.Metadata.ToDictionary(m => m.Key, m => m.Key == "architecture" ? "{\"input\": [4, 3], \"layers\": [{\"type\": \"Conv\"}]}" : m.Value);
        SafeTensors.Write(path, file.Tensors, broken);
        Assert.Contains("architecture", Assert.Throws<InvalidDataException>(() => Sequential.Load(path)).Message, StringComparison.Ordinal);
    }

    /// <summary>A graph with two inputs, a nested model, states as edges, every merge and shape layer, two outputs.</summary>
    static Model EveryGraphPiece()
    {
        var inner = new Input(-1, 4);
        var block = new Model([inner], [new Dense(4, Activation.Tanh).Call(inner)], seed: 1, name: "block");
        var ids = new Input(-1) { Name = "ids" };
        var side = new Input(3) { Name = "side" };
        var (sequence, states) = new Lstm(4, new() { ReturnSequences = true }).CallWithState(block.Call(new Embedding(9, 4).Call(ids)));
        var decoded = new Gru(4, new() { ReturnSequences = true }).Call(sequence, [new Average().Call(states[0], states[1])]);
        var joined = new Concatenate().Call(new Add().Call(sequence, decoded), new Multiply().Call(sequence, decoded));
        var projected = new Dense(4).Call(side);
        var summary = new Add().Call(
            new Flatten().Call(new Reshape([2, 4]).Call(new Concatenate().Call(states[0], projected))),
            new Flatten().Call(new RepeatVector(2).Call(projected)));
        return new Model([ids, side], [new TimeDistributed(new Dense(3), "tags").Call(joined), new Dense(2, name: "label").Call(summary)], seed: 2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_MutatedModelFiles_NeverCrashOrOverAllocate(bool graph)
    {
        var path = Path.Combine(_folder, "valid.safetensors");
        (graph ? EveryGraphPiece() : EveryLayer()).Save(path);
        var original = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(original, 0);
        var rng = new Random(99);
        var mutant = Path.Combine(_folder, "mutant.safetensors");
        for (var round = 0; round < 1500; round++)
        {
            var bytes = (byte[])original.Clone();
            // Mutate the header, where the architecture lives: digits and characters of the JSON.
            var at = 8 + rng.Next(headerLength);
            bytes[at] = rng.Next(3) switch { 0 => (byte)('0' + rng.Next(10)), 1 => (byte)rng.Next(32, 127), _ => (byte)(bytes[at] ^ (1 << rng.Next(8))) };
            File.WriteAllBytes(mutant, bytes);
            var before = GC.GetTotalAllocatedBytes();
            try
            {
                Model.Load(mutant);
            }
            catch (InvalidDataException)
            {
            }
            Assert.True(GC.GetTotalAllocatedBytes() - before < 64L << 20, $"round {round} allocated {(GC.GetTotalAllocatedBytes() - before) >> 20} MB");
        }
    }
}
