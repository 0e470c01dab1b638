// An ensemble forecaster (ForecastOptions.Ensemble, Forecaster.Join): its forecasts are the mean of the forecasts its
// members make on their own, each member trained as ForecastOptions.Member says; model files round-trip and are
// checked against the settings; members that differ in more than the seed are refused.
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class ForecastEnsembleTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-ensemble-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly string[] Names = ["y", "x"];

    /// <summary>A target with a trend and a wiggle, and an input column that leads it.</summary>
    static float[][] Data(int n) => [ForecasterTests.Wiggle(n), [.. Enumerable.Range(0, n).Select(t => (float)Math.Cos(0.5 * t))]];

    static ForecastOptions Small(int ensemble) => new() { Lookback = 5, Horizon = 3, Units = 3, Epochs = 3, BatchSize = 8, Seed = 11, Ensemble = ensemble };

    static int[] Bits(Forecaster f) => [.. f.Model.GetWeights().OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.ToArray()).Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Member_SeedsApartAndOneNetworkEach()
    {
        var options = Small(3);
        Assert.Equal([11, 11 + 7919, 11 + 2 * 7919], Enumerable.Range(0, 3).Select(m => options.Member(m).Seed));
        Assert.All(Enumerable.Range(0, 3), m => Assert.Equal(1, options.Member(m).Ensemble));
        Assert.Equal(options with { Ensemble = 1 }, options.Member(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Member(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Member(-1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Small(0).Validate());
        Assert.Contains("Ensemble", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Small(101).Validate());
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, 3)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Direct, 3)]
    [InlineData(SeriesTransform.None, ForecastStrategy.Recursive, 1)]
    public void Train_Ensemble_ForecastsTheMeanOfItsMembersForecasts(SeriesTransform transform, ForecastStrategy strategy, int horizon)
    {
        // The transforms and scalers are affine in the network's outputs, so the forecast of the averaged outputs is the
        // average of the members' forecasts (for the recursive strategy at its first step, before the feedback).
        var columns = strategy == ForecastStrategy.Recursive ? 1 : 2;
        var data = Data(60)[..columns];
        var names = Names[..columns];
        var options = Small(3) with { Transform = transform, Season = transform == SeriesTransform.SeasonalDifference ? 4 : 0, Strategy = strategy, Horizon = horizon };
        var ensemble = Forecaster.Train(data, names, 50, options);
        Assert.Equal(3, ensemble.Options.Ensemble);
        Assert.Equal(11, ensemble.Options.Seed);
        Assert.Equal(3, ensemble.Histories.Count);
        Assert.Equal(3, ensemble.BestEpochs.Count);
        Assert.All(ensemble.BestEpochs, e => Assert.InRange(e, 1, 3));

        int[] origins = [ensemble.HistoryNeeded, 33, 50, 60];
        var members = Enumerable.Range(0, 3).Select(m => Forecaster.Train(data, names, 50, options.Member(m)).Forecast(data, origins)).ToArray();
        Assert.NotEqual(members[0][1][0], members[1][1][0]);   // the members differ, so the mean is a test
        var forecasts = ensemble.Forecast(data, origins);
        for (var i = 0; i < origins.Length; i++)
        {
            for (var k = 0; k < horizon; k++)
            {
                var mean = members.Average(f => (double)f[i][k]);
                ForecasterTests.AssertClose(mean, forecasts[i][k], 1e-5, $"origin {origins[i]} step {k + 1}");
            }
        }
    }

    [Fact]
    public void Join_MembersTrainedApart_SameNetworkAsTrainingTheEnsemble()
    {
        var data = Data(50);
        var trained = Forecaster.Train(data, Names, 45, Small(2));
        var members = Enumerable.Range(0, 2).Select(m => Forecaster.Train(data, Names, 45, Small(2).Member(m))).ToArray();
        var joined = Forecaster.Join(members);
        Assert.Equal(["member_1", "member_2"], members.Select(f => f.Model.Name));
        Assert.Equal(Bits(trained), Bits(joined));
        Assert.Equal(trained.BestEpochs, joined.BestEpochs);
        Assert.Equal((2, 11, 3), (joined.Options.Ensemble, joined.Options.Seed, joined.Options.Units));
    }

    [Fact]
    public void SaveLoad_Ensemble_ForecastsTheSame()
    {
        var data = Data(50);
        var ensemble = Forecaster.Train(data, Names, 45, Small(2) with { Quantiles = [0.1f, 0.5f, 0.9f] });
        ensemble.TrainingData = new ForecastTrainingData { Season = 6, TestRows = 5 };
        var path = Path.Combine(_folder, "ensemble.safetensors");
        ensemble.Save(path);
        Assert.Equal(2, (int)JsonNode.Parse(Model.Load(path).Metadata["lstmsharp.forecast"])!["ensemble"]!);
        var loaded = Forecaster.Load(path);
        Assert.Equal(2, loaded.Options.Ensemble);
        Assert.Empty(loaded.BestEpochs);
        Assert.Equal(ensemble.TrainingData, loaded.TrainingData);
        int[] origins = [20, 45, 50];
        Assert.Equal(ensemble.ForecastQuantiles(data, origins).SelectMany(f => f.SelectMany(q => q)).Select(BitConverter.SingleToInt32Bits),
            loaded.ForecastQuantiles(data, origins).SelectMany(f => f.SelectMany(q => q)).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 2, "the settings name an ensemble of 2 networks, but the network is not one")]
    [InlineData(2, 3, "the settings name an ensemble of 3 networks, but the network is not one")]
    [InlineData(2, 1, "is not the one the settings build")]
    public void Load_EnsembleSizeThatDisagreesWithTheNetwork_InvalidData(int trained, int written, string expected)
    {
        var forecaster = Forecaster.Train(Data(40), Names, 40, Small(trained));
        var path = Path.Combine(_folder, "damaged.safetensors");
        forecaster.Save(path);
        var model = Model.Load(path);
        var settings = JsonNode.Parse(model.Metadata["lstmsharp.forecast"])!.AsObject();
        settings["ensemble"] = written;
        model.Metadata["lstmsharp.forecast"] = settings.ToJsonString();
        model.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileWithoutTheEnsembleSetting_OneNetwork()
    {
        var forecaster = Forecaster.Train(Data(40), Names, 40, Small(1));
        var path = Path.Combine(_folder, "older.safetensors");
        forecaster.Save(path);
        var model = Model.Load(path);
        var settings = JsonNode.Parse(model.Metadata["lstmsharp.forecast"])!.AsObject();
        Assert.True(settings.Remove("ensemble"));
        model.Metadata["lstmsharp.forecast"] = settings.ToJsonString();
        model.Save(path);
        Assert.Equal(1, Forecaster.Load(path).Options.Ensemble);
    }

    [Fact]
    public void Join_MembersThatDifferInMoreThanTheSeed_Refused()
    {
        var data = Data(40);
        var a = Forecaster.Train(data, Names, 40, Small(1));
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Join([a]));
        Assert.Contains("at least two members", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Forecaster.Join([a, a]));
        Assert.Contains("Members 1 and 2 are the same network", e.Message, StringComparison.Ordinal);
        Assert.NotEqual("member_1", a.Model.Name);   // refused before anything was renamed

        var wider = Forecaster.Train(data, Names, 40, Small(1) with { Units = 4, Seed = 12 });
        e = Assert.Throws<ArgumentException>(() => Forecaster.Join([a, wider]));
        Assert.Contains("Member 2 was trained with other columns, series, scalers or settings than member 1", e.Message, StringComparison.Ordinal);

        var otherRows = Forecaster.Train(data, Names, 38, Small(1) with { Seed = 12 });   // other training rows: other scalers
        Assert.Throws<ArgumentException>(() => Forecaster.Join([a, otherRows]));

        var pair = Forecaster.Train(data, Names, 40, Small(2));
        e = Assert.Throws<ArgumentException>(() => Forecaster.Join([a, pair]));
        Assert.Contains("Member 2 is itself an ensemble of 2 networks", e.Message, StringComparison.Ordinal);
    }
}
