// Callbacks inside Fit: early stopping (with best weights restored), plateau and scheduled learning rates,
// NaN termination, CSV logs and checkpoints, driven by a model whose validation loss is known to stall.
using LstmSharp.Callbacks;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Callbacks;

public sealed class CallbackTests
{
    static (Tensor X, Tensor Y) Data(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = Tensor.Zeros(samples, 4);
        var y = Tensor.Zeros(samples, 1);
        for (var s = 0; s < samples; s++)
        {
            for (var f = 0; f < 4; f++) x.Span[s * 4 + f] = (float)(rng.NextDouble() * 2 - 1);
            y.Span[s] = x.Span[s * 4] - 2 * x.Span[s * 4 + 1];
        }
        return (x, y);
    }

    static Sequential Model(float lr = 0.05f)
    {
        var model = new Sequential(1, new Input(4), new Dense(8, Activation.Tanh), new Dense(1));
        model.Compile(new Sgd(lr), new MeanSquaredError());
        return model;
    }

    /// <summary>Validation targets are pure noise, so the validation loss cannot keep improving.</summary>
    static (Tensor X, Tensor Y) NoiseValidation()
    {
        var (x, _) = Data(40, 9);
        var rng = new Random(3);
        var y = Tensor.Zeros(40, 1);
        for (var i = 0; i < 40; i++) y.Span[i] = (float)(rng.NextDouble() * 4 - 2);
        return (x, y);
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatienceAndRestoresBest()
    {
        var (x, y) = Data(128, 1);
        var model = Model();
        var stop = new EarlyStopping(patience: 3, restoreBestWeights: true);
        var checkpoint = new ModelCheckpoint();
        var history = model.Fit(x, y, new FitOptions { Epochs = 200, BatchSize = 16, ValidationData = NoiseValidation(), Callbacks = [stop, checkpoint] });
        Assert.True(stop.StoppedEpoch > 0 && stop.StoppedEpoch < 200, $"stopped at {stop.StoppedEpoch}");
        Assert.Equal(stop.StoppedEpoch, history.Epochs);
        Assert.Equal(stop.StoppedEpoch - 3, stop.BestEpoch);
        var best = history.ValidationLoss.Min();
        Assert.Equal(best, history.ValidationLoss[stop.BestEpoch - 1]);
        // The restored weights are the best epoch's: same as the checkpoint, and they reproduce the best val_loss.
        Assert.Equal(stop.BestEpoch, checkpoint.Epoch);
        foreach (var (name, value) in model.GetWeights()) Assert.Equal(checkpoint.Weights![name].ToArray(), value.ToArray());
        var noise = NoiseValidation();
        Assert.Equal(best, model.Evaluate(noise.X, noise.Y, 16)["loss"], 5);
    }

    [Fact]
    public void ModelCheckpoint_WithPath_SavesTheBestEpochsModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstmsharp-checkpoint-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (x, y) = Data(128, 1);
            var model = Model();
            var checkpoint = new ModelCheckpoint(path: path);
            var history = model.Fit(x, y, new FitOptions { Epochs = 12, BatchSize = 16, ValidationData = NoiseValidation(), Callbacks = [checkpoint] });
            var best = history.ValidationLoss.Min();
            Assert.Equal(best, checkpoint.Value);
            var loaded = Sequential.Load(path);
            loaded.Compile(new Sgd(), new MeanSquaredError());
            var noise = NoiseValidation();
            Assert.Equal(best, loaded.Evaluate(noise.X, noise.Y, 16)["loss"], 5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EarlyStopping_MonitorNotLogged_SaysWhatIs()
    {
        var (x, y) = Data(16, 1);
        var e = Assert.Throws<InvalidOperationException>(() => Model().Fit(x, y, new FitOptions { Callbacks = [new EarlyStopping()] }));
        Assert.Contains("'val_loss'", e.Message, StringComparison.Ordinal);
        Assert.Contains("loss, lr", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReduceLROnPlateau_CutsRateWhenStalled()
    {
        var (x, y) = Data(64, 2);
        var model = Model();
        var history = model.Fit(x, y, new FitOptions
        {
            Epochs = 40, BatchSize = 16, ValidationData = NoiseValidation(),
            Callbacks = [new ReduceLROnPlateau(factor: 0.5f, patience: 2, minLearningRate: 0.01f)],
        });
        var rates = history["lr"];
        Assert.Equal(0.05f, rates[0]);
        Assert.Contains(0.025f, rates);
        Assert.Equal(0.01f, rates[^1], 6);
        for (var i = 1; i < rates.Count; i++) Assert.True(rates[i] <= rates[i - 1]);
    }

    [Fact]
    public void LearningRateScheduler_SetsRatePerEpoch()
    {
        var (x, y) = Data(32, 3);
        var model = Model();
        var history = model.Fit(x, y, new FitOptions { Epochs = 4, Callbacks = [new LearningRateScheduler((epoch, _) => 0.1f / (epoch + 1))] });
        Assert.Equal([0.1f, 0.05f, 0.1f / 3, 0.025f], history["lr"]);
    }

    [Fact]
    public void TerminateOnNaN_StopsAtDivergence()
    {
        var (x, y) = Data(64, 4);
        for (var i = 0; i < y.Length; i++) y.Span[i] *= 1e4f;
        var model = Model(lr: 10f);
        var nan = new TerminateOnNaN();
        var history = model.Fit(x, y, new FitOptions { Epochs = 50, BatchSize = 8, Callbacks = [nan] });
        Assert.True(nan.StoppedAtBatch > 0);
        Assert.True(history.Epochs < 50);
    }

    [Fact]
    public void ThrowOnDivergence_RestoresTheBestFiniteWeightsBeforeThrowing()
    {
        var (x, y) = Data(128, 1);
        var model = Model();
        var stop = new EarlyStopping(patience: 100, restoreBestWeights: true);
        var checkpoint = new ModelCheckpoint();
        // Four good epochs, then a learning rate that blows the weights up in epoch 5.
        var blowUp = new LearningRateScheduler((epoch, rate) => epoch == 4 ? 1e30f : rate);   // epochs from 0
        var e = Assert.Throws<TrainingDivergedException>(() => model.Fit(x, y, new FitOptions
        {
            Epochs = 10, BatchSize = 16, ValidationData = NoiseValidation(), Callbacks = [blowUp, stop, checkpoint], ThrowOnDivergence = true,
        }));
        Assert.Contains("of epoch 5", e.Message, StringComparison.Ordinal);
        Assert.InRange(checkpoint.Epoch, 1, 4);
        foreach (var (name, value) in model.GetWeights()) Assert.Equal(checkpoint.Weights![name].ToArray(), value.ToArray());
    }

    [Fact]
    public void CsvLogger_WritesOneRowPerEpoch()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstmsharp-log-{Guid.NewGuid():N}.csv");
        try
        {
            var (x, y) = Data(32, 5);
            Model().Fit(x, y, new FitOptions { Epochs = 3, ValidationSplit = 0.25f, Callbacks = [new CsvLogger(path)] });
            var lines = File.ReadAllLines(path);
            Assert.Equal("epoch,loss,val_loss,lr", lines[0]);
            Assert.Equal(4, lines.Length);
            Assert.StartsWith("3,", lines[3], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
