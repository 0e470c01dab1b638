// The README's library examples run here, and their text must stay equal to these copies.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tuning;
using Xunit;

namespace LstmSharp.Tests;

public sealed class ReadmeTests
{
    [Fact]
    public void QuickStart_Runs()
    {
        var x = Tensor.Zeros(40, 12, 1);
        var y = Tensor.Zeros(40, 1);
        var xNew = Tensor.Zeros(3, 12, 1);
        for (var i = 0; i < x.Length; i++) x.Span[i] = MathF.Sin(i * 0.3f);
        for (var s = 0; s < 40; s++) y.Span[s] = MathF.Sin((s * 12 + 12) * 0.3f);
        // README quick start begin
        var model = new Sequential(seed: 1, new Input(12, 1),
            new Lstm(32, new() { ReturnSequences = true, Peepholes = true }),
            new Gru(16),
            new Dense(1));
        model.Compile(new Adam(0.005f), new MeanSquaredError());
        Console.WriteLine(model.Summary());
        var history = model.Fit(x, y, new FitOptions { Epochs = 100, BatchSize = 16, ValidationSplit = 0.1f });
        Tensor forecast = model.Predict(xNew);
        // README quick start end
        Assert.Equal(100, history.Loss.Count);
        Assert.True(forecast.HasShape(3, 1));
    }

    [Fact]
    public void QuickStart_ReadmeTextMatchesThisTest() => AssertReadmeHasLines("README quick start");

    [Fact]
    public void Tuning_Runs()
    {
        var x = Tensor.Zeros(48, 12, 1);
        var y = Tensor.Zeros(48, 1);
        for (var i = 0; i < x.Length; i++) x.Span[i] = MathF.Sin(i * 0.3f);
        for (var s = 0; s < 48; s++) y.Span[s] = MathF.Sin((s * 12 + 12) * 0.3f);
        // README tuning begin
        var space = new SearchSpace(
            new Choice<int>("units", 4, 16),
            new FloatRange("lr", 1e-3, 1e-1, log: true, steps: 3));
        Sequential Build(HyperParameters h)
        {
            var model = new Sequential(seed: 1, new Input(12, 1), new Lstm(h.GetInt("units")), new Dense(1));
            model.Compile(new Adam(h.GetFloat("lr")), new MeanSquaredError());
            return model;
        }
        FitOptions Fit(HyperParameters h) => new() { Epochs = 20, BatchSize = 16 };
        var tuner = new Tuner(space, new SearchOptions { Metric = "val_loss", EarlyStoppingPatience = 5 });
        var folds = new KFold(3, shuffle: true, seed: 1).Split(x.Dim(0));
        SearchResult result = tuner.Search(x, y, folds, Build, Fit);
        Console.WriteLine(result.ToTable());
        Console.WriteLine($"best: {result.Best.HyperParameters}");
        Sequential best = Tuner.RetrainBest(result, x, y, Build, Fit);
        // README tuning end
        Assert.Equal(6, result.Trials.Count);
        Assert.Equal(TrialStatus.Ok, result.Best.Status);
        Assert.True(best.Evaluate(x, y)["loss"] < 0.5f);
    }

    [Fact]
    public void Tuning_ReadmeTextMatchesThisTest() => AssertReadmeHasLines("README tuning");

    /// <summary>Every line between the markers "{name} begin" and "{name} end" in this file appears in the README.</summary>
    static void AssertReadmeHasLines(string name)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LstmSharp.slnx"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("repository root");
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var source = File.ReadAllLines(Path.Combine(root, "tests", "LstmSharp.Tests", "ReadmeTests.cs"));
        var begin = Array.FindIndex(source, l => l.EndsWith(name + " begin", StringComparison.Ordinal));
        var end = Array.FindIndex(source, l => l.EndsWith(name + " end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, $"markers '{name} begin/end' not found");
        foreach (var line in source[(begin + 1)..end])
            Assert.Contains(line.Trim(), readme, StringComparison.Ordinal);
    }
}
