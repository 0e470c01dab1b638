// Learning-rate multipliers (discriminative fine-tuning): for every optimizer a step with multiplier m equals the step of an
// identical model built with learning rate lr·m; 0 leaves parameters in place; AdamW's decay is scaled as in PyTorch's
// parameter groups (worked by hand); ULMFiT's 2.6 rule over groups; multipliers survive Save/Load.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Optimizers;

public sealed class DiscriminativeTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-discriminative-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> OptimizerNames => ["Sgd", "SgdNesterov", "Adam", "AdamW", "RmsProp", "Adagrad"];

    static Optimizer Make(string name, float lr) => name switch
    {
        "Sgd" => new Sgd(lr),
        "SgdNesterov" => new Sgd(lr, 0.9f, nesterov: true),
        "Adam" => new Adam(lr),
        "AdamW" => new AdamW(lr, weightDecay: 0.3f),
        "RmsProp" => new RmsProp(lr, momentum: 0.5f, centered: true),
        "Adagrad" => new Adagrad(lr),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown optimizer"),
    };

    static Sequential Model(string optimizer, float lr, params float[] multipliers)
    {
        var model = new Sequential(7, new Input(5, 3), new Lstm(4), new Dense(3, Activation.Tanh), new Dense(1));
        for (var i = 0; i < multipliers.Length; i++) model.Layers[i].LearningRateMultiplier = multipliers[i];
        model.Compile(Make(optimizer, lr), new MeanSquaredError());
        return model;
    }

    static readonly (Tensor X, Tensor Y) s_data = (
        new Tensor([.. Enumerable.Range(0, 4 * 5 * 3).Select(i => MathF.Sin(0.7f * i))], 4, 5, 3),
        new Tensor([0.5f, -1f, 0.25f, 2f], 4, 1));

    static void Train(Model model, int steps)
    {
        for (var s = 0; s < steps; s++) model.TrainOnBatch(s_data.X, s_data.Y);
    }

    static float[] Values(Layer layer) => [.. layer.Parameters.SelectMany(p => p.Value.ToArray())];

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_MultiplierEverywhere_EqualsLearningRateTimesMultiplier(string optimizer)
    {
        const float lr = 0.05f, m = 1 / 2.6f;
        var scaled = Model(optimizer, lr, m, m, m);
        var reference = Model(optimizer, lr * m);
        Train(scaled, 3);
        Train(reference, 3);
        for (var l = 0; l < 3; l++) Assert.Equal(Values(reference.Layers[l]), Values(scaled.Layers[l]));
        Assert.NotEqual(Values(Model(optimizer, lr).Layers[0]), Values(scaled.Layers[0])); // it trained
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_MultiplierPerLayer_EachLayerStepsWithItsOwnRate(string optimizer)
    {
        // The first step from the same weights: the Lstm's update is that of a model at lr·0.25, the Dense layers' that at lr.
        const float lr = 0.05f;
        var mixed = Model(optimizer, lr, 0.25f, 1f, 1f);
        var slow = Model(optimizer, lr * 0.25f);
        var plain = Model(optimizer, lr);
        foreach (var model in new[] { mixed, slow, plain }) Train(model, 1);
        Assert.Equal(Values(slow.Layers[0]), Values(mixed.Layers[0]));
        Assert.Equal(Values(plain.Layers[1]), Values(mixed.Layers[1]));
        Assert.Equal(Values(plain.Layers[2]), Values(mixed.Layers[2]));
        Assert.NotEqual(Values(plain.Layers[0]), Values(mixed.Layers[0]));
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Step_MultiplierZero_LeavesTheLayer(string optimizer)
    {
        var model = Model(optimizer, 0.05f, 0f, 1f, 1f);
        var before = Values(model.Layers[0]);
        var dense = Values(model.Layers[1]);
        Train(model, 3);
        Assert.Equal(before, Values(model.Layers[0]));
        Assert.NotEqual(dense, Values(model.Layers[1]));
    }

    [Fact]
    public void AdamW_Multiplier_ScalesTheDecayAsTorchParameterGroups()
    {
        // PyTorch's AdamW: w ← w·(1 − lr·λ) with the group's lr. With a zero gradient Adam's part is 0/(0 + ε) = 0,
        // so only the decay moves w: 2·(1 − 0.1·0.25·0.5) = 1.975 with multiplier 0.25, 2·(1 − 0.1·0.5) = 1.9 without.
        var scaled = new Parameter("a", new Tensor([2f], 1)) { LearningRateMultiplier = 0.25f };
        var plain = new Parameter("b", new Tensor([2f], 1));
        new AdamW(0.1f, weightDecay: 0.5f).Step([scaled, plain]);
        Assert.Equal(1.975f, scaled.Value.Span[0], 1e-6f);
        Assert.Equal(1.9f, plain.Value.Span[0], 1e-6f);
    }

    [Fact]
    public void Apply_UlmfitRule_DividesBy2Point6PerGroupFromTheTop()
    {
        Layer[] a = [new Dense(2)], b = [new Dense(2), new Dense(2)], c = [new Dense(1)];
        var multipliers = Discriminative.Apply([a, b, c]);
        Assert.Equal([1 / (2.6f * 2.6f), 1 / 2.6f, 1f], multipliers, (x, y) => Math.Abs(x - y) < 1e-7f);
        Assert.Equal(multipliers[0], a[0].LearningRateMultiplier);
        Assert.All(b, l => Assert.Equal(multipliers[1], l.LearningRateMultiplier));
        Assert.Equal(1f, c[0].LearningRateMultiplier);
        Assert.Equal([0.25f, 0.5f, 1f], Discriminative.Apply([a, b, c], factor: 2f));
    }

    [Fact]
    public void Apply_BadGroupsOrFactor_NamesThem()
    {
        var dense = new Dense(1);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => Discriminative.Apply([[dense]], 0f)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => Discriminative.Apply([])).ParamName);
        Assert.Contains("group 1 is empty", Assert.Throws<ArgumentException>(() => Discriminative.Apply([[dense], []])).Message, StringComparison.Ordinal);
        Assert.Contains("in group 0 and in group 1", Assert.Throws<ArgumentException>(() => Discriminative.Apply([[dense], [dense]])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningRateMultiplier_Negative_IsRefusedWithTheLayersName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(1, name: "head").LearningRateMultiplier = -1f);
        Assert.Contains("LearningRateMultiplier of layer 'head'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Parameter("w", Tensor.Zeros(1)).LearningRateMultiplier = float.NaN);
    }

    [Fact]
    public void LearningRateMultiplier_SetBeforeBuild_ReachesTheParameters()
    {
        var lstm = new Lstm(3) { LearningRateMultiplier = 0.5f };
        _ = new Sequential(new Input(2, 4), lstm);
        Assert.NotEmpty(lstm.Parameters);
        Assert.All(lstm.Parameters, p => Assert.Equal(0.5f, p.LearningRateMultiplier));
    }

    [Fact]
    public void SaveLoad_Multipliers_ComeBack()
    {
        var model = Model("Adam", 0.01f);
        Discriminative.Apply([[model.Layers[0]], [model.Layers[1]], [model.Layers[2]]]);
        var path = Path.Combine(_folder, "model.safetensors");
        model.Save(path);
        var loaded = Sequential.Load(path);
        for (var l = 0; l < 3; l++)
        {
            Assert.Equal(model.Layers[l].LearningRateMultiplier, loaded.Layers[l].LearningRateMultiplier);
            Assert.All(loaded.Layers[l].Parameters, p => Assert.Equal(model.Layers[l].LearningRateMultiplier, p.LearningRateMultiplier));
        }
        Assert.Equal(1 / (2.6f * 2.6f), loaded.Layers[0].LearningRateMultiplier, 1e-7f);
    }

    [Fact]
    public void SaveLoad_FunctionalModel_KeepsMultipliers()
    {
        var x = new Input(4);
        var hidden = new Dense(3, Activation.Tanh, name: "hidden") { LearningRateMultiplier = 0.125f };
        var model = new Model([x], [new Dense(1, name: "out").Call(hidden.Call(x))], seed: 3);
        var path = Path.Combine(_folder, "graph.safetensors");
        model.Save(path);
        var loaded = LstmSharp.Model.Load(path);
        Assert.Equal(0.125f, loaded.Layers.Single(l => l.Name == "hidden").LearningRateMultiplier);
        Assert.Equal(1f, loaded.Layers.Single(l => l.Name == "out").LearningRateMultiplier);
    }
}
