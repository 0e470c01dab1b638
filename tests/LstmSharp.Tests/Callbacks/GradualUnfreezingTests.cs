// GradualUnfreezing inside Fit: after every epoch exactly the groups of its stage have moved and the others have not;
// every Trainable is back at the end (after early stopping with restored best weights too); a layer the user froze stays frozen.
using LstmSharp.Callbacks;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Callbacks;

public sealed class GradualUnfreezingTests
{
    static (Tensor X, Tensor Y) Data(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = Tensor.Zeros(samples, 3, 2);
        var y = Tensor.Zeros(samples, 1);
        for (var i = 0; i < x.Length; i++) x.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        for (var s = 0; s < samples; s++) y.Span[s] = x.Span[s * 6] - x.Span[s * 6 + 5];
        return (x, y);
    }

    static Sequential Model()
    {
        var model = new Sequential(11, new Input(3, 2), new Lstm(4, new() { ReturnSequences = true }), new Gru(3), new Dense(3, Activation.Tanh), new Dense(1));
        model.Compile(new Adam(0.01f), new MeanSquaredError());
        return model;
    }

    /// <summary>Records every layer's values after each epoch.</summary>
    sealed class Snapshots : Callback
    {
        public List<float[][]> AfterEpoch { get; } = [];

        public List<bool[]> TrainableInEpoch { get; } = [];

        public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
        {
            AfterEpoch.Add([.. model.Layers.Select(l => l.Parameters.SelectMany(p => p.Value.ToArray()).ToArray())]);
            TrainableInEpoch.Add([.. model.Layers.Select(l => l.Trainable)]);
        }
    }

    static float[][] Values(Model model) => [.. model.Layers.Select(l => l.Parameters.SelectMany(p => p.Value.ToArray()).ToArray())];

    [Fact]
    public void Fit_ThreeGroupsTwoEpochsPerStage_UnfreezesOneGroupPerStageFromTheTop()
    {
        var model = Model();
        var layers = model.Layers;
        Layer[][] groups = [[layers[0]], [layers[1]], [layers[2], layers[3]]];
        var snapshots = new Snapshots();
        var (x, y) = Data(32, 1);
        var start = Values(model);
        model.Fit(x, y, new FitOptions { Epochs = 7, BatchSize = 8, Callbacks = [new GradualUnfreezing(groups, epochsPerStage: 2), snapshots] });
        // Epochs 1–2: only the Dense layers; 3–4: the Gru too; 5–7: everything. Layer l first moves in epoch firstMoves[l].
        int[] firstMoves = [5, 3, 1, 1];
        for (var epoch = 1; epoch <= 7; epoch++)
        {
            var before = epoch == 1 ? start : snapshots.AfterEpoch[epoch - 2];
            for (var l = 0; l < 4; l++)
            {
                var moved = !before[l].SequenceEqual(snapshots.AfterEpoch[epoch - 1][l]);
                Assert.True(moved == (epoch >= firstMoves[l]), $"layer {l} in epoch {epoch}: moved {moved}");
                Assert.Equal(epoch >= firstMoves[l], snapshots.TrainableInEpoch[epoch - 1][l]);
            }
        }
        Assert.All(layers, l => Assert.True(l.Trainable));
        Assert.All(model.Parameters, p => Assert.True(p.Trainable));
    }

    [Fact]
    public void Fit_LayerFrozenBefore_StaysFrozenAndEverythingIsRestored()
    {
        var model = Model();
        var layers = model.Layers;
        layers[1].Trainable = false;
        layers[3].Parameters[1].Trainable = false; // the output bias alone
        var snapshots = new Snapshots();
        var (x, y) = Data(32, 2);
        var start = Values(model);
        model.Fit(x, y, new FitOptions { Epochs = 3, BatchSize = 8, Callbacks = [new GradualUnfreezing([[layers[0]], [layers[1]], [layers[2], layers[3]]]), snapshots] });
        Assert.Equal(start[1], snapshots.AfterEpoch[2][1]); // the Gru the user froze never trained
        Assert.NotEqual(start[0], snapshots.AfterEpoch[2][0]); // the Lstm trained in epoch 3
        Assert.Equal(start[3][^1], snapshots.AfterEpoch[2][3][^1]); // nor did the frozen bias
        Assert.Equal([true, false, true, true], layers.Select(l => l.Trainable));
        Assert.Equal([true, false], layers[3].Parameters.Select(p => p.Trainable));
        Assert.All(layers[1].Parameters, p => Assert.False(p.Trainable));
    }

    [Fact]
    public void Fit_WithEarlyStoppingRestoringBestWeights_EndsWithTheBestEpochsWeightsAndEveryLayerTrainable()
    {
        var model = Model();
        var layers = model.Layers;
        var (x, y) = Data(32, 3);
        var noise = Data(16, 4);
        var rng = new Random(5);
        for (var i = 0; i < noise.Y.Length; i++) noise.Y.Span[i] = (float)(rng.NextDouble() * 4 - 2); // validation that cannot keep improving
        var stop = new EarlyStopping(patience: 2, restoreBestWeights: true);
        var snapshots = new Snapshots();
        var history = model.Fit(x, y, new FitOptions
        {
            Epochs = 40, BatchSize = 8, ValidationData = noise,
            Callbacks = [new GradualUnfreezing([[layers[0]], [layers[1]], [layers[2], layers[3]]]), stop, snapshots],
        });
        Assert.True(stop.StoppedEpoch > 0 && stop.StoppedEpoch < 40, $"stopped at {stop.StoppedEpoch}");
        Assert.Equal(stop.StoppedEpoch, history.Epochs);
        var best = snapshots.AfterEpoch[stop.BestEpoch - 1];
        var end = Values(model);
        for (var l = 0; l < 4; l++) Assert.Equal(best[l], end[l]);
        Assert.All(layers, l => Assert.True(l.Trainable));
        Assert.All(model.Parameters, p => Assert.True(p.Trainable));
    }

    [Fact]
    public void Constructor_BadArguments_NameThem()
    {
        var dense = new Dense(1);
        Assert.Equal("epochsPerStage", Assert.Throws<ArgumentOutOfRangeException>(() => new GradualUnfreezing([[dense]], 0)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => new GradualUnfreezing([])).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => new GradualUnfreezing([[dense], [dense]])).ParamName);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 3, 3)]
    [InlineData(1, 9, 4)]
    [InlineData(3, 3, 1)]
    [InlineData(3, 4, 2)]
    public void TrainingGroups_FollowTheEpoch(int epochsPerStage, int epoch, int expected)
        => Assert.Equal(expected, new GradualUnfreezing([[new Dense(1)], [new Dense(1)], [new Dense(1)], [new Dense(1)]], epochsPerStage).TrainingGroups(epoch));
}
