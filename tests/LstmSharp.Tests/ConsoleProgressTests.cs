// ConsoleProgressTests: Keras's per-epoch line — its format against hand-written lines (Python's .4f / .4e rules),
// and during Fit one line per epoch, in order, written before Fit returns, with the History's values.
using System.Globalization;
using LstmSharp.Callbacks;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests;

public sealed class ConsoleProgressTests
{
    static FitProgress EpochEnd(int epoch, TimeSpan elapsed, params (string Key, float Value)[] logs) =>
        new(epoch, 20, 8, 8, 100, TimeSpan.Zero, logs.ToDictionary(l => l.Key, l => l.Value), EpochEnd: true, elapsed);

    [Fact]
    public void Format_EpochEnd_IsKerasLine()
    {
        var line = ConsoleProgress.Format(EpochEnd(3, TimeSpan.FromMilliseconds(1234),
            ("loss", 0.12344f), ("mae", 0.0005f), ("val_loss", 1.5f), ("val_mae", -0.001f), ("lr", 0.001f)));
        // Python: f"{0.0005:.4e}" = '5.0000e-04'; abs(-0.001) > 1e-3 is false, so '-1.0000e-03'.
        Assert.Equal("Epoch 3/20 - 1.2s - loss: 0.1234 - mae: 5.0000e-04 - val_loss: 1.5000 - val_mae: -1.0000e-03", line);
    }

    [Theory]
    [InlineData(350, "350ms")]
    [InlineData(59_940, "59.9s")]
    [InlineData(125_000, "2m 05s")]
    public void Format_Elapsed_IsMillisecondsSecondsOrMinutes(int milliseconds, string expected)
    {
        Assert.Equal($"Epoch 1/20 - {expected} - loss: nan", ConsoleProgress.Format(EpochEnd(1, TimeSpan.FromMilliseconds(milliseconds), ("loss", float.NaN))));
    }

    [Fact]
    public void Report_BatchReports_WriteNothing()
    {
        using var output = new StringWriter();
        new ConsoleProgress(output).Report(new FitProgress(1, 2, 3, 8, 100, TimeSpan.FromSeconds(1), new Dictionary<string, float> { ["loss"] = 1 }, EpochEnd: false));
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void Fit_WithConsoleProgress_WritesOneLinePerEpochInOrderBeforeReturning()
    {
        var rng = new Random(2);
        var x = new Tensor([.. Enumerable.Range(0, 64 * 5).Select(_ => (float)rng.NextDouble())], 64, 5, 1);
        var y = new Tensor([.. Enumerable.Range(0, 64).Select(s => x.Span[s * 5] + x.Span[s * 5 + 4])], 64, 1);
        var model = new Sequential(seed: 3, new Input(5, 1), new Lstm(6), new Dense(1));
        model.Compile(new Adam(0.01f), new MeanSquaredError(), new MeanAbsoluteErrorMetric());
        using var output = new StringWriter();
        // Patience 0 on a min delta no epoch can meet: early stopping ends the run after epoch 2 of 6.
        var stop = new EarlyStopping(patience: 0, minDelta: 1e9f);
        var history = model.Fit(x, y, new FitOptions { Epochs = 6, BatchSize = 16, ValidationSplit = 0.25f, Callbacks = [stop], Progress = new ConsoleProgress(output) });
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(history.Epochs, lines.Length);
        Assert.Equal(2, lines.Length);
        for (var e = 0; e < lines.Length; e++)
        {
            string F(string key) => history[key][e].ToString("F4", CultureInfo.InvariantCulture);
            Assert.StartsWith($"Epoch {e + 1}/6 - ", lines[e], StringComparison.Ordinal);
            Assert.EndsWith($" - loss: {F("loss")} - mae: {F("mae")} - val_loss: {F("val_loss")} - val_mae: {F("val_mae")}", lines[e], StringComparison.Ordinal);
        }
    }
}
