// The README's library examples run here: whole programs built and run from the README's own text, fragments as copies
// whose text must stay equal to the README's.
using System.Diagnostics;
using LstmSharp.Callbacks;
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
    /// <summary>
    /// The README's blocks marked <c>&lt;!-- program: name --&gt;</c>, each a whole <c>Program.cs</c> as a user would
    /// paste it: written into console projects that reference the library these tests run against, built in one
    /// <c>dotnet build</c> (no build servers left running) and run, each in its own folder.
    /// </summary>
    [Fact]
    public void Programs_BuildAndRunAsPasted()
    {
        var programs = Programs(File.ReadAllText(Path.Combine(Repository.Root, "README.md")));
        Assert.Equal(["quickstart", "csv", "functional"], programs.Select(p => p.Name));
        var folder = Directory.CreateTempSubdirectory("lstmsharp-readme-").FullName;
        try
        {
            var bin = AppContext.BaseDirectory;
            var references = string.Concat(new[] { "LstmSharp.dll", "System.Numerics.Tensors.dll", "Sep.dll" }.Select(d => $"<Reference Include=\"{Path.Combine(bin, d)}\" />"));
            foreach (var (name, code) in programs)
            {
                Directory.CreateDirectory(Path.Combine(folder, name));
                File.WriteAllText(Path.Combine(folder, name, name + ".csproj"),
                    "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>" +
                    $"<ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup><ItemGroup>{references}</ItemGroup></Project>");
                File.WriteAllText(Path.Combine(folder, name, "Program.cs"), code);
                // Programs read the bundled CSV files as from the repository's root.
                Directory.CreateDirectory(Path.Combine(folder, name, "data"));
                foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "data"), "*.csv")) File.Copy(file, Path.Combine(folder, name, "data", Path.GetFileName(file)));
            }
            File.WriteAllText(Path.Combine(folder, "readme.slnx"), $"<Solution>{string.Concat(programs.Select(p => $"<Project Path=\"{p.Name}/{p.Name}.csproj\" />"))}</Solution>");
            var build = Run(folder, TimeSpan.FromMinutes(8), "build", "readme.slnx", "-nologo", "-v:q", "--disable-build-servers");
            Assert.True(build.Exit == 0, build.Output);

            var quickstart = Run(Path.Combine(folder, "quickstart"), TimeSpan.FromMinutes(3), Path.Combine("bin", "Debug", "net10.0", "quickstart.dll"));
            Assert.True(quickstart.Exit == 0, quickstart.Output);
            Assert.StartsWith("Model: \"sequential\"", quickstart.Output, StringComparison.Ordinal);
            var epochs = quickstart.Output.Split('\n').Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).ToArray();
            Assert.Equal([.. Enumerable.Range(1, 20).Select(e => $"Epoch {e}/20 - ")], epochs.Select(l => l[..(l.IndexOf(" - ", StringComparison.Ordinal) + 3)]));
            Assert.Contains("; next value ", quickstart.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "quickstart", "sine.safetensors")));

            var csv = Run(Path.Combine(folder, "csv"), TimeSpan.FromMinutes(3), Path.Combine("bin", "Debug", "net10.0", "csv.dll"));
            Assert.True(csv.Exit == 0, csv.Output);
            Assert.StartsWith("144 rows of year, month, passengers; first 112 in month 1; Tensor[132, 12, 1]\n[[[112.]", csv.Output, StringComparison.Ordinal);

            var functional = Run(Path.Combine(folder, "functional"), TimeSpan.FromMinutes(3), Path.Combine("bin", "Debug", "net10.0", "functional.dll"));
            Assert.True(functional.Exit == 0, functional.Output);
            Assert.Contains("first step's logits Tensor[1, 1, 40]", functional.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The C# block after each <c>&lt;!-- program: name --&gt;</c> line of <paramref name="readme"/>.</summary>
    static List<(string Name, string Code)> Programs(string readme)
    {
        var lines = readme.Split('\n');
        var programs = new List<(string, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            const string Marker = "<!-- program: ";
            if (!lines[i].StartsWith(Marker, StringComparison.Ordinal)) continue;
            Assert.Equal("```csharp", lines[i + 1].TrimEnd());
            var end = Array.FindIndex(lines, i + 2, l => l.TrimEnd() == "```");
            programs.Add((lines[i][Marker.Length..].Split(' ')[0], string.Join('\n', lines[(i + 2)..end]) + "\n"));
        }
        return programs;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="folder"/>; its exit code and output (stdout, then stderr).</summary>
    static (int Exit, string Output) Run(string folder, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host may run under MSBuild (dotnet test); the child build is a fresh one.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToArray()) start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"dotnet {string.Join(' ', arguments)} did not finish in {timeout}");
        }
        return (process.ExitCode, output.Result + error.Result);
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
    public void FineTuning_Runs()
    {
        // Sentences of 10 ids from 1..19; class 1 when id 3 is in the sentence.
        const int vocabulary = 20, classes = 2;
        var x = Tensor.Zeros(96, 10);
        var y = Tensor.Zeros(96);
        for (var s = 0; s < 96; s++)
        {
            for (var t = 0; t < 10; t++) x.Span[s * 10 + t] = 1 + (s * 7 + t * t * 3 + s / 5) % 19;
            y.Span[s] = x.Span.Slice(s * 10, 10).Contains(3f) ? 1 : 0;
        }
        // README fine-tuning begin
        var embedding = new Embedding(vocabulary, 16);
        var lstm = new Lstm(32);
        var head = new Dense(classes);
        var model = new Sequential(seed: 1, new Input(-1), embedding, lstm, head);
        Layer[][] groups = [[embedding], [lstm], [head]];         // from the input to the output
        Discriminative.Apply(groups);                             // rates ×1/2.6², ×1/2.6, ×1
        const int epochs = 4, batchSize = 16;
        var steps = epochs * ((x.Dim(0) + batchSize - 1) / batchSize);
        model.Compile(new Adam(0.01f, beta1: 0.7f, beta2: 0.99f) { Schedule = new SlantedTriangular(0.01f, steps) },
            new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalAccuracy());
        var history = model.Fit(x, y, new FitOptions { Epochs = epochs, BatchSize = batchSize, Callbacks = [new GradualUnfreezing(groups)] });
        // README fine-tuning end
        Assert.Equal(4, history.Epochs);
        Assert.True(history.Loss[^1] < history.Loss[0], string.Join(", ", history.Loss));
        Assert.All(model.Layers, l => Assert.True(l.Trainable));
        Assert.Equal(1 / (2.6f * 2.6f), embedding.LearningRateMultiplier, 1e-7f);
        Assert.Equal(0.01f / 32, model.Optimizer!.LearningRate, 1e-6f); // the last steps run at maxRate/ratio
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

    [Fact]
    public void ManySeries_Runs()
    {
        // Three stores: a weekly pattern at three scales.
        float[] Store(float scale) => [.. Enumerable.Range(0, 140).Select(t => scale * (5 + (t % 7 == 5 || t % 7 == 6 ? 4 : 0) + 0.1f * MathF.Sin(t)))];
        var sales = new Dictionary<string, float[]> { ["north"] = Store(1), ["south"] = Store(10), ["east"] = Store(100) };
        // README many series begin
        // sales: a Dictionary<string, float[]> of each store's daily sales
        var series = sales.Select(s => new ForecastSeries(s.Key, [s.Value], TrainEnd: s.Value.Length - 14)).ToArray();
        var options = new ForecastOptions { Lookback = 14, Horizon = 7, Transform = SeriesTransform.SeasonalDifference, Season = 7, Epochs = 30 };
        var forecaster = Forecaster.Train(series, ["sales"], options);
        foreach (var (id, values) in sales)
        {
            var test = ForecastEvaluation.Run(forecaster, [values], testStart: values.Length - 14, season: 7, series: id);
            Console.WriteLine($"{id}: MASE {test.Scores[ForecastEvaluation.ModelName].Mase:F3}, next week {string.Join(", ", forecaster.ForecastNext([values], series: id))}");
        }
        // README many series end
        Assert.Equal(["north", "south", "east"], forecaster.Series);
        var week = forecaster.ForecastNext([sales["east"]], series: "east");
        for (var k = 0; k < 7; k++) Assert.True(Math.Abs(week[k] - sales["east"][140 - 7 + k]) < 0.1f * 900, $"step {k + 1}: {week[k]}");
    }

    [Theory]
    [InlineData("README many series")]
    [InlineData("README pytorch")]
    [InlineData("README onnx runtime")]
    [InlineData("README text")]
    [InlineData("README tuning")]
    [InlineData("README fine-tuning")]
    public void Snippet_ReadmeTextMatchesThisTest(string marker)
    {
        var root = Repository.Root;
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var source = File.ReadAllLines(Path.Combine(root, "tests", "LstmSharp.Tests", "ReadmeTests.cs"));
        var begin = Array.FindIndex(source, l => l.Contains(marker + " begin", StringComparison.Ordinal));
        var end = Array.FindIndex(source, l => l.Contains(marker + " end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, $"markers '{marker} begin/end' not found");
        foreach (var line in source[(begin + 1)..end])
            Assert.Contains(line.Trim(), readme, StringComparison.Ordinal);
    }
}
