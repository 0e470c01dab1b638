// `lstm export`: every task's model file the tool writes, exported to ONNX and run in ONNX Runtime against the
// library's own predictions (a forecaster with its preprocessing: raw windows in, Forecast's numbers out), the
// PyTorch-named safetensors equal to the model's weights, and layers without an ONNX form refused by name, exit 1.
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class ExportCommandTests : IDisposable
{
    readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    static string Model(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", name);

    [Theory]
    [InlineData("forecast.safetensors")]
    [InlineData("forecast-multi.safetensors")]
    public void Export_Forecaster_OnnxTakesRawRowsAndGivesItsForecasts(string name)
    {
        var onnx = _cli.File("forecaster.onnx");
        var r = _cli.Run("export", Model(name), "--onnx", onnx);
        Assert.True(r.Exit == 0, r.Error);
        Assert.Contains("raw values in", r.Out, StringComparison.Ordinal);

        var forecaster = Forecaster.Load(Model(name));
        int n = forecaster.HistoryNeeded, columns = forecaster.Columns.Count;
        var data = Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, 30).Select(t => 100f + (3 * t) + (20 * MathF.Sin(t + c))).ToArray()).ToArray();
        int[] origins = [n, 17, 30];
        var expected = forecaster.Forecast(data, origins);
        var history = new float[origins.Length * n * columns];
        for (var i = 0; i < origins.Length; i++)
            for (var t = 0; t < n; t++)
                for (var c = 0; c < columns; c++) history[((i * n) + t) * columns + c] = data[c][origins[i] - n + t];
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("history", new DenseTensor<float>(history, [origins.Length, n, columns]))]);
        var actual = results.Single().AsTensor<float>();
        for (var i = 0; i < origins.Length; i++)
            for (var k = 0; k < forecaster.Options.Horizon; k++)
                Assert.True(Math.Abs(actual[i, k] - expected[i][k]) <= 1e-5 * Math.Abs(expected[i][k]), $"origin {origins[i]} step {k + 1}: {actual[i, k]} vs {expected[i][k]}");
    }

    [Theory]
    [InlineData("classify.safetensors")]
    [InlineData("text.safetensors")]
    public void Export_TokenModels_OnnxOfInt64IdsMatchesPredict(string name)
    {
        var onnx = _cli.File("model.onnx");
        var r = _cli.Run("export", Model(name), "--onnx", onnx, "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal("int64", (string?)json["onnx"]!["inputs"]![0]!["type"]);

        var model = LstmSharp.Model.Load(Model(name));
        var vocabulary = model.Layers.OfType<Embedding>().First().Parameters[0].Value.Dim(0);
        var time = model.InputShape[0] > 0 ? model.InputShape[0] : 6;
        var ids = new Tensor([.. Enumerable.Range(0, 2 * time).Select(i => (float)(1 + (i * 7 % (vocabulary - 1))))], 2, time);
        using var session = new InferenceSession(onnx);
        using var results = session.Run([OnnxFeeds.Of(session, session.InputMetadata.Keys.Single(), ids)]);
        var expected = model.Predict(ids);
        var actual = results[0].AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected.Span[i]) <= 1e-5, $"value {i}: {actual[i]} vs {expected.Span[i]}");
    }

    [Fact]
    public void Export_EnsembleClassifier_OnnxAveragesTheMembersAsPredictDoes()
    {
        var data = _cli.Write("reviews.csv", CliTests.Reviews(60, 9));
        var path = _cli.File("ensemble.safetensors");
        var train = _cli.Run("classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "4", "--embedding", "4", "--epochs", "2",
            "--max-length", "12", "--ensemble", "3", "--output", path, "--plot", "");
        Assert.True(train.Exit == 0, train.Error);
        var onnx = _cli.File("ensemble.onnx");
        var r = _cli.Run("export", path, "--onnx", onnx);
        Assert.True(r.Exit == 0, r.Error);

        var classifier = LstmSharp.Text.TextClassifier.Load(path);
        Assert.Equal(3, classifier.Model.Layers.OfType<LstmSharp.Model>().Count());
        var vocabulary = classifier.Tokenizer.VocabularySize;
        // Rows padded (id 0) from step 9, 10 and 11 on, as the tokenizer pads: each member masks its padding.
        var ids = new Tensor([.. Enumerable.Range(0, 3 * 12).Select(i => (float)(i % 12 >= 9 + (i / 12) ? 0 : 1 + (i * 7 % (vocabulary - 1))))], 3, 12);
        using var session = new InferenceSession(onnx);
        using var results = session.Run([OnnxFeeds.Of(session, session.InputMetadata.Keys.Single(), ids)]);
        var expected = classifier.Model.Predict(ids);
        var actual = results[0].AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected.Span[i]) <= 1e-5, $"value {i}: {actual[i]} vs {expected.Span[i]}");
    }

    [Fact]
    public void Export_Safetensors_HoldsTheWeightsUnderPyTorchNames()
    {
        var path = _cli.File("state_dict.safetensors");
        var r = _cli.Run("export", Model("forecast-multi.safetensors"), "--safetensors", path);
        Assert.True(r.Exit == 0, r.Error);
        var weights = LstmSharp.Model.Load(Model("forecast-multi.safetensors")).GetWeights();
        var file = SafeTensors.Read(path);
        Assert.Equal(["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"], file.Tensors.Keys.Take(4));
        Assert.Equal(weights.Keys, file.Tensors.Keys);
        foreach (var (key, value) in weights) Assert.Equal(value.ToArray(), file.Tensors[key].ToArray());
    }

    [Fact]
    public void Export_Translator_RefusedNamingTheLayer()
    {
        var onnx = _cli.File("translator.onnx");
        var r = _cli.Run("export", Model("translate.safetensors"), "--onnx", onnx);
        Assert.Equal(1, r.Exit);
        Assert.Contains("the 'translate' model cannot be exported to ONNX: Layer '", r.Error, StringComparison.Ordinal);
        Assert.Contains("(AttentionLstm) has no ONNX export", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void Export_CrfTagger_RefusedNamingTheLayer()
    {
        var tagger = _cli.File("tagger.safetensors");
        var model = new Sequential(1, new Input(-1), new Embedding(6, 3), new Lstm(3, new() { ReturnSequences = true }), new Dense(4), new Crf());
        model.Metadata[ModelTasks.Key] = ModelTasks.Tag;
        model.Save(tagger);
        var r = _cli.Run("export", tagger, "--onnx", _cli.File("tagger.onnx"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("the 'tag' model cannot be exported to ONNX: Layer 'crf' (Crf) has no ONNX export.", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_BadInput_ExitsOneSayingWhy()
    {
        var nothing = _cli.Run("export", Model("text.safetensors"));
        Assert.Equal(1, nothing.Exit);
        Assert.Contains("give --onnx FILE, --safetensors FILE or both", nothing.Error, StringComparison.Ordinal);
        var missing = _cli.Run("export", _cli.File("none.safetensors"), "--onnx", _cli.File("x.onnx"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("file not found", missing.Error, StringComparison.Ordinal);
        var folder = _cli.Run("export", Model("text.safetensors"), "--onnx", _cli.File("no/such/x.onnx"));
        Assert.Equal(1, folder.Exit);
        Assert.Contains("does not exist", folder.Error, StringComparison.Ordinal);
        var damaged = _cli.Write("damaged.safetensors", "not a model at all");
        var notModel = _cli.Run("export", damaged, "--onnx", _cli.File("x.onnx"));
        Assert.Equal(1, notModel.Exit);
        Assert.Contains(damaged, notModel.Error, StringComparison.Ordinal);
        var lengths = _cli.Run("export", Model("forecast.safetensors"), "--onnx", _cli.File("x.onnx"), "--lengths-input");
        Assert.Equal(1, lengths.Exit);
        Assert.Contains("--network-only", lengths.Error, StringComparison.Ordinal);
    }
}
