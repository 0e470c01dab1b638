// `lstm text train|evaluate|generate` (explain in its own file): a character- (or word-) level LSTM language model on a plain-text file, trained
// with truncated BPTT over stateful layers, scored in bits per token, sampled each epoch; scoring and generation from it.
using System.CommandLine;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Text;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static partial class TextCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("text", "Language models on plain text: train one, generate from it.");
        command.Subcommands.Add(Train(host));
        command.Subcommands.Add(Generate(host));
        command.Subcommands.Add(Evaluate(host));
        command.Subcommands.Add(Explain(host));
        return command;
    }

    /// <summary>What one token of a level is called in the output ("bits per …").</summary>
    static string Unit(TokenLevel level) => level switch { TokenLevel.Word => "word", TokenLevel.Subword => "piece", _ => "char" };

    static Command Train(CliHost host)
    {
        var file = new Argument<string>("file") { Description = "Plain-text file (UTF-8)." };
        var level = Opt("--level", "Tokens: char, word, or subword (byte-pair pieces learned on the text, --max-tokens of them).", "char");
        level.AcceptOnlyFromAmong("char", "word", "subword");
        var lowercase = Opt("--lowercase", "Lower-case the text first.", false);
        var maxTokens = Opt("--max-tokens", "Vocabulary limit (rarer tokens become [UNK]).", 20000);
        var embedding = Opt("--embedding", "Embedding dimension.", 64);
        var units = Opt("--units", "Units per LSTM layer.", 256);
        var layers = Opt("--layers", "Stacked stateful LSTM layers.", 2);
        var dropout = Opt("--dropout", "Input dropout of each LSTM layer.", 0.1f);
        var weightDropout = Opt("--weight-dropout", "DropConnect on each LSTM's recurrent weights in training (AWD-LSTM uses 0.5).", 0f);
        var embeddingDropout = Opt("--embedding-dropout", "Whole words dropped per batch in training (AWD-LSTM uses 0.1).", 0f);
        var steps = Opt("--steps", "Truncated BPTT length (tokens per chunk).", 64);
        var batch = Opt("--batch-size", "Parallel streams per batch.", 32);
        var rate = Opt("--learning-rate", "Adam learning rate.", 0.004f);
        var decay = Opt("--lr-decay", "Multiply the learning rate by this after every epoch (1 = constant).", 0.9f);
        var clip = Opt("--clip-norm", "Clip gradients to this global norm (0 = off).", 5f);
        var epochs = Opt("--epochs", "Most epochs.", 20);
        var minutes = Opt("--max-minutes", "Stop training after this many minutes (0 = no limit); the epoch in progress is cut short.", 0.0);
        var validation = Opt("--validation", "Fraction at the end of the text held out for validation.", 0.1);
        var sample = Opt("--sample-length", "Tokens sampled after each epoch (0 = none).", 200);
        var temperature = Opt("--temperature", "Temperature of the samples after each epoch.", 0.8f);
        var output = new Option<string>("--output", "-o") { Description = "Model file (rewritten after each epoch that improves validation).", DefaultValueFactory = _ => "text.safetensors" };
        var plot = Opt("--plot", "Prefix of the loss plot (<prefix>-loss.png, each batch's loss and each epoch's; '' for none).", "text");
        var logDir = LogDir();
        var command = new Command("train", "Train a language model on a text file; report validation bits per token and perplexity, and sample each epoch.")
        {
            file, level, lowercase, maxTokens, embedding, units, layers, dropout, weightDropout, embeddingDropout, steps, batch, rate, decay, clip, epochs, minutes, validation, sample, temperature, output, plot, logDir,
        };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var options = new LanguageModelOptions
            {
                Level = r.GetValue(level) switch { "word" => TokenLevel.Word, "subword" => TokenLevel.Subword, _ => TokenLevel.Character }, Lowercase = r.GetValue(lowercase), MaxTokens = r.GetValue(maxTokens),
                EmbeddingSize = r.GetValue(embedding), Units = r.GetValue(units), Layers = r.GetValue(layers), Dropout = r.GetValue(dropout), WeightDropout = r.GetValue(weightDropout), EmbeddingDropout = r.GetValue(embeddingDropout), Steps = r.GetValue(steps),
                BatchSize = r.GetValue(batch), LearningRate = r.GetValue(rate), LearningRateDecay = r.GetValue(decay), ClipNorm = r.GetValue(clip), Seed = r.GetValue(common.Seed),
            };
            return RunTrain(terminal, r.GetValue(file)!, options, r.GetValue(epochs), r.GetValue(minutes), r.GetValue(validation), r.GetValue(sample),
                r.GetValue(temperature), r.GetValue(output)!, r.GetValue(plot)!, r.GetValue(logDir)!, r.GetValue(common.Seed));
        }));
        return command;
    }

    static string ReadText(string path)
    {
        CliFiles.CheckInput(path);
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) throw new CliException($"{path}: the file is empty.");
        return text;
    }

    static int RunTrain(Terminal terminal, string path, LanguageModelOptions options, int epochs, double minutes, double validation, int sampleLength,
        float temperature, string output, string plot, string logDir, int seed)
    {
        if (epochs < 1) throw new CliException($"--epochs must be at least 1; received {epochs}.");
        if (minutes < 0) throw new CliException($"--max-minutes must be 0 (no limit) or more; received {minutes}.");
        if (!(validation > 0 && validation < 1)) throw new CliException($"--validation must be in (0, 1); received {validation}.");
        if (sampleLength < 0) throw new CliException($"--sample-length must be 0 (no samples) or more; received {sampleLength}.");
        var sampling = new SamplingOptions { Temperature = temperature };
        options.Validate();
        CliFiles.CheckOutput(output, "--output", path);
        var log = TrainingLog.Open(logDir);
        var text = ReadText(path);
        var (trainText, validText) = LanguageModel.SplitText(text, validation);
        var model = LanguageModel.Create(trainText, options);
        var unit = Unit(options.Level);
        TextBatches trainBatches, validBatches;
        try
        {
            trainBatches = new TextBatches(model.Encode(trainText), options.BatchSize, options.Steps);
            validBatches = new TextBatches(model.Encode(validText), options.BatchSize, options.Steps);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{path}: too little text: {CliErrors.Message(e)}");
        }
        terminal.Settings("text train", [
            ("text", $"{CliFiles.Show(path)} ({text.Length:N0} characters)"), ("split", $"training {trainText.Length:N0} characters, validation (last {validation:P0}) {validText.Length:N0}"),
            ("tokens", $"{unit}, vocabulary {model.Tokenizer.VocabularySize} (incl. padding and [UNK]), lowercase {Terminal.YesNo(options.Lowercase)}"),
            ("model", $"Embedding({options.EmbeddingSize}) → {options.Layers} × stateful LSTM({options.Units}), dropout {options.Dropout}, weight dropout {options.WeightDropout}, embedding dropout {options.EmbeddingDropout} → Dense({model.Tokenizer.VocabularySize}); {model.Model.ParameterCount:N0} parameters"),
            ("training", $"truncated BPTT {options.Steps} steps × {options.BatchSize} streams = {trainBatches.BatchCount} batches/epoch; Adam {options.LearningRate}" + (options.LearningRateDecay < 1f ? $" × {options.LearningRateDecay} per epoch" : "") + $", clip norm {options.ClipNorm}"),
            ("budget", $"{epochs} epochs" + (minutes > 0 ? $" or {minutes} minutes" : "")), ("samples", $"{sampleLength} tokens at temperature {temperature}"),
            ("seed", seed), ("output", CliFiles.Show(output)), ("plot", plot.Length == 0 ? "none" : $"{plot}-loss.png"), ("log", logDir.Length == 0 ? "none" : CliFiles.Show(logDir)),
        ]);

        var epochsJson = new JsonArray();
        var sampler = new TokenSampler(seed);
        var saved = 0;   // the epoch BestModelPath was last written after
        var sampleText = "";
        void Report(LanguageModelEpoch e)
        {
            if (e.Improved) saved = e.Epoch;
            var bits = e.ValidationLoss / Math.Log(2);
            sampleText = sampleLength > 0 ? string.Concat(model.Generate("", sampleLength, sampling, sampler)) : "";
            epochsJson.Add((JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch, ["train_bits_per_token"] = e.TrainingLoss / Math.Log(2), ["validation_bits_per_token"] = bits, ["perplexity"] = Math.Exp(e.ValidationLoss),
                ["minutes"] = e.Elapsed.TotalMinutes, ["sample"] = sampleText,
            });
        }
        string Describe(IReadOnlyDictionary<string, float> logs)
        {
            var line = $"train {logs["loss"] / Math.Log(2):F3} bits/{unit}";
            return logs.TryGetValue("val_loss", out var valid) ? $"{line}  validation {valid / Math.Log(2):F3} bits/{unit}  perplexity {Math.Exp(valid):F2}" : line;
        }
        var watch = new TrainingWatch("text", epochs)
        {
            KeepsBest = true, Budget = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null, SamplesAs = ("tokens", options.Steps), RecordBatches = true,
            Describe = Describe, ShowMonitor = v => $"{v / Math.Log(2):F3} bits/{unit}", Note = _ => sampleText.Length > 0 ? $"sample: {sampleText.Replace("\n", " ⏎ ", StringComparison.Ordinal)}" : null, Log = log,
            LossTitle = $"{Path.GetFileName(path)}: bits per {unit}", LossAxis = $"cross-entropy, bits per {unit}", LossScale = 1 / Math.Log(2),
        };
        LanguageModelRun? run = null;
        TrainingOutcome training;
        try
        {
            training = TrainingDisplay.Run(terminal, watch, (progress, s) => run = model.Train(trainBatches, validBatches, new LanguageModelTraining
            {
                Epochs = epochs, BestModelPath = output, Progress = progress, Callbacks = [s], EpochEnd = Report,
            }));
        }
        catch (TrainingDivergedException e)
        {
            throw new CliException($"{e.Message} " + (saved > 0 ? $"The best model so far (epoch {saved}) stays in {output}." : $"No model was saved to {output}."));
        }
        var best = run?.BestValidationLoss ?? double.PositiveInfinity;
        if (plot.Length > 0 && training.Epochs.Count > 0)
        {
            Plots.Save(Plots.Loss(training), $"{plot}-loss.png");
            terminal.Line($"Wrote {plot}-loss.png.");
        }
        terminal.Json(new JsonObject
        {
            ["command"] = "text train", ["text"] = path, ["level"] = unit, ["vocabulary"] = model.Tokenizer.VocabularySize, ["parameters"] = model.Model.ParameterCount,
            ["best_validation_bits_per_token"] = best / Math.Log(2), ["best_perplexity"] = Math.Exp(best), ["minutes"] = training.Elapsed.TotalMinutes,
            ["interrupted"] = terminal.Cancel.IsCancellationRequested, ["epochs"] = epochsJson, ["model"] = output,
            ["training"] = training.Json(), ["history"] = training.HistoryJson(),
        });
        return terminal.Cancel.IsCancellationRequested ? Cli.Interrupted : 0;
    }

    static Command Generate(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm text train`.", DefaultValueFactory = _ => "text.safetensors" };
        var prompt = Opt("--prompt", "Text to continue (default: none, start after a line break).", "");
        var length = Opt("--length", "Tokens to generate.", 500);
        var temperature = Opt("--temperature", "Below 1: safer, more repetitive; above 1: more surprising; 0: always the most likely token.", 0.8f);
        var topK = Opt("--top-k", "Sample only among the k most likely tokens (0 = all).", 0);
        var topP = Opt("--top-p", "Sample only among the most likely tokens whose probabilities add up to p (1 = all).", 1f);
        var command = new Command("generate", "Generate text from a trained language model, streaming it as it is made.") { model, prompt, length, temperature, topK, topP };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var path = r.GetValue(model)!;
            var lm = LanguageModel.Load(path);
            var sampling = new SamplingOptions { Temperature = r.GetValue(temperature), TopK = r.GetValue(topK), TopP = r.GetValue(topP) };
            var n = r.GetValue(length);
            if (n < 0) throw new CliException($"--length must be 0 or more; received {n}.");
            var start = r.GetValue(prompt)!;
            terminal.Settings("text generate", [("model", CliFiles.Show(path)), ("prompt", start.Length == 0 ? "(none)" : start), ("length", n), ("temperature", sampling.Temperature),
                ("top-k", sampling.TopK == 0 ? "off" : sampling.TopK), ("top-p", sampling.TopP >= 1f ? "off" : sampling.TopP), ("seed", r.GetValue(common.Seed))]);
            var unknown = lm.Encode(start).Count(id => id == Tokenizer.UnknownId);
            if (unknown > 0) terminal.Line($"Note: {unknown} token(s) of the prompt are not in the model's vocabulary and read as [UNK].");
            var generated = new System.Text.StringBuilder();
            terminal.Stream(start);
            foreach (var piece in lm.Generate(start, n, sampling, new TokenSampler(r.GetValue(common.Seed))))
            {
                if (terminal.Cancel.IsCancellationRequested) break;
                generated.Append(piece);
                terminal.Stream(piece);
            }
            terminal.Stream("\n");
            terminal.Json(new JsonObject { ["command"] = "text generate", ["prompt"] = start, ["text"] = generated.ToString() });
            return terminal.Cancel.IsCancellationRequested ? Cli.Interrupted : 0;
        }));
        return command;
    }

    static Command Evaluate(CliHost host)
    {
        var file = new Argument<string>("file") { Description = "Plain-text file (UTF-8) to score." };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm text train`.", DefaultValueFactory = _ => "text.safetensors" };
        var batch = Opt("--batch-size", "Parallel streams (fewer when the text is short).", 32);
        var command = new Command("evaluate", "Score a language model on a text file: cross-entropy in bits per token and perplexity.") { file, model, batch };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var path = r.GetValue(model)!;
            var lm = LanguageModel.Load(path);
            var textPath = r.GetValue(file)!;
            var ids = lm.Encode(ReadText(textPath));
            if (ids.Length < 2) throw new CliException($"{textPath}: too little text: {ids.Length} token(s); at least 2 are needed.");
            // Chunks of the training length where the text allows, across as many streams as fit.
            var steps = Math.Min(lm.Steps, ids.Length - 1);
            var streams = Math.Clamp(ids.Length / (steps + 1), 1, Math.Max(1, r.GetValue(batch)));
            var batches = new TextBatches(ids, streams, steps);
            var unit = Unit(lm.Tokenizer.Level);
            var unknown = ids.Count(id => id == Tokenizer.UnknownId);
            terminal.Settings("text evaluate", [("model", CliFiles.Show(path)), ("text", $"{CliFiles.Show(textPath)} ({ids.Length:N0} tokens, {unknown:N0} not in the vocabulary)"),
                ("batches", $"{batches.BatchCount} of {streams} streams × {steps} steps ({batches.BatchCount * streams * steps:N0} tokens scored)")]);
            var loss = lm.Evaluate(batches);
            terminal.ResultLine($"{textPath}: {loss / Math.Log(2):F3} bits/{unit}, perplexity {Math.Exp(loss):F2}");
            terminal.Json(new JsonObject
            {
                ["command"] = "text evaluate", ["text"] = textPath, ["tokens"] = ids.Length, ["unknown"] = unknown,
                ["bits_per_token"] = loss / Math.Log(2), ["perplexity"] = Math.Exp(loss),
            });
            return 0;
        }));
        return command;
    }
}
