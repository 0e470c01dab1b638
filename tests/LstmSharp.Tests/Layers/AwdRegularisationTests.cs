// The three AWD-LSTM regularisers together (embedding dropout, SpatialDropout1D, weight dropout) in a Sequential and
// a functional Model: they train, Save/Load keeps every option and predictions bit-identical, a resumed checkpoint
// continues their masks exactly, and files written before the options existed load with them off.
using LstmSharp.Callbacks;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class AwdRegularisationTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-awd-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    static (Tensor X, Tensor Y) Data()
    {
        var rng = new Random(5);
        const int samples = 16, steps = 6, vocabulary = 12;
        var x = new Tensor([.. Enumerable.Range(0, samples * steps).Select(_ => (float)rng.Next(1, vocabulary))], samples, steps);
        var y = Tensor.Zeros(samples, 2);
        for (var s = 0; s < samples; s++) y[s, x[s, 0] < vocabulary / 2 ? 0 : 1] = 1f;
        return (x, y);
    }

    [Fact]
    public void AwdOptions_SequentialAndFunctionalModels_TrainAndRoundTripThroughModelFiles()
    {
        var (x, y) = Data();
        var sequential = new Sequential(3, new Input(-1), new Embedding(12, 6, dropout: 0.1f),
            new SpatialDropout1D(0.4f, seed: 1), new Lstm(5, new() { ReturnSequences = true, WeightDropout = 0.5f }),
            new SpatialDropout1D(0.25f, seed: 2), new Bidirectional(new Gru(4, new() { WeightDropout = 0.3f })),
            new Dense(2, Activation.Softmax));
        var input = new Input(-1);
        var e = new SpatialDropout1D(0.4f, seed: 1).Call(new Embedding(12, 6, dropout: 0.1f).Call(input));
        var h = new SimpleRnn(5, new() { WeightDropout = 0.2f }).Call(e);
        var functional = new Model([input], [new Dense(2, Activation.Softmax).Call(h)], seed: 4);

        foreach (var model in new Model[] { sequential, functional })
        {
            model.Compile(new Adam(0.02f), new CategoricalCrossentropy());
            var history = model.Fit(x, y, new FitOptions { Epochs = 4, BatchSize = 8 });
            Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));

            var path = Path.Combine(_folder, model.Name + ".safetensors");
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(Bits(model.Predict(x)), Bits(loaded.Predict(x)));
            Assert.Equal(Options(model), Options(loaded));
        }
        Assert.Equal(["embedding 0.1", "spatial_dropout1d 0.4", "lstm 0.5", "spatial_dropout1d_1 0.25", "gru 0.3"], Options(sequential));
    }

    [Theory]
    [InlineData("\\u0022weight_dropout\\u0022:0.5", "\\u0022weight_dropout\\u0022:1.5", "WeightDropout must be in [0, 1); received 1.5")]
    [InlineData("\\u0022dropout\\u0022:0.3", "\\u0022dropout\\u0022:2.3", "'dropout' must be in [0, 1); received 2.3")]
    [InlineData("\\u0022rate\\u0022:0.4", "\\u0022rate\\u0022:1.4", "'rate' must be in [0, 1); received 1.4")]
    public void AwdOptions_OutOfRangeInAModelFile_AreRefusedWithTheOptionsName(string stored, string damaged, string message)
    {
        var model = new Sequential(1, new Input(-1), new Embedding(12, 4, dropout: 0.3f), new SpatialDropout1D(0.4f),
            new Lstm(3, new() { WeightDropout = 0.5f }), new Dense(2));
        var path = Path.Combine(_folder, "damaged.safetensors");
        model.Save(path);
        var header = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        Assert.Contains(stored, header, StringComparison.Ordinal);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(header.Replace(stored, damaged, StringComparison.Ordinal)));
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwdOptions_ResumedCheckpoint_EqualsTheUninterruptedRun()
    {
        // The checkpoint must carry the Embedding's and the recurrent layers' mask generators.
        var (x, y) = Data();
        static Sequential Fresh()
        {
            var m = new Sequential(9, new Input(-1), new Embedding(12, 5, dropout: 0.2f), new SpatialDropout1D(0.3f, seed: 5),
                new Lstm(4, new() { WeightDropout = 0.5f }), new Dense(2, Activation.Softmax));
            m.Compile(new Adam(0.02f), new CategoricalCrossentropy());
            return m;
        }
        var options = new FitOptions { Epochs = 4, BatchSize = 4, Seed = 2 };
        var straight = Fresh();
        var straightHistory = straight.Fit(x, y, options);
        var path = Path.Combine(_folder, "checkpoint.safetensors");
        Fresh().Fit(x, y, options with { Callbacks = [new ModelCheckpoint("loss", saveBestOnly: false, path: path), new IO.ResumeTests.StopAfter(2)] });
        var resumed = Fresh();
        var resumedHistory = resumed.Fit(x, y, options with { ResumeFrom = path });
        Assert.Equal(straightHistory.Loss.Skip(2), resumedHistory.Loss);
        foreach (var (name, value) in straight.GetWeights())
            Assert.Equal(Bits(value), Bits(resumed.GetWeights()[name]));
    }

    /// <summary>Each regularising layer's name and rate (a Bidirectional's inner layer under its own name).</summary>
    static string[] Options(Model model) => [.. model.AllLayers().SelectMany(l => l switch
    {
        Embedding e => [$"{e.Name} {e.Dropout}"],
        SpatialDropout1D d => [$"{d.Name} {d.Rate}"],
        Bidirectional b => [$"{b.ForwardLayer.Name} {b.ForwardLayer.Options.WeightDropout}"],
        Rnn r => [$"{r.Name} {r.Options.WeightDropout}"],
        _ => Array.Empty<string>(),
    })];

    [Fact]
    public void AwdOptions_FilesWrittenBeforeThem_LoadWithThemOff()
    {
        // A committed version-1 file: its Embedding has no "dropout", its Lstm no "weight_dropout".
        var loaded = Model.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v1", "v1_text_classifier.safetensors"));
        Assert.Equal(0f, loaded.AllLayers().OfType<Embedding>().Single().Dropout);
        var bidirectional = loaded.AllLayers().OfType<Bidirectional>().Single();
        Assert.Equal(0f, bidirectional.ForwardLayer.Options.WeightDropout);
        Assert.Equal(0f, bidirectional.BackwardLayer.Options.WeightDropout);
    }
}
