// Model files of graph models (format version 2) and of the version-1 format: Keras's functional-guide example
// (title + body + tags → priority + department) builds, trains, saves, loads and predicts bit-identically; a
// model nested in another and every merge and shape layer round-trip; committed version-1 files still load and
// predict what the version-1 code predicted (within float rounding).
using System.Text.Json;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class GraphModelFileTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-graph-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void KerasFunctionalGuideExample_TrainsSavesLoadsAndPredictsBitIdentically()
    {
        // keras.io/guides/functional_api, "Models with multiple inputs and outputs", at a test's size.
        const int tags = 12, words = 100, departments = 4, samples = 32;
        var titleInput = new Input(-1) { Name = "title" };
        var bodyInput = new Input(-1) { Name = "body" };
        var tagsInput = new Input(tags) { Name = "tags" };
        var titleFeatures = new Lstm(16).Call(new Embedding(words, 8).Call(titleInput));
        var bodyFeatures = new Lstm(4).Call(new Embedding(words, 8).Call(bodyInput));
        var x = new Concatenate().Call(titleFeatures, bodyFeatures, tagsInput);
        var priority = new Dense(1, Activation.Sigmoid, name: "priority").Call(x);
        var department = new Dense(departments, Activation.Softmax, name: "department").Call(x);
        var model = new Model([titleInput, bodyInput, tagsInput], [priority, department], seed: 7);
        model.Compile(new Adam(0.01f),
            new Dictionary<string, Loss> { ["priority"] = new BinaryCrossentropy(), ["department"] = new CategoricalCrossentropy() },
            new Dictionary<string, float> { ["priority"] = 1f, ["department"] = 0.2f },
            new Dictionary<string, Metric[]> { ["department"] = [new CategoricalAccuracy()] });

        var rng = new Random(3);
        Tensor Ids(int steps) => new([.. Enumerable.Range(0, samples * steps).Select(_ => (float)rng.Next(words))], samples, steps);
        var title = Ids(10);
        var body = Ids(20);
        var tagData = new Tensor([.. Enumerable.Range(0, samples * tags).Select(_ => (float)rng.Next(2))], samples, tags);
        var priorityTargets = new Tensor([.. Enumerable.Range(0, samples).Select(_ => (float)rng.NextDouble())], samples, 1);
        var departmentTargets = Tensor.Zeros(samples, departments);
        for (var s = 0; s < samples; s++) departmentTargets[s, rng.Next(departments)] = 1f;

        var byName = new Dictionary<string, Tensor> { ["title"] = title, ["body"] = body, ["tags"] = tagData };
        var targets = new Dictionary<string, Tensor> { ["priority"] = priorityTargets, ["department"] = departmentTargets };
        var history = model.Fit(byName, targets, new FitOptions { Epochs = 3, BatchSize = 8 });
        Assert.True(history["loss"][2] < history["loss"][0], $"loss {history["loss"][0]} → {history["loss"][2]}");
        Assert.Contains("department_accuracy", history.Keys);

        var path = Path.Combine(_folder, "multi.safetensors");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.IsNotType<Sequential>(loaded);
        Assert.Equal(["title", "body", "tags"], loaded.Inputs.Select(i => i.Name));
        Assert.Equal(["priority", "department"], loaded.Outputs.Select(o => o.Name));
        Assert.Equal(model.Summary(), loaded.Summary());
        var before = model.Predict([title, body, tagData]);
        var after = loaded.Predict([title, body, tagData]);
        Assert.Equal(Bits(before[0]), Bits(after[0]));
        Assert.Equal(Bits(before[1]), Bits(after[1]));
        Assert.Equal([1f, 0.2f], loaded.LossWeights);
        Assert.Equal(model.Evaluate([title, body, tagData], [priorityTargets, departmentTargets]), loaded.Evaluate([title, body, tagData], [priorityTargets, departmentTargets]));
        Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Assert.Equal(Bits(after[1]), Bits(loaded.Predict(byName)["department"]));
        Assert.Equal(model.Evaluate(byName, targets)["loss"], loaded.Evaluate([title, body, tagData], [priorityTargets, departmentTargets])["loss"]);
        var e = Assert.Throws<ArgumentException>(() => loaded.Predict(new Dictionary<string, Tensor> { ["title"] = title, ["body"] = body }));
        Assert.Contains("No tensor is given for input 'tags'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveLoad_NestedModelStatesAndEveryGraphLayer_RoundTrip()
    {
        var inner = new Input(4, 3);
        var encoder = new Model([inner], [new Dense(3, name: "proj").Call(new Reshape([4, 3]).Call(new Flatten().Call(inner)))], seed: 1, name: "encoder");
        var x = new Input(4, 3) { Name = "x" };
        var encoded = encoder.Call(x);
        var (sequence, states) = new Lstm(5, new() { ReturnSequences = true }).CallWithState(encoded);
        var decoded = new Gru(5, new() { ReturnSequences = true }).Call(new Concatenate(axis: 1).Call(encoded, encoded), [new Average().Call(states[0], states[1])]);
        var merged = new Add().Call(new Multiply().Call(sequence, sequence), sequence);
        var summary = new RepeatVector(2).Call(new Dense(3).Call(states[1]));
        var model = new Model([x], [merged, decoded, summary, states[0]], seed: 2);
        var path = Path.Combine(_folder, "nested.safetensors");
        model.Save(path);
        var loaded = Model.Load(path);
        var data = new Tensor(GradientCheck.RandomFloats(2 * 4 * 3, 9, 1f), 2, 4, 3);
        var before = model.Predict([data]);
        var after = loaded.Predict([data]);
        for (var o = 0; o < before.Count; o++) Assert.Equal(Bits(before[o]), Bits(after[o]));
        Assert.Equal(model.GetWeights().Keys, loaded.GetWeights().Keys);
        Assert.Contains("encoder.proj.weight", loaded.GetWeights().Keys);
        Assert.Equal(model.Outputs.Select(o => o.Name), loaded.Outputs.Select(o => o.Name));
        Assert.Equal(model.Summary(), loaded.Summary());
    }

    [Fact]
    public void Load_GraphWithBadReferencesOrHugeNestedLayers_IsRefusedNamingTheProblem()
    {
        var inner = new Input(3);
        var nested = new Model([inner], [new Dense(2).Call(inner)], name: "nested");
        var x = new Input(3) { Name = "x" };
        var path = Path.Combine(_folder, "graph.safetensors");
        new Model([x], [nested.Call(x)]).Save(path);
        var file = LstmSharp.IO.SafeTensors.Read(path);
        var architecture = file.Metadata["architecture"];
        string Tampered(string from, string to)
        {
            Assert.Contains(from, architecture, StringComparison.Ordinal);
            var broken = Path.Combine(_folder, "broken.safetensors");
            LstmSharp.IO.SafeTensors.Write(broken, file.Tensors, file.Metadata.ToDictionary(m => m.Key, m => m.Key == "architecture" ? m.Value.Replace(from, to, StringComparison.Ordinal) : m.Value));
            return Assert.Throws<InvalidDataException>(() => Model.Load(broken)).Message;
        }
        Assert.Contains("refers to node 7 before it exists", Tampered("\"inputs\":[[-1,0]]}]", "\"inputs\":[[7,0]]}]"), StringComparison.Ordinal);
        Assert.Contains("has no output 4", Tampered("\"node\":0,\"output\":0", "\"node\":0,\"output\":4"), StringComparison.Ordinal);
        Assert.Contains("needs far more parameter values", Tampered("\"units\":2", "\"units\":2000000000"), StringComparison.Ordinal);
        Assert.Contains("unknown layer type 'Conv'", Tampered("\"type\":\"Dense\"", "\"type\":\"Conv\""), StringComparison.Ordinal);
    }

    public static TheoryData<string> V1Files() => new("v1_recurrent_stack", "v1_text_classifier");

    [Theory]
    [MemberData(nameof(V1Files))]
    public void Load_Version1File_PredictsWhatTheVersion1CodePredicted(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "v1");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "v1_predictions.json")));
        var entry = doc.RootElement.GetProperty(name);
        int[] Shape(string key) => [.. entry.GetProperty(key).EnumerateArray().Select(e => e.GetInt32())];
        float[] Values(string key) => [.. entry.GetProperty(key).EnumerateArray().Select(e => e.GetSingle())];
        var model = Sequential.Load(Path.Combine(folder, name + ".safetensors"));
        Assert.Equal(name, model.Metadata["fixture"]);
        Assert.NotNull(model.Optimizer);
        var predicted = model.Predict(new Tensor(Values("input"), Shape("input_shape")));
        Assert.Equal(Shape("output_shape"), predicted.Shape.ToArray());
        // Within float rounding, not bit for bit: the softmax kernel the classifier's head runs has changed since
        // (max-subtracted, double exponentials), moving its outputs by up to 4e-7; a misplaced weight moves them by far more.
        Approx.Equal(Values("output").Select(v => (double)v).ToArray(), predicted, 1e-6, name);
    }
}
