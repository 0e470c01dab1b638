// PlotsTests: the plot models before they are drawn — axis labels, limits, series and the kept-epoch marker of the loss
// curve (per-batch points placed inside their epochs), dates read from a time column and put on the forecast plot's x
// axis — and the atomic save leaving a PNG and no temporary.
using LstmSharp.Cli;
using LstmSharp.Cli.Commands;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using ScottPlot;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class PlotsTests
{
    static TrainingOutcome TwoEpochs(TrainingWatch watch, int best)
    {
        var outcome = new TrainingOutcome(watch) { Monitor = "val_loss", BestEpoch = best };
        outcome.Epochs.Add(new EpochRecord(1, new Dictionary<string, float> { ["loss"] = 1.0f, ["val_loss"] = 0.5f, ["lr"] = 0.01f }, 1, 1, true));
        outcome.Epochs.Add(new EpochRecord(2, new Dictionary<string, float> { ["loss"] = 0.8f, ["val_loss"] = 0.6f, ["lr"] = 0.01f }, 1, 2, false));
        return outcome;
    }

    static string[] Names(Plot plot) => [.. plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(s => s.LegendText)];

    [Fact]
    public void Loss_AShortRun_TickPerEpochHalfAnEpochEitherSideTheLossNamedAndTheKeptEpochMarked()
    {
        var plot = Plots.Loss(TwoEpochs(new TrainingWatch("classify", 10) { KeepsBest = true, LossAxis = "loss: cross-entropy (nats per text)" }, best: 1));
        Assert.Equal("epoch", plot.Axes.Bottom.Label.Text);
        Assert.Equal("loss: cross-entropy (nats per text)", plot.Axes.Left.Label.Text);
        Assert.Equal("classify: loss per epoch", plot.Axes.Title.Label.Text);
        var limits = plot.Axes.GetLimits();
        Assert.Equal(0.5, limits.Left, 9);
        Assert.Equal(2.5, limits.Right, 9);
        // The values span 0.5 … 1.0; the y axis keeps 8 % of that either side, not a range around zero.
        Assert.Equal(0.5 - 0.04, limits.Bottom, 6);
        Assert.Equal(1.0 + 0.04, limits.Top, 6);
        Assert.IsType<ScottPlot.TickGenerators.NumericManual>(plot.Axes.Bottom.TickGenerator);
        Assert.Equal(["training (epoch mean)", "validation"], Names(plot));
        var kept = Assert.Single(plot.GetPlottables<ScottPlot.Plottables.VerticalLine>());
        Assert.Equal(1, kept.X);
        Assert.Equal("kept: epoch 1", kept.LegendText);
    }

    [Fact]
    public void Loss_WithoutKeepingTheBest_MarksTheLastEpoch()
    {
        var plot = Plots.Loss(TwoEpochs(new TrainingWatch("forecast", 2), best: 1));
        Assert.Equal(2, Assert.Single(plot.GetPlottables<ScottPlot.Plottables.VerticalLine>()).X);
    }

    [Fact]
    public void Loss_PerBatch_EachBatchInsideItsEpochInTheWatchsUnits()
    {
        var outcome = TwoEpochs(new TrainingWatch("text", 2) { KeepsBest = true, LossScale = 2 }, best: 1);
        outcome.Batches = [(1, 2.0f), (1, 1.0f), (2, 0.9f), (2, 0.7f)];
        var plot = Plots.Loss(outcome);
        Assert.Equal(["training, each batch", "training (epoch mean)", "validation"], Names(plot));
        var batches = plot.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints();
        Assert.Equal([0.5, 1.0, 1.5, 2.0], batches.Select(p => p.X));
        Assert.Equal([4.0, 2.0, 1.8, 1.4], batches.Select(p => Math.Round(p.Y, 6)));
        var means = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ElementAt(1).Data.GetScatterPoints();
        Assert.Equal([2.0, 1.6], means.Select(p => Math.Round(p.Y, 6)));
        Assert.Equal(0, plot.Axes.GetLimits().Left, 9);   // room for the first epoch's batches
    }

    [Fact]
    public void Dates_DatesThatRise_AreRead_RepeatedYearsOrTextAreNot()
    {
        Assert.Equal([new DateTime(1958, 3, 1), new DateTime(1958, 4, 1)], Plots.Dates(["1958-03-01", "1958-04-01"])!);
        Assert.Equal([new DateTime(1958, 3, 29), new DateTime(1958, 4, 5)], Plots.Dates(["19580329", "19580405"])!);
        Assert.Equal([new DateTime(1949, 1, 1), new DateTime(1949, 2, 1)], Plots.Dates(["1949-01", "1949-02"])!);
        Assert.Null(Plots.Dates(["1949", "1949", "1950"]));   // AirPassengers' year column, one row a month
        Assert.Null(Plots.Dates(["a", "b"]));
    }

    [Fact]
    public void ForecastPlot_ADateColumn_DatesOnTheXAxisNamedByTheColumn()
    {
        var rows = 80;
        var values = Enumerable.Range(0, rows).Select(i => 10 + MathF.Sin(i * 0.5f) + 0.05f * i).ToArray();
        var times = Enumerable.Range(0, rows).Select(i => new DateTime(2000, 1, 1).AddMonths(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var series = TimeSeries.Create(["level"], [values], MissingPolicy.Error, "Date", times);
        var testStart = rows - 12;
        var forecaster = Forecaster.Train(series.Columns, series.Names, testStart, new ForecastOptions { Lookback = 6, Units = 4, Epochs = 1 });
        var evaluation = ForecastEvaluation.Run(forecaster, series.Columns, testStart, 12);
        var plot = ForecastCommand.ForecastPlot(series, evaluation, testStart, 1);
        Assert.Equal("Date", plot.Axes.Bottom.Label.Text);
        Assert.Equal("level", plot.Axes.Left.Label.Text);
        Assert.IsType<ScottPlot.TickGenerators.DateTimeAutomatic>(plot.Axes.Bottom.TickGenerator);
        var actual = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ElementAt(1).Data.GetScatterPoints();
        Assert.Equal(new DateTime(2000, 1, 1).AddMonths(testStart).ToOADate(), actual[0].X);
        Assert.Equal(new DateTime(2000, 1, 1).AddMonths(rows - 1).ToOADate(), actual[^1].X);
    }

    [Fact]
    public void ForecastPlot_TimeLabelsThatAreNotDates_RowsNamedWithTheWindowsFirstAndLastLabels()
    {
        var rows = 48;
        var values = Enumerable.Range(0, rows).Select(i => 100 + 10 * MathF.Sin(i * 0.5f)).ToArray();
        var years = Enumerable.Range(0, rows).Select(i => (1949 + i / 12).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var series = TimeSeries.Create(["passengers"], [values], MissingPolicy.Error, "year", years);
        var testStart = rows - 6;
        var forecaster = Forecaster.Train(series.Columns, series.Names, testStart, new ForecastOptions { Lookback = 4, Units = 4, Epochs = 1 });
        var plot = ForecastCommand.ForecastPlot(series, ForecastEvaluation.Run(forecaster, series.Columns, testStart, 12), testStart, 1);
        // The window starts 3 test lengths before the test part: row 24, in 1951 (not the first row's 1949).
        Assert.Equal("row (year 1951 … 1952)", plot.Axes.Bottom.Label.Text);
        Assert.Equal(25, plot.GetPlottables<ScottPlot.Plottables.Scatter>().First().Data.GetScatterPoints()[0].X);
    }

    [Fact]
    public void ForecastPlot_HorizonAboveOne_EveryPathTheSeasonalNaiveAndTheKeptEpoch()
    {
        const int Rows = 60, Test = 10, Horizon = 3, Season = 12;
        var values = Enumerable.Range(0, Rows).Select(i => 50 + 10 * MathF.Sin(i * MathF.PI / 6) + 0.2f * i).ToArray();
        var series = TimeSeries.Create(["level"], [values]);
        var testStart = Rows - Test;
        var forecaster = Forecaster.Train(series.Columns, series.Names, testStart, new ForecastOptions { Lookback = 6, Horizon = Horizon, Units = 4, Epochs = 1 });
        var evaluation = ForecastEvaluation.Run(forecaster, series.Columns, testStart, Season);
        var plot = ForecastCommand.ForecastPlot(series, evaluation, testStart, Horizon, keptEpochs: [7]);
        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(["training (tail)", "actual (test)", "seasonal naive (the value 12 rows before)", "LSTM (3 steps from each of 8 origins, epoch 7 kept)"], lines.Select(l => l.LegendText));

        // The seasonal-naive line: row r (x = r + 1) at the value of row r − 12.
        var naive = lines[2].Data.GetScatterPoints();
        Assert.Equal(Test, naive.Count);
        for (var i = 0; i < Test; i++) Assert.Equal((testStart + i + 1, (double)values[testStart + i - Season]), (naive[i].X, naive[i].Y));

        // Every origin's path (8 = 10 − 3 + 1 origins, not one every third), 3 steps each and a break between them.
        var paths = lines[3].Data.GetScatterPoints();
        Assert.Equal(8 * (Horizon + 1), paths.Count);
        for (var i = 0; i < 8; i++)
        {
            for (var k = 0; k < Horizon; k++)
                Assert.Equal((testStart + i + k + 1, (double)evaluation.Forecasts[i][k]), (paths[i * (Horizon + 1) + k].X, paths[i * (Horizon + 1) + k].Y));
            Assert.True(double.IsNaN(paths[i * (Horizon + 1) + Horizon].X));
        }
        Assert.Equal(1, lines[3].LineWidth);
    }

    [Fact]
    public void Save_WritesAPngAndLeavesNoTemporary()
    {
        using var cli = new CliRunner();
        var path = cli.File("loss.png");
        File.WriteAllText(path, "old");
        Plots.Save(Plots.Loss(TwoEpochs(new TrainingWatch("t", 2), best: 1)), path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
        Assert.Equal(["loss.png"], Directory.GetFiles(cli.Folder).Select(Path.GetFileName));
    }
}
