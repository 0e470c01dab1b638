// Tuner: picks the clearly best candidate of a small problem, records failing candidates and goes on, is
// deterministic for a seed, keeps to its budget, reports progress, and writes its table.
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tuning;
using Xunit;

namespace LstmSharp.Tests.Tuning;

public sealed class TunerTests
{
    /// <summary>Sequences of 6 values in [−1, 1]; the target is their sum / 3.</summary>
    static (Tensor X, Tensor Y) SumTask(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = Tensor.Zeros(samples, 6, 1);
        var y = Tensor.Zeros(samples, 1);
        for (var s = 0; s < samples; s++)
        {
            float sum = 0;
            for (var t = 0; t < 6; t++) sum += x.Span[s * 6 + t] = (float)(rng.NextDouble() * 2 - 1);
            y.Span[s] = sum / 3;
        }
        return (x, y);
    }

    /// <summary>An LSTM of <c>units</c> under a Dense head, trained by Adam (or SGD) at <c>lr</c>.</summary>
    static Sequential Build(HyperParameters h)
    {
        var model = new Sequential(seed: 1, new Input(6, 1), new Lstm(h.GetInt("units")), new Dense(1));
        var lr = h.GetFloat("lr");
        model.Compile(h.Contains("optimizer") && h.Get<string>("optimizer") == "sgd" ? new Sgd(lr) : new Adam(lr), new MeanSquaredError());
        return model;
    }

    static FitOptions Fit(HyperParameters h) => new() { Epochs = 15, BatchSize = 16, Seed = 2 };

    [Fact]
    public void Search_PicksTheClearlyBestCandidateAndRetrains()
    {
        var (x, y) = SumTask(96, 1);
        var space = new SearchSpace(new Choice<int>("units", 1, 8), new Choice<double>("lr", 1e-5, 0.01));
        var tuner = new Tuner(space, new SearchOptions { EarlyStoppingPatience = 3 });
        var result = tuner.Search(x, y, new KFold(3, shuffle: true, seed: 4).Split(96), Build, Fit);

        Assert.Equal(4, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Ok, t.Status));
        Assert.Equal(8, result.Best.HyperParameters.GetInt("units"));
        Assert.Equal(0.01, result.Best.HyperParameters.GetDouble("lr"));
        // The tiny learning rate barely moves the weights: both such candidates rank last.
        Assert.All(result.Trials.Skip(2), t => Assert.Equal(1e-5, t.HyperParameters.GetDouble("lr")));
        Assert.True(result.Best.Mean < result.Trials[^1].Mean / 3, result.ToTable());
        Assert.Equal(3, result.Best.FoldScores.Count);
        Assert.All(result.Best.FoldEpochs, e => Assert.InRange(e, 1, 15));
        Assert.Equal(result.Best.FoldScores.Average(), result.Best.Mean, 12);
        Assert.True(result.Best.Std > 0);
        Assert.Equal(0, result.Skipped);

        var model = Tuner.RetrainBest(result, x, y, Build, Fit);
        var (xTest, yTest) = SumTask(64, 2);
        Assert.True(model.Evaluate(xTest, yTest)["loss"] < result.Trials[^1].Mean, "the retrained best model beats the worst candidate");
    }

    [Fact]
    public void Search_FailingCandidatesAreRecordedAndTheSearchGoesOn()
    {
        var (x, y) = SumTask(48, 3);
        // units = 0 makes the build throw; SGD at lr = 1e6 diverges to a NaN loss.
        var space = new SearchSpace(new Choice<int>("units", 0, 4), new Choice<double>("lr", 1e6, 0.01), new Choice<string>("optimizer", "sgd"));
        var reports = new List<SearchProgress>();
        var tuner = new Tuner(space, new SearchOptions { Progress = new Collect<SearchProgress>(reports) });
        var result = tuner.Search(x, y, new KFold(2).Split(48), Build, Fit);

        Assert.Equal(4, result.Trials.Count);
        Assert.Equal("units=4, lr=0.01, optimizer=sgd", result.Best.HyperParameters.ToString());
        Assert.Equal(TrialStatus.Ok, result.Trials[0].Status);
        var failed = result.Trials.Skip(1).ToArray();
        Assert.All(failed, t => Assert.Equal(TrialStatus.Failed, t.Status));
        Assert.Equal([1, 2, 3], failed.Select(t => t.Number));
        Assert.All(failed.Take(2), t => Assert.Contains("ArgumentOutOfRangeException", t.Error, StringComparison.Ordinal));
        Assert.Contains("training diverged: the loss became", failed[2].Error, StringComparison.Ordinal);
        Assert.All(failed, t => Assert.True(double.IsNaN(t.Mean)));
        // A failed trial reports its failing fold and its end; an ok trial each fold and its end.
        Assert.Equal(2 + 2 + 2 + 3, reports.Count);
        Assert.All(reports.Where(r => r.Completed is not null), r => Assert.Equal(r.Trial, r.Completed!.Number));
        Assert.Contains("failed: Fold 1: ArgumentOutOfRangeException", result.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_AllFailed_BestSaysWhy()
    {
        var result = new Tuner(new SearchSpace(new Choice<int>("units", 1, 2))).Search(new KFold(2).Split(4), (_, _, _) => double.NaN);
        Assert.Equal(2, result.Trials.Count);
        Assert.Contains("Fold 1 scored NaN", result.Trials[0].Error, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidOperationException>(() => result.Best);
        Assert.Contains("All 2 trials failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_SameSeed_BitIdenticalResults()
    {
        var (x, y) = SumTask(40, 5);
        var space = new SearchSpace(new IntRange("units", 2, 8), new FloatRange("lr", 1e-3, 1e-1, log: true));
        SearchResult Run(int seed) => new Tuner(space, new SearchOptions { Strategy = SearchStrategy.Random, MaxTrials = 3, Seed = seed })
            .Search(x, y, new KFold(2, shuffle: true, seed: 1).Split(40), Build, h => new FitOptions { Epochs = 4, BatchSize = 8 });
        var a = Run(11);
        var b = Run(11);
        var c = Run(12);
        Assert.Equal(a.Trials.Select(t => t.HyperParameters), b.Trials.Select(t => t.HyperParameters));
        Assert.Equal(a.Trials.Select(t => t.Number), b.Trials.Select(t => t.Number));
        Assert.Equal(a.Trials.SelectMany(t => t.FoldScores), b.Trials.SelectMany(t => t.FoldScores));
        Assert.Equal(a.Trials.Select(t => t.Mean), b.Trials.Select(t => t.Mean));
        Assert.Equal(a.Trials.SelectMany(t => t.FoldEpochs), b.Trials.SelectMany(t => t.FoldEpochs));
        Assert.NotEqual(a.Trials.Select(t => t.HyperParameters).OrderBy(h => h.ToString()), c.Trials.Select(t => t.HyperParameters).OrderBy(h => h.ToString()));
    }

    [Fact]
    public void Search_MaxTrials_StopsAndCountsTheSkipped()
    {
        var space = new SearchSpace(new IntRange("a", 1, 6));
        var calls = 0;
        var result = new Tuner(space, new SearchOptions { MaxTrials = 2 }).Search(new KFold(3).Split(9), (h, _, _) => ++calls);
        Assert.Equal(2, result.Trials.Count);
        Assert.Equal(6, calls);
        Assert.Equal(4, result.Skipped);
        Assert.Equal([1, 2], result.Trials.Select(t => t.HyperParameters.GetInt("a")).Order());
        Assert.Contains("4 candidate(s) skipped", result.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Search_MaxDuration_StartsNoTrialAfterIt()
    {
        var space = new SearchSpace(new IntRange("a", 1, 5));
        var options = new SearchOptions { MaxDuration = TimeSpan.FromMilliseconds(50) };
        var result = new Tuner(space, options).Search(new KFold(2).Split(4), (h, _, _) =>
        {
            Thread.Sleep(40);
            return h.GetInt("a");
        });
        Assert.Single(result.Trials);
        Assert.Equal(4, result.Skipped);
        Assert.Equal(2, result.Best.FoldScores.Count);
    }

    [Fact]
    public void Search_ModeAndMetric_SortBestFirst()
    {
        var space = new SearchSpace(new Choice<double>("a", 0.5, 0.9, 0.7));
        static FoldScore Score(HyperParameters h, Fold fold, FoldContext context) => h.GetDouble("a") + context.Fold * 0.01;
        var folds = new KFold(2).Split(4);
        var accuracy = new Tuner(space, new SearchOptions { Metric = "val_accuracy" }).Search(folds, Score);
        Assert.True(accuracy.HigherIsBetter);
        Assert.Equal([0.9, 0.7, 0.5], accuracy.Trials.Select(t => t.HyperParameters.GetDouble("a")));
        Assert.Equal(0.915, accuracy.Best.Mean, 12);
        Assert.Equal(Math.Sqrt(0.00005), accuracy.Best.Std, 12);
        var loss = new Tuner(space).Search(folds, Score);
        Assert.Equal([0.5, 0.7, 0.9], loss.Trials.Select(t => t.HyperParameters.GetDouble("a")));
        var forced = new Tuner(space, new SearchOptions { Metric = "val_accuracy", Mode = MonitorMode.Min }).Search(folds, Score);
        Assert.Equal(0.5, forced.Best.HyperParameters.GetDouble("a"));
    }

    [Fact]
    public void Search_FoldsPerCandidate_LookBackChangesTheSamples()
    {
        // A look-back changes the number of windows, so each candidate splits its own windows; the objective here
        // scores a "last value" forecast of each validation window so that the test stays fast.
        var series = new Tensor(Enumerable.Range(0, 60).Select(t => MathF.Sin(t * 0.5f)).ToArray(), 60, 1);
        var splitter = new TimeSeriesSplit(3, testSize: 8);
        var space = new SearchSpace(new Choice<int>("lookback", 4, 12, 70));
        var result = new Tuner(space).Search(
            h => splitter.Split(Windows.Create(series, h.GetInt("lookback")).X.Dim(0)),
            (h, fold, _) =>
            {
                var (x, y) = Windows.Create(series, h.GetInt("lookback"));
                var xv = Samples.Gather(x, fold.Validation);
                var yv = Samples.Gather(y, fold.Validation);
                var lookback = h.GetInt("lookback");
                return Enumerable.Range(0, fold.Validation.Length).Average(i => Math.Abs(xv[i, lookback - 1, 0] - yv[i, 0]));
            });
        Assert.Equal(3, result.Trials.Count);
        // The validation targets are the same time steps whatever the look-back, so the naive scores agree.
        Assert.Equal(result.Trials[0].Mean, result.Trials[1].Mean, 6);
        var tooLong = result.Trials[^1];
        Assert.Equal(TrialStatus.Failed, tooLong.Status);
        Assert.Equal(70, tooLong.HyperParameters.GetInt("lookback"));
        Assert.Contains("too short for lookback 70", tooLong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_BadArguments_AreRefusedUpFront()
    {
        var (x, y) = SumTask(10, 1);
        var space = new SearchSpace(new Choice<int>("units", 2), new Choice<double>("lr", 0.01));
        var e = Assert.Throws<ArgumentException>(() => new Tuner(space, new() { Metric = "loss" }).Search(x, y, new KFold(2).Split(10), Build, Fit));
        Assert.Contains("val_loss or val_accuracy; received 'loss'", e.Message, StringComparison.Ordinal);
        var outside = Assert.Throws<ArgumentException>(() => new Tuner(space).Search(x, y, new KFold(2).Split(12), Build, Fit));
        Assert.Contains("Fold 1 holds sample 10, but the data has samples 0 … 9", outside.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tuner(space, new() { MaxTrials = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tuner(space, new() { EarlyStoppingPatience = 0 }));
        // A misused FitOptions fails every candidate with the reason.
        var result = new Tuner(space).Search(x, y, new KFold(2).Split(10), Build, h => new FitOptions { ValidationSplit = 0.2f });
        Assert.Contains("leave FitOptions.ValidationData, ValidationSplit and ResumeFrom unset", result.Trials[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteCsv_OneRowPerTrialWithQuotedErrors()
    {
        var space = new SearchSpace(new Choice<int>("units", 1, 2, 3), new FloatRange("lr", 0.001, 0.1, log: true, steps: 2));
        var result = new Tuner(space).Search(new KFold(2).Split(4), (h, fold, _) =>
            h.GetInt("units") == 2 ? throw new ArgumentException("bad, very bad") : h.GetInt("units") + h.GetDouble("lr") + fold.Validation[0]);
        var writer = new StringWriter();
        result.WriteCsv(writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rank,trial,units,lr,mean_val_loss,std_val_loss,epochs,fold1,fold2,seconds,status", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("1,1,1,0.001,2.001,1.4142135623730951,,1.001,3.001,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",ok", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("\"failed: Fold 1: ArgumentException: bad, very bad\"", lines[5], StringComparison.Ordinal);
        var table = result.ToTable();
        Assert.Contains("mean_val_loss", table, StringComparison.Ordinal);
        Assert.StartsWith("rank  trial  units  lr     mean_val_loss", table, StringComparison.Ordinal);
        Assert.Equal(7, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    sealed class Collect<T>(List<T> items) : IProgress<T>
    {
        public void Report(T value) => items.Add(value);
    }
}
