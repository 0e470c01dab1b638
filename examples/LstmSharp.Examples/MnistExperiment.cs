// MNIST read row by row: 28 steps of 28 pixels into an LSTM, a classic sequence-classification benchmark.
using System.Diagnostics;
using LstmSharp;
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp.Examples;

internal static class MnistExperiment
{
    public const int Train = 8_000, Test = 2_000, Units = 96, Epochs = 40, BatchSize = 64;

    /// <summary>The 10,000 bundled digits (sorted by class), shuffled with <paramref name="seed"/> and split 8,000 / 2,000.</summary>
    public static (Tensor X, Tensor Y, Tensor XTest, Tensor YTest) Load(string folder, int seed)
    {
        var images = Idx.ReadImages(Path.Combine(folder, "mnist10k-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(folder, "mnist10k-labels-idx1-ubyte.gz"));
        var n = images.Dim(0);
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var x = Tensor.Zeros(n, 28, 28);
        var y = Tensor.Zeros(n);
        for (var i = 0; i < n; i++)
        {
            images.Slice(order[i]).Span.CopyTo(x.Span.Slice(i * 784, 784));
            y.Span[i] = labels.Span[order[i]];
        }
        return (x.Slice(0, Train), y.Slice(0, Train), x.Slice(Train, Test), y.Slice(Train, Test));
    }

    public static void Run(int seed)
    {
        var (x, y, xTest, yTest) = Load(Path.Combine(AppContext.BaseDirectory, "data"), seed);
        var model = new Sequential(seed, new Input(28, 28), new Bidirectional(new Lstm(Units, new() { Dropout = 0.1f })), new Dense(10, Activation.Softmax));
        model.Compile(new Adam(0.002f), new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy());
        Console.WriteLine($"MNIST rows: Bidirectional(Lstm({Units}, dropout 0.1)) → Dense(10, softmax), {Train} train (the last 10% for validation) / {Test} test, " +
            $"up to {Epochs} epochs of {BatchSize}, Adam 0.002 halved on plateaus, early stopping on validation accuracy, seed {seed}");
        var clock = Stopwatch.StartNew();
        var stop = new EarlyStopping("val_accuracy", patience: 8, restoreBestWeights: true);
        model.Fit(x, y, new FitOptions
        {
            Epochs = Epochs, BatchSize = BatchSize, Seed = seed, ValidationSplit = 0.1f,
            Callbacks = [new ReduceLROnPlateau("val_loss", factor: 0.5f, patience: 2), stop],
            Progress = new Reporter(e => Console.WriteLine($"epoch {e.Epoch,2}: loss {e.Logs["loss"]:F4}, accuracy {e.Logs["accuracy"]:P2}, validation accuracy {e.Logs["val_accuracy"]:P2}, lr {e.Logs["lr"]:G3} ({clock.Elapsed.TotalSeconds:F0} s)")),
        });
        Console.WriteLine($"best epoch {stop.BestEpoch}; test accuracy {model.Evaluate(xTest, yTest)["accuracy"]:P2} after {clock.Elapsed.TotalSeconds:F0} s");
    }
}
