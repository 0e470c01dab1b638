// The README's library examples run here, and their text must stay equal to these copies.
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Onnx;
using LstmSharp.Optimizers;
using LstmSharp.Tuning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
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
    public void Functional_Runs()
    {
        const int sourceWords = 50, targetWords = 40;
        var rng = new Random(5);
        Tensor Ids(int samples, int steps, int vocabulary) => new([.. Enumerable.Range(0, samples * steps).Select(_ => (float)rng.Next(1, vocabulary))], samples, steps);
        var (sourceIds, decoderIds, targetIds) = (Ids(64, 7, sourceWords), Ids(64, 6, targetWords), Ids(64, 6, targetWords));
        // README functional begin
        // Encoder–decoder: the encoder's final (h, c) start the decoder; teacher forcing feeds the target shifted right.
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var (_, states) = new Lstm(64, new() { Name = "encoder" }).CallWithState(new Embedding(sourceWords, 32).Call(source));
        var decoder = new Lstm(64, new() { ReturnSequences = true, Name = "decoder" });
        var targetEmbedding = new Embedding(targetWords, 32);
        var head = new TimeDistributed(new Dense(targetWords), "next_word");
        var logits = head.Call(decoder.Call(targetEmbedding.Call(target), states));
        var model = new Model([source, target], [logits], seed: 1);
        model.Compile(new Adam(0.01f), new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalAccuracy());
        Console.WriteLine(model.Summary());
        var history = model.Fit([sourceIds, decoderIds], [targetIds], new FitOptions { Epochs = 3, BatchSize = 16 });

        // Inference: an encoder model and a one-step decoder model that share the trained layers.
        var encoderModel = new Model([source], [.. states]);
        var token = new Input(1) { Name = "token" };
        var (h, c) = (new Input(64) { Name = "h" }, new Input(64) { Name = "c" });
        var (step, next) = decoder.CallWithState(targetEmbedding.Call(token), [h, c]);
        var stepModel = new Model([token, h, c], [head.Call(step), .. next]);
        var state = encoderModel.Predict([sourceIds.Slice(0, 1)]);
        var outputs = stepModel.Predict([Tensor.Full(1f, 1, 1), state[0], state[1]]);   // logits [1, 1, words], h, c
        // README functional end
        Assert.Equal(3, history.Loss.Count);
        Assert.True(outputs[0].HasShape(1, 1, targetWords) && outputs[1].HasShape(1, 64));
    }

    [Fact]
    public void Text_Runs()
    {
        var ids = Enumerable.Range(0, 3000).Select(i => 1 + (i * i + i / 7) % 23).ToArray();
        var vocabulary = 24;
        var prompt = new Tensor([3, 1, 4, 1, 5], 1, 5);
        // README text begin
        var batches = new TextBatches(ids, batchSize: 16, steps: 32);
        var model = new Sequential(seed: 1, new Input(-1),
            new Embedding(vocabulary, 16),
            new Lstm(64, new() { ReturnSequences = true, Stateful = true }),
            new Lstm(64, new() { ReturnSequences = true, Stateful = true }),
            new Dense(vocabulary));
        model.Compile(new Adam(0.005f) { GlobalClipNorm = 1f }, new SparseCategoricalCrossentropy(fromLogits: true), new Perplexity());
        var (x, y) = batches.ToSamples();
        model.Fit(x, y, new FitOptions { Epochs = 2, BatchSize = batches.BatchSize, Shuffle = false });

        // Generate: feed the prompt [1, length], then one sampled token at a time.
        var sampler = new TokenSampler(seed: 7);
        var sampling = new SamplingOptions { FromLogits = true, Temperature = 0.8f, TopK = 20, TopP = 0.95f };
        model.ResetStates();
        var next = sampler.Next(model.Predict(prompt).Span[^vocabulary..], sampling);
        var token = Tensor.Zeros(1, 1);
        var generated = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            generated.Add(next);
            token.Span[0] = next;
            next = sampler.Next(model.Forward(token).Span, sampling);
        }
        // README text end
        Assert.Equal(100, generated.Count);
        Assert.All(generated, id => Assert.InRange(id, 0, vocabulary - 1));
    }

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
    public void PyTorchExport_Runs()
    {
        // Writes into the working folder as the README does; the names are this test's alone.
        try
        {
            // README pytorch begin
            var model = new Sequential(seed: 1, new Input(-1, 3), new Lstm(16), new Dense(1));
            SafeTensors.Write("state_dict.safetensors", model.GetWeights());   // lstm.weight_ih_l0, …, dense.bias
            var x = new Tensor([.. Enumerable.Range(0, 30).Select(i => MathF.Sin(i))], 2, 5, 3);
            SafeTensors.Write("check.safetensors", new Dictionary<string, Tensor> { ["x"] = x, ["y"] = model.Predict(x) });
            // README pytorch end
            var weights = SafeTensors.Read("state_dict.safetensors").Tensors;
            Assert.Equal(["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "dense.weight", "dense.bias"], weights.Keys);
            Assert.Equal([64, 3], weights["lstm.weight_ih_l0"].Shape.ToArray());
            Assert.Equal(model.Predict(x).ToArray(), SafeTensors.Read("check.safetensors").Tensors["y"].ToArray());
        }
        finally
        {
            File.Delete("state_dict.safetensors");
            File.Delete("check.safetensors");
        }
    }

    [Fact]
    public void OnnxRuntimeForecast_Runs()
    {
        var forecaster = Forecaster.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "forecast.safetensors"));
        var series = Enumerable.Range(0, 20).Select(t => 100f + (5 * t)).ToArray();
        var lastRows = series[^forecaster.HistoryNeeded..];
        OnnxExport.Save(forecaster, "forecaster.onnx");
        try
        {
            // README onnx runtime begin
            using var session = new InferenceSession("forecaster.onnx");
            var history = new DenseTensor<float>(lastRows, [1, lastRows.Length, 1]);   // [batch, HistoryNeeded, columns], target first
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("history", history)]);
            float[] forecast = results[0].AsTensor<float>().ToArray();                  // [batch, horizon]
            // README onnx runtime end
            var expected = forecaster.ForecastNext([series]);
            Assert.Equal(expected.Length, forecast.Length);
            for (var k = 0; k < expected.Length; k++) Assert.True(Math.Abs(forecast[k] - expected[k]) <= 1e-5 * Math.Abs(expected[k]), $"step {k + 1}: {forecast[k]} vs {expected[k]}");
        }
        finally
        {
            File.Delete("forecaster.onnx");
        }
    }

    [Theory]
    [InlineData("README pytorch")]
    [InlineData("README onnx runtime")]
    [InlineData("README quick start")]
    [InlineData("README functional")]
    [InlineData("README text")]
    [InlineData("README tuning")]
    public void Snippet_ReadmeTextMatchesThisTest(string marker)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LstmSharp.slnx"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("repository root");
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var source = File.ReadAllLines(Path.Combine(root, "tests", "LstmSharp.Tests", "ReadmeTests.cs"));
        var begin = Array.FindIndex(source, l => l.Contains(marker + " begin", StringComparison.Ordinal));
        var end = Array.FindIndex(source, l => l.Contains(marker + " end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, $"markers '{marker} begin/end' not found");
        foreach (var line in source[(begin + 1)..end])
            Assert.Contains(line.Trim(), readme, StringComparison.Ordinal);
    }
}
