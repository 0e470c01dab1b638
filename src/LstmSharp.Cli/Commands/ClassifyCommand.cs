// `lstm classify train|evaluate|predict` (tune and explain in their own files): text classification from a CSV with text and label columns — tokens,
// Embedding + bidirectional LSTM + softmax, a stratified test split, accuracy, per-class scores and a confusion matrix.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Metrics;
using LstmSharp.Text;
using nietras.SeparatedValues;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static partial class ClassifyCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("classify", "Classify texts with an LSTM: train on a labelled CSV, evaluate, predict.");
        command.Subcommands.Add(Train(host));
        command.Subcommands.Add(Evaluate(host));
        command.Subcommands.Add(Predict(host));
        command.Subcommands.Add(Tune(host));
        command.Subcommands.Add(Explain(host));
        return command;
    }

    static Option<string[]> TextColumns() => new("--text")
    {
        Description = "Text column(s), joined with a line break when several (comma-separated or repeated).", DefaultValueFactory = _ => ["text"], AllowMultipleArgumentsPerToken = true,
    };

    static string[] Split(string[] values) => [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>The texts (named columns joined) and labels of a CSV file.</summary>
    static (string[] Texts, string[]? Labels) Read(string path, string[] textColumns, string? labelColumn)
    {
        var table = CliCsv.Read(path);
        var columns = textColumns.Select(c => CliCsv.Strings(table, c, "--text")).ToArray();
        var texts = Enumerable.Range(0, table.RowCount).Select(r => string.Join("\n", columns.Select(c => c[r]))).ToArray();
        string[]? labels = null;
        if (labelColumn is not null)
        {
            labels = CliCsv.Strings(table, labelColumn, "--label");
            var empty = Array.FindIndex(labels, string.IsNullOrWhiteSpace);
            if (empty >= 0) throw new CliException($"{path}:{table.Line(empty)}: column '{CliFiles.Quote(labelColumn)}' is empty; every row needs a label.");
        }
        return (texts, labels);
    }

    /// <summary>The options `train` and `tune` share: data, tokens, the training budget and the split.</summary>
    sealed class SetupOptions
    {
        public Argument<string> Data { get; } = new("data") { Description = "CSV file with a header row." };
        public Option<string[]> Text { get; } = TextColumns();
        public Option<string> Label { get; } = Opt("--label", "Label column.", "label");
        public Option<string> Level { get; } = Opt("--level", "Tokens: word, char or subword (byte-pair pieces learned on the training texts, --max-tokens of them).", "word");
        public Option<int> MaxTokens { get; } = Opt("--max-tokens", "Vocabulary limit (rarer tokens become [UNK]).", 20000);
        public Option<bool> Unidirectional { get; } = Opt("--unidirectional", "Read texts one way only (default: bidirectional).", false);
        public Option<int> Epochs { get; } = Opt("--epochs", "Most epochs.", 10);
        public Option<int> Patience { get; } = Opt("--patience", "Early stopping on validation loss (0 = off).", 3);
        public Option<float> Validation { get; } = Opt("--validation", "Fraction of the training rows held out (stratified) for validation.", 0.1f);
        public Option<double> Test { get; } = Opt("--test", "Fraction of the rows held out (stratified) for the test.", 0.2);
        public Option<string> Output { get; } = new("--output", "-o") { Description = "Model file to write.", DefaultValueFactory = _ => "classify.safetensors" };
        public Option<string> Plot { get; } = Opt("--plot", "Prefix of the loss plot (<prefix>-loss.png; '' for none).", "classify");
        public Option<string> LogDir { get; } = CommonOptions.LogDir();

        public SetupOptions() => Level.AcceptOnlyFromAmong("word", "char", "subword");

        public void AddTo(Command c)
        {
            c.Arguments.Add(Data);
            foreach (var option in new Option[] { Text, Label, Level, MaxTokens, Unidirectional, Epochs, Patience, Validation, Test, Output, Plot, LogDir }) c.Options.Add(option);
        }

        public TextClassifierOptions Read(ParseResult r, int seed) => new()
        {
            Level = LevelOf(r.GetValue(Level)!), MaxTokens = r.GetValue(MaxTokens), Bidirectional = !r.GetValue(Unidirectional),
            Epochs = r.GetValue(Epochs), Patience = r.GetValue(Patience), ValidationFraction = r.GetValue(Validation), Seed = seed,
        };

        public string[] TextNames(ParseResult r) => Split(r.GetValue(Text)!) is { Length: > 0 } names ? names : throw new CliException("--text needs at least one column.");
    }

    static TokenLevel LevelOf(string name) => name switch { "char" => TokenLevel.Character, "subword" => TokenLevel.Subword, _ => TokenLevel.Word };

    static string LevelName(TokenLevel level) => level switch { TokenLevel.Character => "char", TokenLevel.Subword => "subword", _ => "word" };

    /// <summary>Texts and labels of a labelled CSV, its classes (sorted ordinally; at least two) and each row's class id.</summary>
    static (string[] Texts, string[] Labels, string[] Classes, int[] Ids) ReadLabelled(string path, string[] textColumns, string labelColumn)
    {
        var (texts, read) = Read(path, textColumns, labelColumn);
        var labels = read!;
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
            throw new CliException($"{path}: the label column '{CliFiles.Quote(labelColumn)}' has a single class ('{CliFiles.Quote(classes[0])}') in all {labels.Length} rows; a classifier needs at least two.");
        return (texts, labels, classes, [.. labels.Select(l => Array.BinarySearch(classes, l, StringComparer.Ordinal))]);
    }

    static Command Train(CliHost host)
    {
        var setup = new SetupOptions();
        var maxLength = Opt("--max-length", "Tokens read per text (longer ones are cut; shorter ones padded and masked).", 200);
        var embedding = Opt("--embedding", "Embedding dimension.", 64);
        var units = Opt("--units", "LSTM units per direction.", 64);
        var dropout = Opt("--dropout", "Input dropout of the LSTM.", 0.5f);
        var rate = Opt("--learning-rate", "Adam learning rate.", 0.002f);
        var batch = Opt("--batch-size", "Mini-batch size.", 32);
        var layers = Opt("--layers", "Stacked LSTM layers.", 1);
        var pooling = Opt("--pooling", "What the output layer reads: last (the final state) or concat (it with the maximum and mean over the steps, ULMFiT's head).", "concat");
        pooling.AcceptOnlyFromAmong("last", "concat");
        var headDropout = Opt("--head-dropout", "Dropout on the pooled features before the output layer.", 0.5f);
        var weightDropout = Opt("--weight-dropout", "DropConnect on the LSTMs' recurrent weights in training (AWD-LSTM).", 0f);
        var embeddingDropout = Opt("--embedding-dropout", "Whole words dropped per batch in training (AWD-LSTM's embedding dropout).", 0f);
        var pretrained = Opt("--pretrained", "Start from a language model written by `lstm text train` (its tokens, embedding and LSTM layers; ULMFiT) (default: none).", "");
        var lmEpochs = Opt("--lm-epochs", "With --pretrained: epochs of fine-tuning the language model on the training texts first (0 = none).", 1);
        var schedule = Opt("--schedule", "The learning rate over training: constant, or slanted (ULMFiT's slanted triangular: up to --learning-rate over the first 10 % of the steps, then down to 1/32 of it).", "constant");
        schedule.AcceptOnlyFromAmong("constant", "slanted");
        var discriminative = Opt("--discriminative", "Each layer group (embedding, each LSTM, the head) learns this many times slower than the one above it (ULMFiT: 2.6; 1 = off).", 1f);
        var unfreezing = Opt("--gradual-unfreezing", "Train the head alone in epoch 1, then unfreeze one more layer group from the top per epoch (ULMFiT).", false);
        var ensemble = Opt("--ensemble", "Networks trained one after the other (each from its own initial weights, on the same split) whose logits the classifier averages.", 5);
        var classWeight = Opt("--class-weight", "How the loss weighs the classes: none (each text 1) or balanced (each class the same in total, as scikit-learn's class_weight=balanced).", "none");
        classWeight.AcceptOnlyFromAmong("none", "balanced");
        var testFile = Opt("--test-file", "Labelled CSV to test on instead of a split of the data (same columns; --test then defaults to 0) (default: none).", "");
        var command = new Command("train", "Train a text classifier; report accuracy, per-class precision/recall/F1 and the confusion matrix on a stratified test part or a test file.")
        {
            maxLength, embedding, units, dropout, rate, batch, layers, pooling, headDropout, weightDropout, embeddingDropout, pretrained, lmEpochs, schedule, discriminative, unfreezing, ensemble, classWeight, testFile,
        };
        setup.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var options = setup.Read(r, r.GetValue(common.Seed)) with
            {
                MaxLength = r.GetValue(maxLength), EmbeddingSize = r.GetValue(embedding), Units = r.GetValue(units), Dropout = r.GetValue(dropout),
                LearningRate = r.GetValue(rate), BatchSize = r.GetValue(batch), Layers = r.GetValue(layers),
                Pooling = r.GetValue(pooling) == "concat" ? TextPooling.Concat : TextPooling.Last, HeadDropout = r.GetValue(headDropout), LanguageModelEpochs = r.GetValue(lmEpochs),
                WeightDropout = r.GetValue(weightDropout), EmbeddingDropout = r.GetValue(embeddingDropout),
                Schedule = r.GetValue(schedule) == "slanted" ? TextSchedule.SlantedTriangular : TextSchedule.Constant,
                DiscriminativeFactor = r.GetValue(discriminative), GradualUnfreezing = r.GetValue(unfreezing),
                Ensemble = r.GetValue(ensemble), ClassWeight = r.GetValue(classWeight) == "balanced" ? TextClassWeight.Balanced : TextClassWeight.None,
            };
            var tests = r.GetValue(testFile)!;
            var test = tests.Length > 0 && r.GetResult(setup.Test) is not { Implicit: false } ? 0 : r.GetValue(setup.Test);
            var encoder = r.GetValue(pretrained) is { Length: > 0 } lm ? LanguageModel.Load(lm) : null;
            return RunTrain(terminal, r.GetValue(setup.Data)!, setup.TextNames(r), r.GetValue(setup.Label)!, options, test, r.GetValue(setup.Output)!, r.GetValue(setup.Plot)!,
                TrainingLog.Open(r.GetValue(setup.LogDir)!), testFile: tests.Length > 0 ? tests : null, pretrained: encoder, pretrainedPath: r.GetValue(pretrained));
        }));
        return command;
    }

    static int RunTrain(Terminal terminal, string path, string[] textColumns, string labelColumn, TextClassifierOptions options, double test, string output, string plot,
        TrainingLog? log, JsonObject? search = null, string? testFile = null, LanguageModel? pretrained = null, string? pretrainedPath = null)
    {
        options.Validate();
        if (testFile is null ? !(test > 0 && test < 1) : test != 0)
            throw new CliException(testFile is null ? $"--test must be in (0, 1) (or give --test-file); received {test}." : $"--test must be 0 with --test-file (the test rows come from {testFile}); received {test}.");
        CliFiles.CheckOutput(output, "--output", path);
        var (texts, labels, classes, ids) = ReadLabelled(path, textColumns, labelColumn);
        int[] trainRows, testRows;
        string[] testTexts, testLabels;
        if (testFile is null)
        {
            (trainRows, testRows) = Splits.Stratified(ids, test, options.Seed);
            (testTexts, testLabels) = ([.. testRows.Select(i => texts[i])], [.. testRows.Select(i => labels[i])]);
        }
        else
        {
            CliFiles.CheckInput(testFile);
            var read = Read(testFile, textColumns, labelColumn);
            (trainRows, testRows, testTexts, testLabels) = ([.. Enumerable.Range(0, texts.Length)], [], read.Texts, read.Labels!);
            if (testTexts.Length == 0) throw new CliException($"{testFile}: the test file has no rows.");
            var unknown = Array.FindIndex(testLabels, l => Array.BinarySearch(classes, l, StringComparer.Ordinal) < 0);
            if (unknown >= 0)
                throw new CliException($"{testFile}: row {unknown + 1} has the label '{CliFiles.Quote(testLabels[unknown])}', which the training data ({path}) does not have; it has {string.Join(", ", classes.Select(CliFiles.Quote))}.");
        }
        if (pretrained is not null) options = options with { Level = pretrained.Tokenizer.Level, Bidirectional = false };
        terminal.Settings("classify train", [
            ("data", $"{CliFiles.Show(path)} ({texts.Length:N0} rows)"), ("text", string.Join(" + ", textColumns)), ("label", labelColumn),
            ("classes", string.Join(", ", classes.Select((c, i) => $"{c} ({ids.Count(x => x == i)})"))),
            ("split", testFile is null ? $"stratified: training {trainRows.Length} (validation {options.ValidationFraction:P0} of it), test {testRows.Length}"
                : $"training {trainRows.Length} (validation {options.ValidationFraction:P0} of it), test {testTexts.Length} from {CliFiles.Show(testFile)}"),
            ("tokens", pretrained is null ? $"{LevelName(options.Level)}, ≤ {options.MaxTokens} in the vocabulary, ≤ {options.MaxLength} per text, lowercase {Terminal.YesNo(options.Lowercase)}"
                : $"the language model's: {LevelName(pretrained.Tokenizer.Level)}, {pretrained.Tokenizer.VocabularySize} in the vocabulary, ≤ {options.MaxLength} per text"),
            ("model", pretrained is null
                ? $"Embedding({options.EmbeddingSize}) → {(options.Bidirectional ? "Bidirectional " : "")}LSTM({options.Units}) × {options.Layers}, dropout {options.Dropout} → {PoolingName(options)} → Dense({classes.Length}) softmax"
                : $"the encoder of {CliFiles.Show(pretrainedPath!)} (fine-tuned on the training texts for {options.LanguageModelEpochs} epoch(s) first), dropout {options.Dropout} → {PoolingName(options)} → Dense({classes.Length}) softmax"),
            ("training", (options.Ensemble > 1 ? $"{options.Ensemble} networks, logits averaged; each " : "") + $"Adam {options.LearningRate}{(options.Schedule == TextSchedule.SlantedTriangular ? " (slanted triangular peak)" : "")}, ≤ {options.Epochs} epochs, batch {options.BatchSize}, patience {options.Patience}"
                + (options.DiscriminativeFactor != 1f ? $", discriminative ÷{options.DiscriminativeFactor} per layer group" : "") + (options.GradualUnfreezing ? ", gradual unfreezing" : "") + (options.ClassWeight == TextClassWeight.Balanced ? ", classes balanced" : "")),
            ("seed", options.Seed), ("output", CliFiles.Show(output)), ("plot", plot.Length == 0 ? "none" : $"{plot}-loss.png"), ("log", log is null ? "none" : CliFiles.Show(log.Folder)),
        ]);
        var validated = options.ValidationFraction > 0f;
        var (members, trainings, completed) = TrainingDisplay.RunEach(terminal, options.Ensemble, m => new TrainingWatch(options.Ensemble == 1 ? "classify" : $"classify {m + 1}/{options.Ensemble}", options.Epochs)
        {
            Patience = validated ? options.Patience : 0, KeepsBest = validated && options.Patience > 0, Log = options.Ensemble == 1 ? log : log?.Member(m + 1),
            LossTitle = $"{Path.GetFileName(path)}: loss per epoch{(options.Ensemble == 1 ? "" : $", network {m + 1} of {options.Ensemble}")}", LossAxis = "loss: cross-entropy (nats per text)",
        }, (m, progress, stop) => TextClassifier.TrainMember([.. trainRows.Select(i => texts[i])], [.. trainRows.Select(i => labels[i])], options, m, progress, [stop], pretrained), "classifier");
        var classifier = members.Count == 1 ? members[0] : TextClassifier.Join(members);
        var report = classifier.Evaluate(testTexts, testLabels);
        Show(terminal, $"test: {testTexts.Length} rows{(testFile is null ? "" : $" of {CliFiles.Show(testFile)}")}", classifier, report);
        classifier.TrainingData = new TextClassifierTrainingData { TextColumns = textColumns, LabelColumn = labelColumn };
        classifier.Save(output);
        terminal.Line($"Saved the model to {output}.");
        if (plot.Length > 0)
        {
            for (var m = 0; m < trainings.Count; m++)
            {
                var file = trainings.Count == 1 ? $"{plot}-loss.png" : $"{plot}-loss-{m + 1}.png";
                Plots.Save(Plots.Loss(trainings[m]), file);
                terminal.Line($"Wrote {file}.");
            }
        }
        var result = new JsonObject
        {
            ["command"] = "classify train", ["data"] = path, ["completed"] = completed, ["test"] = ReportJson(classifier, report), ["model"] = output,
            ["training"] = TrainingOutcome.Json(trainings), ["history"] = TrainingOutcome.HistoryJson(trainings),
        };
        if (search is not null) result["search"] = search;
        terminal.Json(result);
        return completed ? 0 : Cli.Interrupted;
    }

    static string PoolingName(TextClassifierOptions o)
        => (o.Pooling == TextPooling.Concat ? "concat pooling (last, max, mean)" : "last state") + (o.HeadDropout > 0f ? $", dropout {o.HeadDropout}" : "");

    static void Show(Terminal terminal, string title, TextClassifier classifier, ClassificationReport report)
    {
        var classes = classifier.Classes;
        terminal.Results($"{title}: accuracy {report.Accuracy:P2}", ["class", "precision", "recall", "F1", "support"],
            [.. classes.Select((c, i) => (IReadOnlyList<string>)[c, Terminal.F(report.Precision[i]), Terminal.F(report.Recall[i]), Terminal.F(report.F1[i]), report.Support[i].ToString(CultureInfo.InvariantCulture)]),
             ["macro average", Terminal.F(report.MacroPrecision), Terminal.F(report.MacroRecall), Terminal.F(report.MacroF1), report.Count.ToString(CultureInfo.InvariantCulture)],
             ["weighted F1", "", "", Terminal.F(report.WeightedF1), ""]]);
        terminal.Results("confusion matrix (rows: actual, columns: predicted)", ["actual \\ predicted", .. classes],
            classes.Select((c, i) => (IReadOnlyList<string>)[c, .. classes.Select((_, j) => report.Confusion[i, j].ToString(CultureInfo.InvariantCulture))]));
    }

    static JsonObject ReportJson(TextClassifier classifier, ClassificationReport report)
    {
        var perClass = new JsonObject();
        for (var i = 0; i < classifier.Classes.Count; i++)
            perClass[classifier.Classes[i]] = new JsonObject { ["precision"] = report.Precision[i], ["recall"] = report.Recall[i], ["f1"] = report.F1[i], ["support"] = report.Support[i] };
        var confusion = new JsonArray();
        for (var i = 0; i < classifier.Classes.Count; i++)
            confusion.Add((JsonNode)new JsonArray([.. Enumerable.Range(0, classifier.Classes.Count).Select(j => (JsonNode?)report.Confusion[i, j])]));
        return new JsonObject { ["accuracy"] = report.Accuracy, ["macro_f1"] = report.MacroF1, ["weighted_f1"] = report.WeightedF1, ["classes"] = perClass, ["confusion"] = confusion };
    }

    static string[] StoredTextColumns(TextClassifier c, string[] given, ParseResult r, Option<string[]> option)
        => r.GetResult(option) is { Implicit: false } ? given
            : c.TrainingData?.TextColumns.ToArray() ?? given;

    static Command Evaluate(CliHost host)
    {
        var data = new Argument<string>("data") { Description = "Labelled CSV file." };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm classify train`.", DefaultValueFactory = _ => "classify.safetensors" };
        var text = TextColumns();
        var label = Opt("--label", "Label column (default: the one the model was trained with).", "");
        var command = new Command("evaluate", "Score a saved classifier on a labelled CSV: accuracy, per-class scores, confusion matrix.") { data, model, text, label };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var classifier = TextClassifier.Load(r.GetValue(model)!);
            var columns = StoredTextColumns(classifier, Split(r.GetValue(text)!), r, text);
            var labelColumn = r.GetValue(label) is { Length: > 0 } l ? l : classifier.TrainingData?.LabelColumn ?? "label";
            var (texts, labels) = Read(r.GetValue(data)!, columns, labelColumn);
            terminal.Settings("classify evaluate", [("model", CliFiles.Show(r.GetValue(model)!)), ("data", $"{CliFiles.Show(r.GetValue(data)!)} ({texts.Length} rows)"), ("text", string.Join(" + ", columns)), ("label", labelColumn)]);
            ClassificationReport report;
            try
            {
                report = classifier.Evaluate(texts, labels!);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{r.GetValue(data)}: {CliErrors.Message(e)}");
            }
            Show(terminal, $"{texts.Length} rows", classifier, report);
            terminal.Json(new JsonObject { ["command"] = "classify evaluate", ["result"] = ReportJson(classifier, report) });
            return 0;
        }));
        return command;
    }

    /// <summary>The texts of --file (a CSV's text columns, or a .txt file's lines) when it is given, else the arguments.</summary>
    static string[] ReadTexts(ParseResult r, TextClassifier classifier, string path, Option<string[]> text, Argument<string[]> input)
    {
        if (path.Length == 0) return r.GetValue(input)!;
        CliFiles.CheckInput(path);
        string[] texts = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? Read(path, StoredTextColumns(classifier, Split(r.GetValue(text)!), r, text), null).Texts
            : [.. File.ReadAllLines(path).Where(l => l.Length > 0)];
        return texts.Length > 0 ? texts : throw new CliException($"{path}: the file is empty.");
    }

    static Command Predict(CliHost host)
    {
        var input = new Argument<string[]>("text") { Description = "Text(s) to classify.", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm classify train`.", DefaultValueFactory = _ => "classify.safetensors" };
        var file = Opt("--file", "Classify every row of a CSV file (its text columns) or every line of a .txt file instead (default: none).", "");
        var text = TextColumns();
        var output = Opt("--output", "CSV file for the predictions (default: none, print them).", "");
        var command = new Command("predict", "Label texts given on the command line or in a file, with each class's probability.") { input, model, file, text, output };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var classifier = TextClassifier.Load(r.GetValue(model)!);
            var path = r.GetValue(file)!;
            var texts = ReadTexts(r, classifier, path, text, input);
            if (texts.Length == 0) throw new CliException("Give a text to classify, or --file with texts.");
            terminal.Settings("classify predict", [("model", CliFiles.Show(r.GetValue(model)!)), ("input", path.Length > 0 ? $"{path} ({texts.Length} texts)" : $"{texts.Length} text(s)"), ("classes", string.Join(", ", classifier.Classes))]);
            var probabilities = classifier.PredictProbabilities(texts);
            var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();
            var target = r.GetValue(output)!;
            if (target.Length > 0)
            {
                CliFiles.CheckOutput(target, "--output", r.GetValue(model)!, path);
                using (var writer = Sep.New(',').Writer().ToFile(target))
                {
                    for (var i = 0; i < texts.Length; i++)
                    {
                        using var row = writer.NewRow();
                        row["row"].Format(i + 1);
                        row["label"].Set(classifier.Classes[predicted[i]]);
                        for (var c = 0; c < classifier.Classes.Count; c++) row[$"p_{classifier.Classes[c]}"].Format(probabilities[i][c]);
                    }
                }
                terminal.Line($"Wrote {texts.Length} prediction(s) to {target}.");
            }
            else
            {
                terminal.Results("predictions", ["text", "label", "probability"], texts.Select((t, i) => (IReadOnlyList<string>)[
                    t.Length > 60 ? t[..57].ReplaceLineEndings(" ") + "…" : t.ReplaceLineEndings(" "), classifier.Classes[predicted[i]], Terminal.F(probabilities[i][predicted[i]])]));
            }
            terminal.Json(new JsonObject
            {
                ["command"] = "classify predict",
                ["predictions"] = new JsonArray([.. texts.Select((t, i) => (JsonNode?)new JsonObject
                {
                    ["label"] = classifier.Classes[predicted[i]],
                    ["probabilities"] = new JsonObject([.. classifier.Classes.Select((c, k) => KeyValuePair.Create(c, (JsonNode?)probabilities[i][k]))]),
                })]),
            });
            return 0;
        }));
        return command;
    }
}
