// `lstm translate train|evaluate|predict` (the issue's `translate translate`: System.CommandLine cannot hold a subcommand named as its parent): sequence-to-sequence learning on sentence pairs — a TSV/CSV with source
// and target columns, or two plain-text files line by line — with a seeded (optionally grouped) test split, BLEU, chrF,
// exact match and token error rate next to a copy-the-source baseline, beam search with n-best lists, and a heatmap
// of the attention weights.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Translation;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static class TranslateCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("translate", "Sequence-to-sequence with attention: train on sentence pairs, evaluate (BLEU, chrF, exact match), translate.");
        command.Subcommands.Add(Train(host));
        command.Subcommands.Add(Evaluate(host));
        command.Subcommands.Add(Predict(host));
        return command;
    }

    /// <summary>Where the pairs come from and which of them are held out for the test.</summary>
    sealed class PairOptions
    {
        public Argument<string> Data { get; } = new("data") { Description = "TSV/CSV file of pairs with a header row, or the source side as a plain-text file (one sentence per line) with --target-file." };
        public Option<string> TargetFile { get; } = Opt("--target-file", "Plain-text file of the target side, line by line with the data file (default: none, read columns).", "");
        public Option<string> SourceColumn { get; } = Opt("--source-column", "Source column.", "source");
        public Option<string> TargetColumn { get; } = Opt("--target-column", "Target column.", "target");
        public Option<double> Test { get; } = Opt("--test", "Fraction of the pairs (or groups) held out for the test (0 = none).", 0.05);
        public Option<string> GroupColumn { get; } = Opt("--group-column", "Hold out whole groups: pairs with the same value here stay together (default: none, single pairs).", "");
        public Option<int> GroupDepth { get; } = Opt("--group-depth", "Group by the first N dot-separated fields of the group column (0 = the whole value), e.g. 2 for the chapter of Gen.1.1.", 0);

        public void AddTo(Command c)
        {
            c.Arguments.Add(Data);
            foreach (var option in new Option[] { TargetFile, SourceColumn, TargetColumn, Test, GroupColumn, GroupDepth }) c.Options.Add(option);
        }

        /// <summary>The pairs, each side checked non-empty (file and line named), and the training and test rows.</summary>
        public (string[] Sources, string[] Targets, int[] Train, int[] Test, string Description) Read(ParseResult r, int seed)
        {
            var path = r.GetValue(Data)!;
            var test = r.GetValue(Test);
            if (!(test >= 0 && test < 1)) throw new CliException($"--test must be in [0, 1); received {test}.");
            var depth = r.GetValue(GroupDepth);
            if (depth < 0) throw new CliException($"--group-depth must be 0 (the whole value) or more; received {depth}.");
            string[] sources, targets;
            string[]? groups = null;
            Func<int, string> where;
            var targetFile = r.GetValue(TargetFile)!;
            string description;
            if (targetFile.Length > 0)
            {
                var (s, sourceLines) = Lines(path);
                var (t, targetLines) = Lines(targetFile);
                if (s.Length != t.Length)
                    throw new CliException($"{path} has {s.Length} sentences and {targetFile} {t.Length}; the two files must pair line by line.");
                (sources, targets) = (s, t);
                where = i => $"{path}:{sourceLines[i]} / {targetFile}:{targetLines[i]}";
                description = $"{CliFiles.Show(path)} + {CliFiles.Show(targetFile)} ({s.Length:N0} pairs)";
            }
            else
            {
                var table = CliCsv.Read(path);
                sources = CliCsv.Strings(table, r.GetValue(SourceColumn)!, "--source-column");
                targets = CliCsv.Strings(table, r.GetValue(TargetColumn)!, "--target-column");
                if (r.GetValue(GroupColumn) is { Length: > 0 } group)
                    groups = [.. CliCsv.Strings(table, group, "--group-column").Select(g => depth == 0 ? g : string.Join('.', g.Split('.').Take(depth)))];
                where = i => $"{path}:{table.Line(i)}";
                description = $"{CliFiles.Show(path)} ({sources.Length:N0} pairs)";
            }
            for (var i = 0; i < sources.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(sources[i])) throw new CliException($"{where(i)}: the source is empty; every pair needs text on both sides.");
                if (string.IsNullOrWhiteSpace(targets[i])) throw new CliException($"{where(i)}: the target is empty; every pair needs text on both sides.");
            }
            var (trainRows, testRows) = Split(sources.Length, groups, test, seed);
            if (trainRows.Length == 0) throw new CliException($"{path}: --test {test} leaves no pairs to train on.");
            return (sources, targets, trainRows, testRows, description);
        }

        /// <summary>A seeded split holding out about <paramref name="fraction"/> of the rows, whole groups at a time when given.</summary>
        static (int[] Train, int[] Test) Split(int count, string[]? groups, double fraction, int seed)
        {
            if (fraction == 0) return (Enumerable.Range(0, count).ToArray(), []);
            var keys = groups ?? [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
            new Random(seed).Shuffle(distinct);
            var held = distinct.Take(Math.Max(1, (int)Math.Round(fraction * distinct.Length))).ToHashSet(StringComparer.Ordinal);
            var rows = Enumerable.Range(0, count).ToArray();
            return ([.. rows.Where(i => !held.Contains(keys[i]))], [.. rows.Where(i => held.Contains(keys[i]))]);
        }
    }

    /// <summary>The non-empty lines of a plain-text file with their line numbers.</summary>
    static (string[] Lines, int[] Numbers) Lines(string path)
    {
        CliFiles.CheckInput(path);
        var all = File.ReadAllLines(path);
        return ([.. all], [.. Enumerable.Range(1, all.Length)]);
    }

    static Option<string> LevelOption(string name, string side) => Opt(name, $"{side} tokens: punctuated (words and punctuation marks), subword (byte-pair pieces of them, as many as the vocabulary limit), word, char or whitespace (symbols separated by spaces).", "punctuated");

    static TokenLevel ParseLevel(string value) => value switch
    {
        "word" => TokenLevel.Word,
        "char" => TokenLevel.Character,
        "whitespace" => TokenLevel.Whitespace,
        "subword" => TokenLevel.Subword,
        _ => TokenLevel.Punctuated,
    };

    static string LevelName(TokenLevel level) => level switch
    {
        TokenLevel.Word => "word",
        TokenLevel.Character => "char",
        TokenLevel.Whitespace => "whitespace",
        TokenLevel.Subword => "subword",
        _ => "punctuated",
    };

    static Option<int> Beam() => Opt("--beam", "Beam size (1 = greedy search).", 5);

    static Option<double> LengthPenalty() => Opt("--length-penalty", "GNMT's length penalty α (0 = rank by log-probability).", 0.6);

    static Option<float> LengthRatio() => Opt("--max-length-ratio", "Output tokens per source token at most (ratio × source + 10; 0 = only the model's --max-target-length).", 0f);

    static void SetRatio(Translator translator, float ratio)
    {
        if (!(ratio >= 0 && float.IsFinite(ratio))) throw new CliException($"--max-length-ratio must be 0 (off) or more; received {ratio}.");
        translator.MaxLengthRatio = ratio;
    }

    static Option<string> ModelOption() => new("--model", "-m") { Description = "Model file written by `lstm translate train`.", DefaultValueFactory = _ => "translate.safetensors" };

    static void CheckSearch(int beam, double lengthPenalty)
    {
        if (beam < 1) throw new CliException($"--beam must be at least 1; received {beam}.");
        if (!(lengthPenalty >= 0 && double.IsFinite(lengthPenalty))) throw new CliException($"--length-penalty must be 0 or more; received {lengthPenalty}.");
    }

    static Command Train(CliHost host)
    {
        var pairs = new PairOptions();
        var sourceLevel = LevelOption("--source-level", "Source");
        var targetLevel = LevelOption("--target-level", "Target");
        var lowercase = Opt("--lowercase", "Lower-case both sides first.", false);
        var maxSourceTokens = Opt("--max-source-tokens", "Source vocabulary limit (rarer tokens become [UNK]).", 16000);
        var maxTargetTokens = Opt("--max-target-tokens", "Target vocabulary limit.", 16000);
        var maxSourceLength = Opt("--max-source-length", "Source tokens read per sentence (longer ones are cut, with a warning).", 100);
        var maxTargetLength = Opt("--max-target-length", "Output tokens per translation, the end included.", 100);
        var embedding = Opt("--embedding", "Embedding width.", 128);
        var units = Opt("--units", "Decoder units (the encoder's two directions have half each).", 256);
        var layers = Opt("--layers", "Stacked encoder layers.", 1);
        var unidirectional = Opt("--unidirectional", "Read the source one way only (default: both ways).", false);
        var noAttention = Opt("--no-attention", "A plain LSTM decoder started from the encoder's state, without attention.", false);
        var score = Opt("--score", "Attention score: concat (Bahdanau), general or dot (Luong).", "concat");
        var noFeeding = Opt("--no-input-feeding", "Do not feed the attentional vector into the next step.", false);
        var dropout = Opt("--dropout", "Dropout on the embeddings and the decoder output.", 0.2f);
        var rate = Opt("--learning-rate", "Adam learning rate (gradients clipped to norm 5).", 0.002f);
        var decay = Opt("--learning-rate-decay", "Multiply the learning rate by this when an epoch does not lower the validation loss (0 = never).", 0.5f);
        var batch = Opt("--batch-size", "Pairs per batch (of similar lengths).", 64);
        var epochs = Opt("--epochs", "Most epochs.", 20);
        var patience = Opt("--patience", "Early stopping on validation loss (0 = off).", 3);
        var validation = Opt("--validation", "Fraction of the training pairs held out for validation.", 0.05f);
        var bleuSamples = Opt("--bleu-samples", "Validation pairs translated after each epoch for val_bleu and val_exact_match (0 = off).", 200);
        var minutes = Opt("--max-minutes", "Stop training after this many minutes (0 = no limit); the best weights are kept.", 0.0);
        var beam = Beam();
        var penalty = LengthPenalty();
        var output = new Option<string>("--output", "-o") { Description = "Model file to write.", DefaultValueFactory = _ => "translate.safetensors" };
        var plot = Opt("--plot", "Prefix of the loss plot (<prefix>-loss.png; '' for none).", "translate");
        var logDir = CommonOptions.LogDir();
        sourceLevel.AcceptOnlyFromAmong("punctuated", "subword", "word", "char", "whitespace");
        targetLevel.AcceptOnlyFromAmong("punctuated", "subword", "word", "char", "whitespace");
        score.AcceptOnlyFromAmong("concat", "general", "dot");
        var command = new Command("train", "Train an encoder–decoder on sentence pairs; report BLEU, chrF, exact match and token error rate on the test pairs, greedy and with the beam.")
        {
            sourceLevel, targetLevel, lowercase, maxSourceTokens, maxTargetTokens, maxSourceLength, maxTargetLength, embedding, units, layers, unidirectional,
            noAttention, score, noFeeding, dropout, rate, decay, batch, epochs, patience, validation, bleuSamples, minutes, beam, penalty, output, plot, logDir,
        };
        pairs.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var seed = r.GetValue(common.Seed);
            var options = new TranslatorOptions
            {
                SourceLevel = ParseLevel(r.GetValue(sourceLevel)!), TargetLevel = ParseLevel(r.GetValue(targetLevel)!), Lowercase = r.GetValue(lowercase),
                MaxSourceTokens = r.GetValue(maxSourceTokens), MaxTargetTokens = r.GetValue(maxTargetTokens),
                MaxSourceLength = r.GetValue(maxSourceLength), MaxTargetLength = r.GetValue(maxTargetLength),
                EmbeddingSize = r.GetValue(embedding), Units = r.GetValue(units), EncoderLayers = r.GetValue(layers), Bidirectional = !r.GetValue(unidirectional),
                Attention = !r.GetValue(noAttention), InputFeeding = !r.GetValue(noFeeding),
                Score = r.GetValue(score) switch { "general" => AttentionScore.General, "dot" => AttentionScore.Dot, _ => AttentionScore.Concat },
                Dropout = r.GetValue(dropout), LearningRate = r.GetValue(rate), LearningRateDecay = r.GetValue(decay), BatchSize = r.GetValue(batch), Epochs = r.GetValue(epochs),
                Patience = r.GetValue(patience), ValidationFraction = r.GetValue(validation), BleuSamples = r.GetValue(bleuSamples), Seed = seed,
            };
            var budget = r.GetValue(minutes);
            if (budget < 0) throw new CliException($"--max-minutes must be 0 (no limit) or more; received {budget}.");
            CheckSearch(r.GetValue(beam), r.GetValue(penalty));
            options.Validate();
            var model = r.GetValue(output)!;
            CliFiles.CheckOutput(model, "--output", r.GetValue(pairs.Data)!, r.GetValue(pairs.TargetFile)!);
            var log = TrainingLog.Open(r.GetValue(logDir)!);
            var (sources, targets, trainRows, testRows, description) = pairs.Read(r, seed);
            return RunTrain(terminal, description, sources, targets, trainRows, testRows, options, budget, r.GetValue(beam), r.GetValue(penalty), model, r.GetValue(plot)!, log);
        }));
        return command;
    }

    static int RunTrain(Terminal terminal, string description, string[] sources, string[] targets, int[] trainRows, int[] testRows,
        TranslatorOptions options, double minutes, int beam, double penalty, string output, string plot, TrainingLog? log)
    {
        // The parameter count is dominated by the embeddings and the output layer: refuse sizes that cannot be allocated.
        var largest = (long)options.MaxTargetTokens * (options.Units + 1) + (long)options.MaxSourceTokens * options.EmbeddingSize;
        if (largest > int.MaxValue / 2)
            throw new CliException($"A vocabulary of {options.MaxTargetTokens} target and {options.MaxSourceTokens} source tokens at {options.Units} units needs {largest:N0}+ parameters, more than fit; lower --max-target-tokens, --max-source-tokens or --units.");
        var trainSources = trainRows.Select(i => sources[i]).ToArray();
        var trainTargets = trainRows.Select(i => targets[i]).ToArray();
        terminal.Settings("translate train", [
            ("data", description), ("split", $"training {trainRows.Length:N0} (validation {options.ValidationFraction:P0} of it), test {testRows.Length:N0}"),
            ("tokens", $"source {LevelName(options.SourceLevel)} ≤ {options.MaxSourceTokens}, target {LevelName(options.TargetLevel)} ≤ {options.MaxTargetTokens}; lengths ≤ {options.MaxSourceLength} / {options.MaxTargetLength}; lowercase {Terminal.YesNo(options.Lowercase)}"),
            ("model", $"Embedding({options.EmbeddingSize}) → {options.EncoderLayers} × {(options.Bidirectional ? "Bidirectional " : "")}LSTM({(options.Bidirectional ? options.Units / 2 : options.Units)}) → " +
                (options.Attention ? $"AttentionLstm({options.Units}, {Terminal.Words(options.Score)}{(options.InputFeeding ? ", input feeding" : "")})" : $"LSTM({options.Units})") + $" → Dense, dropout {options.Dropout}"),
            ("training", $"Adam {options.LearningRate}" + (options.LearningRateDecay > 0 ? $" × {options.LearningRateDecay} after an epoch without progress" : "") + $", ≤ {options.Epochs} epochs" + (minutes > 0 ? $" or {minutes} minutes" : "") + $", batch {options.BatchSize}, patience {options.Patience}"),
            ("seed", options.Seed), ("output", CliFiles.Show(output)), ("plot", plot.Length == 0 ? "none" : $"{plot}-loss.png"), ("log", log is null ? "none" : CliFiles.Show(log.Folder)),
        ]);
        Translator? translator = null;
        var validated = (int)Math.Round(options.ValidationFraction * trainSources.Length) >= 1;
        var watch = new TrainingWatch("translate", options.Epochs)
        {
            Patience = validated ? options.Patience : 0, KeepsBest = validated && options.Patience > 0,
            Budget = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null, Log = log, LossAxis = "loss: cross-entropy (nats per target token)",
        };
        var training = TrainingDisplay.Run(terminal, watch, (progress, s) => translator = Translator.Train(trainSources, trainTargets, options, progress, [s]));
        var completed = training.Completed;
        var trainSeconds = training.Elapsed.TotalSeconds;
        var cut = trainSources.Count(s => translator!.SourceLength(s) > options.MaxSourceLength);
        if (cut > 0) terminal.Line($"Warning: {cut} training source(s) longer than {options.MaxSourceLength} tokens were cut (--max-source-length).");
        translator!.Save(output);
        terminal.Line($"Saved the model to {output} ({translator.History!.Epochs} epochs in {trainSeconds:F0} s).");
        var result = new JsonObject
        {
            ["command"] = "translate train", ["completed"] = completed, ["epochs"] = translator.History.Epochs, ["train_seconds"] = Math.Round(trainSeconds, 1), ["model"] = output,
            ["history"] = training.HistoryJson(), ["training"] = training.Json(),
        };
        if (testRows.Length > 0)
        {
            var testSources = testRows.Select(i => sources[i]).ToArray();
            var testTargets = testRows.Select(i => targets[i]).ToArray();
            var greedy = translator.Evaluate(testSources, testTargets, 1, 0);
            var searched = beam > 1 ? translator.Evaluate(testSources, testTargets, beam, penalty) : null;
            Show(terminal, $"test: {testRows.Length} pairs, {greedy.Sentences} distinct sources", greedy, searched, beam);
            Samples(terminal, testSources, testTargets, (searched ?? greedy).Hypotheses);
            result["test"] = ScoresJson(greedy, searched, beam);
            result["test"]!["pairs"] = testRows.Length;
        }
        if (plot.Length > 0)
        {
            Plots.Save(Plots.Loss(training), $"{plot}-loss.png");
            terminal.Line($"Wrote {plot}-loss.png.");
        }
        terminal.Json(result);
        return completed ? 0 : Cli.Interrupted;
    }

    static void Show(Terminal terminal, string title, TranslationEvaluation greedy, TranslationEvaluation? beam, int beamSize)
    {
        static IReadOnlyList<string> Row(string name, double bleu, double chrF, double exact, double? error) =>
            [name, Terminal.F(100 * bleu, "F2"), Terminal.F(100 * chrF, "F2"), $"{100 * exact:F2}%", error is { } e ? $"{100 * e:F2}%" : ""];
        var rows = new List<IReadOnlyList<string>> { Row("greedy", greedy.Bleu, greedy.ChrF, greedy.ExactMatch, greedy.TokenErrorRate) };
        if (beam is not null) rows.Add(Row($"beam {beamSize}", beam.Bleu, beam.ChrF, beam.ExactMatch, beam.TokenErrorRate));
        rows.Add(Row("copy the source", greedy.CopyBleu, greedy.CopyChrF, greedy.CopyExactMatch, null));
        terminal.Results(title, ["search", "BLEU", "chrF", "exact match", "token error rate"], rows);
    }

    static void Samples(Terminal terminal, string[] sources, string[] references, IReadOnlyList<string> hypotheses)
    {
        var count = Math.Min(5, sources.Length);
        terminal.Results("sample translations", ["source", "reference", "translation"],
            Enumerable.Range(0, count).Select(i => (IReadOnlyList<string>)[Short(sources[i]), Short(references[i]), Short(hypotheses[i])]));
    }

    static string Short(string text) => text.Length > 70 ? text[..67] + "…" : text;

    static JsonObject ScoresJson(TranslationEvaluation greedy, TranslationEvaluation? beam, int beamSize)
    {
        static JsonObject One(TranslationEvaluation e) => new()
        {
            ["bleu"] = Math.Round(100 * e.Bleu, 3), ["chrf"] = Math.Round(100 * e.ChrF, 3), ["exact_match"] = Math.Round(e.ExactMatch, 5), ["token_error_rate"] = Math.Round(e.TokenErrorRate, 5),
        };
        var json = new JsonObject
        {
            ["sentences"] = greedy.Sentences, ["greedy"] = One(greedy),
            ["copy"] = new JsonObject { ["bleu"] = Math.Round(100 * greedy.CopyBleu, 3), ["chrf"] = Math.Round(100 * greedy.CopyChrF, 3), ["exact_match"] = Math.Round(greedy.CopyExactMatch, 5) },
        };
        if (beam is not null)
        {
            json["beam"] = One(beam);
            json["beam_size"] = beamSize;
        }
        return json;
    }

    static Command Evaluate(CliHost host)
    {
        var pairs = new PairOptions();
        pairs.Test.DefaultValueFactory = _ => 0.0;
        pairs.Test.Description = "Score only the test part a `train` run with this --test, --group-column and --seed held out (0 = every pair).";
        var model = ModelOption();
        var beam = Beam();
        var penalty = LengthPenalty();
        var ratio = LengthRatio();
        var command = new Command("evaluate", "Score a saved translator on pairs: BLEU, chrF, exact match and token error rate, greedy and with the beam, next to copying the source.") { model, beam, penalty, ratio };
        pairs.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            CheckSearch(r.GetValue(beam), r.GetValue(penalty));
            var translator = Translator.Load(r.GetValue(model)!);
            SetRatio(translator, r.GetValue(ratio));
            var (sources, targets, trainRows, testRows, description) = pairs.Read(r, r.GetValue(common.Seed));
            var rows = testRows.Length > 0 ? testRows : trainRows;
            terminal.Settings("translate evaluate", [("model", CliFiles.Show(r.GetValue(model)!)), ("data", description), ("scored", $"{rows.Length:N0} pairs")]);
            var s = rows.Select(i => sources[i]).ToArray();
            var t = rows.Select(i => targets[i]).ToArray();
            var greedy = translator.Evaluate(s, t, 1, 0);
            var searched = r.GetValue(beam) > 1 ? translator.Evaluate(s, t, r.GetValue(beam), r.GetValue(penalty)) : null;
            Show(terminal, $"{rows.Length} pairs", greedy, searched, r.GetValue(beam));
            terminal.Json(new JsonObject { ["command"] = "translate evaluate", ["result"] = ScoresJson(greedy, searched, r.GetValue(beam)) });
            return 0;
        }));
        return command;
    }

    static Command Predict(CliHost host)
    {
        var input = new Argument<string[]>("text") { Description = "Sentence(s) to translate (default: read lines from --file or standard input).", Arity = ArgumentArity.ZeroOrMore };
        var model = ModelOption();
        var file = Opt("--file", "Translate every line of a plain-text file (default: the arguments, or standard input).", "");
        var beam = Beam();
        var nBest = Opt("--n-best", "Translations printed per sentence, best first, with their scores.", 1);
        var penalty = LengthPenalty();
        var ratio = LengthRatio();
        var attentionPlot = Opt("--attention-plot", "PNG heatmap of the first sentence's attention weights (default: none).", "");
        var command = new Command("predict", "Translate sentences from the arguments, a file or standard input, one output line per input line.") { input, model, file, beam, nBest, penalty, ratio, attentionPlot };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var (k, n, alpha) = (r.GetValue(beam), r.GetValue(nBest), r.GetValue(penalty));
            CheckSearch(k, alpha);
            if (n < 1 || n > k) throw new CliException($"--n-best must be in [1, --beam = {k}]; received {n}.");
            var plotPath = r.GetValue(attentionPlot)!;
            if (plotPath.Length > 0) CliFiles.CheckOutput(plotPath, "--attention-plot");
            var path = r.GetValue(file)!;
            var translator = Translator.Load(r.GetValue(model)!);
            SetRatio(translator, r.GetValue(ratio));
            if (plotPath.Length > 0 && !translator.HasAttention) throw new CliException($"{r.GetValue(model)}: this translator has no attention (it was trained with --no-attention), so --attention-plot has nothing to draw.");
            IEnumerable<(string Text, string Where)> lines;
            if (path.Length > 0)
            {
                var (all, numbers) = Lines(path);
                lines = all.Select((l, i) => (l, $"{path}:{numbers[i]}"));
            }
            else if (r.GetValue(input) is { Length: > 0 } texts)
            {
                lines = texts.Select((t, i) => (t, $"argument {i + 1}"));
            }
            else
            {
                lines = StandardInput(host.In);
            }
            var results = new JsonArray();
            var plotted = false;
            foreach (var (text, where) in lines)
            {
                var length = translator.SourceLength(text);
                if (length > translator.MaxSourceLength)
                    host.Error.WriteLine($"{where}: warning: the source has {length} tokens; the model reads the first {translator.MaxSourceLength}.");
                var best = string.IsNullOrWhiteSpace(text) ? [new TranslatedText("", 0, 0, true)] : translator.TranslateNBest(text, k, n, alpha);
                if (!terminal.IsJson)
                {
                    if (n == 1) host.Out.WriteLine(best[0].Text);
                    else foreach (var t in best) host.Out.WriteLine($"{t.Score.ToString("F4", CultureInfo.InvariantCulture)}\t{t.Text}");
                    host.Out.Flush();
                }
                results.Add((JsonNode)new JsonObject
                {
                    ["source"] = text,
                    ["translations"] = new JsonArray([.. best.Select(t => (JsonNode?)new JsonObject { ["text"] = t.Text, ["score"] = Math.Round(t.Score, 6), ["log_probability"] = Math.Round(t.LogProbability, 6), ["finished"] = t.Finished })]),
                });
                if (plotPath.Length > 0 && !plotted && !string.IsNullOrWhiteSpace(text))
                {
                    var (sourceTokens, outputTokens, weights) = translator.AttentionWeights(text, best[0].Text);
                    Plots.Heatmap(plotPath, $"attention: {Short(text)}", sourceTokens, outputTokens, weights);
                    host.Error.WriteLine($"Wrote {plotPath}.");
                    plotted = true;
                }
            }
            terminal.Json(new JsonObject { ["command"] = "translate predict", ["results"] = results });
            return 0;
        }));
        return command;
    }

    static IEnumerable<(string, string)> StandardInput(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } line) yield return (line, $"stdin:{++number}");
    }
}
