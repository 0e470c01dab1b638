// Checkpoints and resume: training interrupted after epoch 3 and resumed from its checkpoint ends with the
// same weights, bit for bit, as training that ran straight through — with shuffling, dropout, recurrent
// dropout, Adam's moments and a learning-rate schedule all in play.
using LstmSharp.Callbacks;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.IO;

public sealed class ResumeTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static Sequential Model()
    {
        var model = new Sequential(7, new Input(5, 3),
            new Lstm(6, new() { ReturnSequences = true, Dropout = 0.2f, RecurrentDropout = 0.2f }),
            new Dropout(0.25f, seed: 4),
            new Gru(4),
            new Dense(1));
        model.Compile(new Adam(0.01f) { Schedule = new ExponentialDecay(0.01f, 10, 0.5f), GlobalClipNorm = 1f }, new MeanSquaredError());
        return model;
    }

    internal sealed class StopAfter(int epoch) : Callback
    {
        public override void OnEpochEnd(Model model, int e, IReadOnlyDictionary<string, float> logs)
        {
            if (e == epoch) model.StopTraining = true;
        }
    }

    [Theory]
    [InlineData(typeof(Adam))]
    [InlineData(typeof(Sgd))]
    public void Resume_AfterInterruption_EqualsUninterruptedRun(Type optimizerType)
    {
        var x = new Tensor(GradientCheck.RandomFloats(40 * 5 * 3, 1, 1f), 40, 5, 3);
        var y = new Tensor(GradientCheck.RandomFloats(40, 2, 1f), 40, 1);
        Sequential Fresh()
        {
            var m = Model();
            if (optimizerType == typeof(Sgd)) m.Compile(new Sgd(0.05f, momentum: 0.9f, nesterov: true), new MeanSquaredError());
            return m;
        }
        AssertResumeEqualsStraight(Fresh, x, y, new FitOptions { Epochs = 6, BatchSize = 8, Seed = 3 });
    }

    [Fact]
    public void Resume_WithGradualUnfreezing_EqualsUninterruptedRun()
    {
        // Adam counts each parameter's own steps (the Lstm's start in epoch 3, the Gru's in epoch 2), so the checkpoint must
        // carry those counts for the resumed run to bias-correct as the uninterrupted one does.
        var x = new Tensor(GradientCheck.RandomFloats(40 * 5 * 3, 3, 1f), 40, 5, 3);
        var y = new Tensor(GradientCheck.RandomFloats(40, 4, 1f), 40, 1);
        var options = new FitOptions { Epochs = 5, BatchSize = 8, Seed = 2 };
        AssertResumeEqualsStraight(Model, x, y, options, m => [new GradualUnfreezing([[m.Layers[0]], [m.Layers[2]], [m.Layers[3]]])]);
    }

    /// <summary>Trains straight through, and interrupted after epoch 3 then resumed from its checkpoint: the same losses and weights, bit for bit.</summary>
    void AssertResumeEqualsStraight(Func<Sequential> fresh, Tensor x, Tensor y, FitOptions options, Func<Sequential, Callback[]>? callbacks = null)
    {
        Callback[] With(Sequential m) => callbacks?.Invoke(m) ?? [];
        var straight = fresh();
        var straightHistory = straight.Fit(x, y, options with { Callbacks = With(straight) });

        var path = Path.Combine(_folder, "checkpoint.safetensors");
        var interrupted = fresh();
        interrupted.Fit(x, y, options with { Callbacks = [.. With(interrupted), new ModelCheckpoint("loss", saveBestOnly: false, path: path), new StopAfter(3)] });
        var resumed = fresh();
        var resumedHistory = resumed.Fit(x, y, options with { ResumeFrom = path, Callbacks = With(resumed) });

        Assert.Equal(options.Epochs - 3, resumedHistory.Epochs);
        Assert.Equal(straightHistory.Loss.Skip(3), resumedHistory.Loss);
        foreach (var (name, value) in straight.GetWeights())
            Assert.Equal(value.ToArray().Select(BitConverter.SingleToInt32Bits), resumed.GetWeights()[name].ToArray().Select(BitConverter.SingleToInt32Bits));
        // The checkpoint is also an ordinary model file.
        Assert.Equal(4, Sequential.Load(path).Layers.Count);
    }

    [Fact]
    public void Resume_FromPlainModelFileOrOtherOptimizer_Refused()
    {
        var x = new Tensor(GradientCheck.RandomFloats(16 * 5 * 3, 5, 1f), 16, 5, 3);
        var y = Tensor.Zeros(16, 1);
        var plain = Path.Combine(_folder, "plain.safetensors");
        Model().Save(plain);
        Assert.Contains("no training state", Assert.Throws<InvalidDataException>(() => Model().Fit(x, y, new FitOptions { ResumeFrom = plain })).Message, StringComparison.Ordinal);

        var checkpoint = Path.Combine(_folder, "adam.safetensors");
        Model().Fit(x, y, new FitOptions { Epochs = 1, Callbacks = [new ModelCheckpoint("loss", path: checkpoint)] });
        var sgd = Model();
        sgd.Compile(new Sgd(), new MeanSquaredError());
        Assert.Contains("optimizer is Adam", Assert.Throws<InvalidDataException>(() => sgd.Fit(x, y, new FitOptions { ResumeFrom = checkpoint })).Message, StringComparison.Ordinal);

        // A sample order with a repeated index would train on wrong rows (or past the end): refused.
        var file = SafeTensors.Read(checkpoint);
        var order = file.Tensors["training/order"].ToArray();
        order[1] = order[0];
        var damaged = Path.Combine(_folder, "damaged.safetensors");
        SafeTensors.Write(damaged, file.Tensors.Select(t => t.Key == "training/order" ? new KeyValuePair<string, Tensor>(t.Key, new Tensor(order, order.Length)) : t), file.Metadata);
        var e = Assert.Throws<InvalidDataException>(() => Model().Fit(x, y, new FitOptions { Epochs = 2, ResumeFrom = damaged }));
        Assert.Contains("not a permutation of 0..15 (entry 1", e.Message, StringComparison.Ordinal);
    }
}
