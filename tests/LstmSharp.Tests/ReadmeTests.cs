// The README's library example runs here, and its text must stay equal to this copy.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
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
    public void QuickStart_ReadmeTextMatchesThisTest()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LstmSharp.slnx"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("repository root");
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var source = File.ReadAllLines(Path.Combine(root, "tests", "LstmSharp.Tests", "ReadmeTests.cs"));
        var begin = Array.FindIndex(source, l => l.Contains("README quick start begin", StringComparison.Ordinal));
        var end = Array.FindIndex(source, l => l.Contains("README quick start end", StringComparison.Ordinal));
        foreach (var line in source[(begin + 1)..end])
            Assert.Contains(line.Trim(), readme, StringComparison.Ordinal);
    }
}
