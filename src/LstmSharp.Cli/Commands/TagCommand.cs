// `lstm tag train|evaluate|predict`: sequence labelling on CoNLL-style files (a token and a tag column, blank lines
// between sentences) — a BiLSTM-CRF or a softmax head, entity precision/recall/F1 per type with conlleval's rules, token
// accuracy, the tag confusion, and tagging of raw text (token/tag columns or JSON spans with character offsets).
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Tagging;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static class TagCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("tag", "Sequence labelling (named entities, part of speech): train a BiLSTM-CRF on CoNLL files, evaluate (entity F1), tag text.");
        command.Subcommands.Add(Train(host));
        command.Subcommands.Add(Evaluate(host));
        command.Subcommands.Add(Predict(host));
        return command;
    }

    /// <summary>Where the tagged sentences come from and which of them are held out for the test.</summary>
    sealed class DataOptions
    {
        public Argument<string> Data { get; } = new("data") { Description = "CoNLL-style file: one token per line with its columns, a blank line between sentences, '#' comments and -DOCSTART- skipped." };
        public Option<int> TokenColumn { get; } = Opt("--token-column", "Column of the token, from 0.", 0);
        public Option<int> TagColumn { get; } = Opt("--tag-column", "Column of the tag, from 0 (-1 = the last).", -1);
        public Option<double> Test { get; } = Opt("--test", "Fraction of the sentences held out for the test (0 = none).", 0.1);
        public Option<string> TestFile { get; } = Opt("--test-file", "Test sentences from this file instead of a held-out part (default: none).", "");
        public Option<string> TagRule { get; } = TagRuleOption();

        static Option<string> TagRuleOption()
        {
            var option = Opt("--tag-rule", "Rewrite the tags as they are read: none, or brown-base (the Brown corpus's base tags: modifiers -tl, -hl, -nc and a fused negation * dropped, fw-… as fw).", "none");
            option.AcceptOnlyFromAmong("none", "brown-base");
            return option;
        }

        public void AddTo(Command c)
        {
            c.Arguments.Add(Data);
            foreach (var option in new Option[] { TokenColumn, TagColumn, Test, TestFile, TagRule }) c.Options.Add(option);
        }

        public IReadOnlyList<TaggedSentence> ReadFile(ParseResult r, string path)
        {
            CliFiles.CheckInput(path);
            var sentences = Conll.Read(path, r.GetValue(TokenColumn), r.GetValue(TagColumn));
            return r.GetValue(TagRule) == "brown-base" ? [.. sentences.Select(s => s with { Tags = [.. s.Tags.Select(BrownTags.Base)] })] : sentences;
        }

        /// <summary>The training and test sentences: a seeded held-out fraction, or the --test-file.</summary>
        public (IReadOnlyList<TaggedSentence> Train, IReadOnlyList<TaggedSentence> Test, string Description) Read(ParseResult r, int seed)
        {
            var path = r.GetValue(Data)!;
            var fraction = r.GetValue(Test);
            if (!(fraction >= 0 && fraction < 1)) throw new CliException($"--test must be in [0, 1); received {fraction}.");
            var all = ReadFile(r, path);
            var description = $"{CliFiles.Show(path)} ({all.Count:N0} sentences, {all.Sum(s => s.Tokens.Count):N0} tokens)";
            if (r.GetValue(TestFile) is { Length: > 0 } testFile) return (all, ReadFile(r, testFile), $"{description}; test {CliFiles.Show(testFile)}");
            if (fraction == 0) return (all, [], description);
            var order = Enumerable.Range(0, all.Count).ToArray();
            new Random(seed).Shuffle(order);
            var held = Math.Max(1, (int)Math.Round(fraction * all.Count));
            if (held >= all.Count) throw new CliException($"{path}: --test {fraction} leaves no sentences to train on.");
            var test = order[..held].Order().Select(i => all[i]).ToArray();
            var train = order[held..].Order().Select(i => all[i]).ToArray();
            return (train, test, description);
        }
    }

    static Option<string> SchemeOption() => Opt("--scheme", "Tag scheme: bio or iobes (spans: entity F1, CRF transitions enforced) or none (one label per token, e.g. part of speech).", "bio");

    static TagScheme ParseScheme(string value) => value switch
    {
        "iobes" => TagScheme.Iobes,
        "none" => TagScheme.None,
        _ => TagScheme.Bio,
    };

    static Option<string> ModelOption() => new("--model", "-m") { Description = "Model file written by `lstm tag train`.", DefaultValueFactory = _ => "tag.safetensors" };

    static Command Train(CliHost host)
    {
        var data = new DataOptions();
        var scheme = SchemeOption();
        scheme.AcceptOnlyFromAmong("bio", "iobes", "none");
        var crf = Opt("--crf", "A CRF output layer (the default): Viterbi decoding, the scheme's transitions enforced.", false);
        var noCrf = Opt("--no-crf", "A softmax per token instead of the CRF output layer.", false);
        var lowercase = Opt("--lowercase", "Lower-case the words first.", false);
        var vocabulary = Opt("--max-words", "Word vocabulary limit (rarer words read as [UNK]).", 50000);
        var wordDropout = Opt("--word-dropout", "Probability that a word seen once reads as [UNK] in training.", 0.5f);
        var embedding = Opt("--embedding", "Word embedding width (with --embeddings: the vectors' width).", 100);
        var vectors = Opt("--embeddings", "Pre-trained word vectors to start from, GloVe/word2vec text format ('word v1 v2 …' per line; default: none, random).", "");
        var freeze = Opt("--freeze-embeddings", "Keep the word embedding as it starts instead of training it.", false);
        var charFeatures = Opt("--char-features", "Read each word's characters too (embedding → bidirectional LSTM, concatenated with the word embedding): unknown words show their capitals and suffixes.", false);
        var charEmbedding = Opt("--char-embedding", "Character embedding width (with --char-features).", 25);
        var charUnits = Opt("--char-units", "Character LSTM units per direction (with --char-features).", 25);
        var maxWordLength = Opt("--max-word-length", "Characters read per word (a longer word keeps its first and last halves; with --char-features).", 20);
        var units = Opt("--units", "LSTM units per direction.", 100);
        var layers = Opt("--layers", "Stacked bidirectional LSTM layers.", 1);
        var dropout = Opt("--dropout", "Dropout on the embeddings and the LSTM output.", 0.5f);
        var rate = Opt("--learning-rate", "Adam learning rate (gradients clipped to norm 5).", 0.002f);
        var batch = Opt("--batch-size", "Sentences per batch (of similar lengths).", 32);
        var epochs = Opt("--epochs", "Most epochs.", 20);
        var patience = Opt("--patience", "Early stopping on validation F1 (0 = off).", 3);
        var validation = Opt("--validation", "Fraction of the training sentences held out for validation.", 0.1f);
        var maxLength = Opt("--max-length", "Tokens read per sentence in training (longer ones are cut; tagging splits them).", 200);
        var minutes = Opt("--max-minutes", "Stop training after this many minutes (0 = no limit); the best weights are kept.", 0.0);
        var output = new Option<string>("--output", "-o") { Description = "Model file to write.", DefaultValueFactory = _ => "tag.safetensors" };
        var plot = Opt("--plot", "Prefix of the loss plot (<prefix>-loss.png; '' for none).", "tag");
        var logDir = CommonOptions.LogDir();
        var command = new Command("train", "Train a tagger on a CoNLL file; report entity precision/recall/F1 per type and token accuracy on the test sentences.")
        {
            scheme, crf, noCrf, lowercase, vocabulary, wordDropout, embedding, vectors, freeze, charFeatures, charEmbedding, charUnits, maxWordLength, units, layers, dropout, rate, batch, epochs, patience, validation, maxLength, minutes, output, plot, logDir,
        };
        data.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var seed = r.GetValue(common.Seed);
            if (r.GetValue(crf) && r.GetValue(noCrf)) throw new CliException("--crf and --no-crf contradict each other; give one.");
            var options = new TaggerOptions
            {
                Scheme = ParseScheme(r.GetValue(scheme)!), Crf = !r.GetValue(noCrf), Lowercase = r.GetValue(lowercase), MaxVocabulary = r.GetValue(vocabulary),
                WordDropout = r.GetValue(wordDropout), EmbeddingSize = r.GetValue(embedding), Units = r.GetValue(units), Layers = r.GetValue(layers),
                Dropout = r.GetValue(dropout), LearningRate = r.GetValue(rate), BatchSize = r.GetValue(batch), Epochs = r.GetValue(epochs),
                Patience = r.GetValue(patience), ValidationFraction = r.GetValue(validation), MaxLength = r.GetValue(maxLength), Seed = seed,
                FreezeEmbeddings = r.GetValue(freeze), CharFeatures = r.GetValue(charFeatures), CharEmbeddingSize = r.GetValue(charEmbedding),
                CharUnits = r.GetValue(charUnits), MaxWordLength = r.GetValue(maxWordLength),
            };
            options.Validate();
            var budget = r.GetValue(minutes);
            if (budget < 0) throw new CliException($"--max-minutes must be 0 (no limit) or more; received {budget}.");
            var model = r.GetValue(output)!;
            CliFiles.CheckOutput(model, "--output", r.GetValue(data.Data)!, r.GetValue(data.TestFile)!);
            var log = TrainingLog.Open(r.GetValue(logDir)!);
            var (train, test, description) = data.Read(r, seed);
            if (r.GetValue(vectors) is { Length: > 0 } vectorFile)
            {
                // Only the vectors of the training words (as spelled and lower-cased) are kept.
                CliFiles.CheckInput(vectorFile);
                var needed = train.SelectMany(s => s.Tokens).SelectMany(t => new[] { t, t.ToLowerInvariant() }).ToHashSet(StringComparer.Ordinal);
                options = options with { Embeddings = Data.WordVectors.Read(vectorFile, needed.Contains) };
            }
            return RunTrain(terminal, description, train, test, options, budget, model, r.GetValue(plot)!, log);
        }));
        return command;
    }

    static int RunTrain(Terminal terminal, string description, IReadOnlyList<TaggedSentence> train, IReadOnlyList<TaggedSentence> test,
        TaggerOptions options, double minutes, string output, string plot, TrainingLog? log)
    {
        var cut = train.Count(s => s.Tokens.Count > options.MaxLength);
        terminal.Settings("tag train", [
            ("data", description), ("split", $"training {train.Count:N0} (validation {options.ValidationFraction:P0} of it), test {test.Count:N0}"),
            ("tags", $"scheme {Terminal.Words(options.Scheme)}, lowercase {Terminal.YesNo(options.Lowercase)}, ≤ {options.MaxVocabulary:N0} words, word dropout {options.WordDropout}"),
            ("model", $"Embedding({options.Embeddings?.Dimension ?? options.EmbeddingSize}" + (options.Embeddings is { } v ? $", {v.Count:N0} vectors from {v.Source}" : "") + (options.FreezeEmbeddings ? ", frozen" : "") + ")" +
                (options.CharFeatures ? $" + characters: Embedding({options.CharEmbeddingSize}) → Bidirectional LSTM({options.CharUnits}) over ≤ {options.MaxWordLength} per word" : "") + $" → {options.Layers} × Bidirectional LSTM({options.Units}) → Dense → {(options.Crf ? "CRF" : "softmax")}, dropout {options.Dropout}"),
            ("training", $"Adam {options.LearningRate}, ≤ {options.Epochs} epochs" + (minutes > 0 ? $" or {minutes} minutes" : "") + $", batch {options.BatchSize}, patience {options.Patience} on val_f1"),
            ("seed", options.Seed), ("output", CliFiles.Show(output)), ("plot", plot.Length == 0 ? "none" : $"{plot}-loss.png"), ("log", log is null ? "none" : CliFiles.Show(log.Folder)),
        ]);
        if (cut > 0) terminal.Line($"Warning: {cut} training sentence(s) longer than {options.MaxLength} tokens are cut (--max-length).");
        Tagger? tagger = null;
        var validated = Math.Round(options.ValidationFraction * train.Count) >= 1;
        var watch = new TrainingWatch("tag", options.Epochs)
        {
            Monitor = "val_f1", HigherIsBetter = true, Patience = validated ? options.Patience : 0, KeepsBest = validated && options.Patience > 0,
            Budget = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null, Log = log,
            LossAxis = options.Crf ? "loss: CRF negative log-likelihood (nats per sentence)" : "loss: cross-entropy (nats per token)",
        };
        var training = TrainingDisplay.Run(terminal, watch, (progress, s) => tagger = Tagger.Train(train, options, progress, [s]));
        var completed = training.Completed;
        var trainSeconds = training.Elapsed.TotalSeconds;
        tagger!.Save(output);
        terminal.Line($"Saved the model to {output} ({tagger.History!.Epochs} epochs in {trainSeconds:F0} s).");
        var result = new JsonObject
        {
            ["command"] = "tag train", ["completed"] = completed, ["epochs"] = tagger.History.Epochs, ["train_seconds"] = Math.Round(trainSeconds, 1), ["model"] = output,
            ["history"] = training.HistoryJson(), ["training"] = training.Json(),
        };
        if (test.Count > 0)
        {
            WarnUnknown(terminal, tagger, test);
            var scores = tagger.Evaluate(test);
            Show(terminal, $"test: {test.Count:N0} sentences", scores);
            result["test"] = ScoresJson(scores);
        }
        if (plot.Length > 0)
        {
            Plots.Save(Plots.Loss(training), $"{plot}-loss.png");
            terminal.Line($"Wrote {plot}-loss.png.");
        }
        terminal.Json(result);
        return completed ? 0 : Cli.Interrupted;
    }

    /// <summary>Warns (on the terminal's message stream) about gold tags the tagger cannot predict: they count as errors.</summary>
    static void WarnUnknown(Terminal terminal, Tagger tagger, IReadOnlyList<TaggedSentence> sentences)
    {
        var unknown = tagger.UnknownTags(sentences);
        if (unknown.Count == 0) return;
        var tokens = sentences.Sum(s => s.Tokens.Count);
        terminal.Line($"Warning: {unknown.Count:N0} of {tokens:N0} tokens have a tag the tagger was not trained on ({tagger.DescribeTags()}); they count as errors. " +
            $"First: {string.Join("; ", unknown.Take(3))}. Check --tag-column and --tag-rule if there are many.");
    }

    static void Show(Terminal terminal, string title, TaggingEvaluation scores)
    {
        static IReadOnlyList<string> Row(string name, EntityScore s) =>
            [name, s.Gold.ToString("N0", CultureInfo.InvariantCulture), s.Predicted.ToString("N0", CultureInfo.InvariantCulture),
                $"{100 * s.Precision:F2}", $"{100 * s.Recall:F2}", $"{100 * s.F1:F2}"];
        terminal.Line($"{title}: token accuracy {100 * scores.TokenAccuracy:F2}% ({scores.CorrectTokens:N0} of {scores.TokenCount:N0})");
        if (scores.Scheme == TagScheme.None) return;
        var rows = new List<IReadOnlyList<string>> { Row("all", scores.Overall) };
        rows.AddRange(scores.ByType.Select(p => Row(p.Key, p.Value)));
        terminal.Results($"{title}: entities ({scores.Scheme}, conlleval's rules)", ["type", "gold", "predicted", "precision", "recall", "F1"], rows);
    }

    static JsonObject ScoresJson(TaggingEvaluation scores)
    {
        static JsonObject One(EntityScore s) => new()
        {
            ["gold"] = s.Gold, ["predicted"] = s.Predicted, ["correct"] = s.Correct,
            ["precision"] = Math.Round(s.Precision, 5), ["recall"] = Math.Round(s.Recall, 5), ["f1"] = Math.Round(s.F1, 5),
        };
        var confusion = new JsonObject();
        for (var g = 0; g < scores.Tags.Count; g++)
        {
            var row = new JsonObject();
            for (var p = 0; p < scores.Tags.Count; p++)
                if (scores.Confusion[g, p] != 0) row[scores.Tags[p]] = scores.Confusion[g, p];
            confusion[scores.Tags[g]] = row;
        }
        return new JsonObject
        {
            ["tokens"] = scores.TokenCount, ["token_accuracy"] = Math.Round(scores.TokenAccuracy, 5), ["scheme"] = scores.Scheme.ToString().ToLowerInvariant(),
            ["entities"] = One(scores.Overall), ["by_type"] = new JsonObject([.. scores.ByType.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)One(p.Value)))]),
            ["confusion"] = confusion,
        };
    }

    static Command Evaluate(CliHost host)
    {
        var data = new DataOptions();
        data.Test.DefaultValueFactory = _ => 0.0;
        data.Test.Description = "Score only the test part a `train` run with this --test and --seed held out (0 = every sentence).";
        var model = ModelOption();
        var command = new Command("evaluate", "Score a saved tagger on a CoNLL file: token accuracy, entity precision/recall/F1 per type, the tag confusion (--json).") { model };
        data.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var tagger = Tagger.Load(r.GetValue(model)!);
            var (train, test, description) = data.Read(r, r.GetValue(common.Seed));
            var sentences = test.Count > 0 ? test : train;
            terminal.Settings("tag evaluate", [("model", CliFiles.Show(r.GetValue(model)!)), ("data", description), ("scored", $"{sentences.Count:N0} sentences")]);
            WarnUnknown(terminal, tagger, sentences);
            var scores = tagger.Evaluate(sentences);
            Show(terminal, $"{sentences.Count:N0} sentences", scores);
            terminal.Json(new JsonObject { ["command"] = "tag evaluate", ["result"] = ScoresJson(scores) });
            return 0;
        }));
        return command;
    }

    static Command Predict(CliHost host)
    {
        var input = new Argument<string[]>("text") { Description = "Sentence(s) to tag (default: read lines from --file or standard input).", Arity = ArgumentArity.ZeroOrMore };
        var tokenize = new Option<string>("--tokenize")
        {
            Description = "How a line becomes tokens: 'rules' (punctuation split off; contractions, hyphenated words, numbers and abbreviations such as U.S. and Mr. kept whole) or 'whitespace' (already tokenised text).",
            DefaultValueFactory = _ => "rules",
        };
        tokenize.AcceptOnlyFromAmong("rules", "whitespace");
        var model = ModelOption();
        var file = Opt("--file", "Tag every line of a plain-text file, one sentence per line (default: the arguments, or standard input).", "");
        var command = new Command("predict", "Tag sentences from the arguments, a file or standard input: token<TAB>tag lines and a blank line per sentence, or with --json the spans and their character offsets.") { input, model, file, tokenize };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var tagger = Tagger.Load(r.GetValue(model)!);
            IEnumerable<string> lines;
            if (r.GetValue(file) is { Length: > 0 } path)
            {
                CliFiles.CheckInput(path);
                lines = File.ReadLines(path);
            }
            else if (r.GetValue(input) is { Length: > 0 } texts)
            {
                lines = texts;
            }
            else
            {
                lines = StandardInput(host.In);
            }
            Func<string, IReadOnlyList<TextToken>> split = r.GetValue(tokenize) == "whitespace" ? TextTokens.Whitespace : TextTokens.Rules;
            var results = new JsonArray();
            foreach (var line in lines)
            {
                var tokens = split(line);
                var tags = tagger.Tag([.. tokens.Select(t => t.Text)]);
                if (!terminal.IsJson)
                {
                    for (var i = 0; i < tokens.Count; i++) host.Out.WriteLine($"{tokens[i].Text}\t{tags[i]}");
                    host.Out.WriteLine();
                    host.Out.Flush();
                }
                results.Add((JsonNode)SentenceJson(line, tokens, tags, tagger.Scheme));
            }
            terminal.Json(new JsonObject { ["command"] = "tag predict", ["results"] = results });
            return 0;
        }));
        return command;
    }

    static JsonObject SentenceJson(string line, IReadOnlyList<TextToken> tokens, IReadOnlyList<string> tags, TagScheme scheme)
    {
        var json = new JsonObject
        {
            ["text"] = line,
            ["tokens"] = new JsonArray([.. tokens.Select((t, i) => (JsonNode?)new JsonObject { ["token"] = t.Text, ["start"] = t.Start, ["tag"] = tags[i] })]),
        };
        if (scheme != TagScheme.None)
        {
            json["spans"] = new JsonArray([.. TagSchemes.Spans(tags, scheme).Select(s =>
            {
                int start = tokens[s.Start].Start, end = tokens[s.End - 1].Start + tokens[s.End - 1].Text.Length;
                return (JsonNode?)new JsonObject { ["type"] = s.Type, ["start"] = start, ["end"] = end, ["text"] = line[start..end] };
            })]);
        }
        return json;
    }

    static IEnumerable<string> StandardInput(TextReader reader)
    {
        while (reader.ReadLine() is { } line) yield return line;
    }
}
