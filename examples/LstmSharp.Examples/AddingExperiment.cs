// The adding problem (Hochreiter & Schmidhuber 1997, experiment 4): an LSTM solves it, a simple RNN of the
// same size with the same budget does not.
using System.Diagnostics;
using LstmSharp;
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;

namespace LstmSharp.Examples;

internal static class AddingExperiment
{
    public const int Units = 32, TrainSamples = 20_000, TestSamples = 2_000;

    public static Sequential Build(string cell, int length, int seed) => new(seed, new Input(length, 2),
        cell switch
        {
            "rnn" => new SimpleRnn(Units),
            "lstm-chrono" => new Lstm(Units, new() { ChronoMaxSteps = length }),
            _ => new Lstm(Units),
        },
        new Dense(1));

    public static void Run(string cell, int seed, int length, int epochs, int batchSize, float learningRate)
    {
        var (x, y) = AddingProblem.Generate(TrainSamples, length, seed);
        var (xTest, yTest) = AddingProblem.Generate(TestSamples, length, seed + 1000);
        var model = Build(cell, length, seed);
        model.Compile(new Adam(learningRate) { GlobalClipNorm = 1f }, new MeanSquaredError());
        Console.WriteLine($"adding problem, length {length}: {cell} with {Units} units, {TrainSamples} training sequences, {epochs} epochs of batches of {batchSize}, Adam {learningRate}, clip norm 1, seed {seed}");
        var clock = Stopwatch.StartNew();
        model.Fit(x, y, new FitOptions
        {
            Epochs = epochs, BatchSize = batchSize, Seed = seed,
            Progress = new Reporter(e => Console.WriteLine($"epoch {e.Epoch,2}: loss {e.Logs["loss"]:F5}, solved {100 * AddingProblem.SolvedFraction(model.Predict(xTest, 256), yTest):F1}% of the test set ({clock.Elapsed.TotalSeconds:F0} s)")),
        });
        var solved = AddingProblem.SolvedFraction(model.Predict(xTest, 256), yTest);
        Console.WriteLine($"{cell}: solved {100 * solved:F2}% of {TestSamples} fresh sequences (|error| < {AddingProblem.Tolerance}) after {clock.Elapsed.TotalSeconds:F0} s");
    }
}

/// <summary>Prints at the end of each epoch, on the training thread.</summary>
internal sealed class Reporter(Action<FitProgress> onEpoch) : IProgress<FitProgress>
{
    public void Report(FitProgress value)
    {
        if (value.EpochEnd) onEpoch(value);
    }
}
