// `lstm demo`: trains an LSTM forecaster on the bundled AirPassengers series and compares its one-step-ahead
// forecasts on the last 24 months with the naive and seasonal-naive baselines.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp.Cli.Commands;

internal static class DemoCommand
{
    const int Holdout = 24, Lookback = 12, Season = 12;

    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Seed for weights and shuffling.", DefaultValueFactory = _ => 42 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 150 };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the results table." };
        var command = new Command("demo", "Train an LSTM forecaster on AirPassengers (bundled) and compare it with naive baselines.")
        {
            seed, epochs, quiet,
        };
        command.SetAction(result => CliErrors.Run(() => Run(result.GetValue(seed), result.GetValue(epochs), result.GetValue(quiet))));
        return command;
    }

    static int Run(int seed, int epochs, bool quiet)
    {
        if (epochs < 1) throw new CliException($"--epochs must be at least 1; received {epochs}.");
        var path = Path.Combine(AppContext.BaseDirectory, "data", "AirPassengers.csv");
        var passengers = Csv.ReadColumn(path, "passengers");
        var n = passengers.Length;
        var trainEnd = n - Holdout;

        // Model the monthly change of log(passengers): d_t = log y_t − log y_{t−1}, scaled on the training part.
        var d = new float[n - 1];
        for (var t = 1; t < n; t++) d[t - 1] = MathF.Log(passengers[t]) - MathF.Log(passengers[t - 1]);
        var scaler = MinMaxScaler.Fit(d.AsSpan(0, trainEnd - 1));
        scaler.Transform(d);
        var (x, y) = Windows.Create(new Tensor(d, d.Length, 1), Lookback);
        // Sample i predicts d at index i + Lookback, i.e. month i + Lookback + 1.
        var firstTest = trainEnd - Lookback - 1;
        var (xTrain, yTrain) = (x.Slice(0, firstTest), y.Slice(0, firstTest));
        var xTest = x.Slice(firstTest, Holdout);

        var model = new Sequential(seed, new Input(Lookback, 1), new Lstm(32), new Dense(1));
        model.Compile(new Adam(0.005f), new MeanSquaredError());
        if (!quiet)
        {
            Console.WriteLine($"AirPassengers: {n} months; training on the first {trainEnd}, testing on the last {Holdout}.");
            Console.WriteLine($"Input: the last {Lookback} monthly changes of log(passengers); target: the next change. Seed {seed}, {epochs} epochs.");
            Console.WriteLine(model.Summary());
        }
        var clock = Stopwatch.StartNew();
        var progress = new SyncProgress<FitProgress>(e =>
        {
            if (!quiet && e.EpochEnd && (e.Epoch % 25 == 0 || e.Epoch == e.Epochs))
                Console.WriteLine($"epoch {e.Epoch,4}/{e.Epochs}  loss {e.Logs["loss"]:F5}  val_loss {e.Logs["val_loss"]:F5}");
        });
        model.Fit(xTrain, yTrain, new FitOptions { Epochs = epochs, BatchSize = 16, Seed = seed, ValidationSplit = 0.1f, Progress = progress });
        if (!quiet) Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

        // One-step-ahead forecasts for each test month, from the actual previous months.
        var predicted = model.Predict(xTest).ToArray();
        scaler.Inverse(predicted);
        var actual = passengers.AsSpan(trainEnd, Holdout);
        var lstm = new float[Holdout];
        var naive = new float[Holdout];
        var seasonal = new float[Holdout];
        for (var i = 0; i < Holdout; i++)
        {
            var t = trainEnd + i;
            lstm[i] = passengers[t - 1] * MathF.Exp(predicted[i]);
            naive[i] = passengers[t - 1];
            seasonal[i] = passengers[t - Season];
        }
        var training = passengers.AsSpan(0, trainEnd);
        Console.WriteLine();
        Console.WriteLine($"{"forecast (test, 24 months)",-28} {"MAE",8} {"RMSE",8} {"MAPE %",8} {"MASE",8}");
        foreach (var (name, forecast) in new[] { ("LSTM", lstm), ("naive (last month)", naive), ("seasonal naive (12 months)", seasonal) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28} {ForecastErrors.Mae(actual, forecast),8:F2} {ForecastErrors.Rmse(actual, forecast),8:F2} {ForecastErrors.Mape(actual, forecast),8:F2} {ForecastErrors.Mase(actual, forecast, training, Season),8:F3}"));
        }
        return 0;
    }
}
