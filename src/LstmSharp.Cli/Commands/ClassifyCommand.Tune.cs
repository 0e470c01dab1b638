// `lstm classify tune`: chooses network size and training settings by stratified k-fold cross-validation on the
// training rows, prints every trial, then trains the best on all training rows like `train` and scores it on the test part.
using System.CommandLine;
using LstmSharp.Data;
using LstmSharp.Text;
using LstmSharp.Tuning;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static partial class ClassifyCommand
{
    static Command Tune(CliHost host)
    {
        var setup = new SetupOptions();
        var space = new SearchSpaceOptions();
        space.Add("units", "LSTM units per direction.", "32,64", integer: true);
        space.Add("embedding", "Embedding dimension.", "64", integer: true);
        space.Add("max_length", "Tokens read per text.", "200", integer: true);
        space.Add("dropout", "Input dropout of the LSTM.", "0.5", integer: false);
        space.Add("learning_rate", "Adam learning rate.", "0.002", integer: false);
        space.Add("batch_size", "Mini-batch size.", "32", integer: true);
        space.AddWords("pooling", "What the output layer reads: the last state, or concat (it with the maximum and mean over the steps).", "concat", "last", "concat");
        space.Add("head_dropout", "Dropout on the pooled features before the output layer.", "0.5", integer: false);
        space.Add("weight_dropout", "DropConnect on the LSTMs' recurrent weights.", "0", integer: false);
        space.Add("embedding_dropout", "Whole words dropped per batch in training.", "0", integer: false);
        space.AddWords("class_weight", "How the loss weighs the classes.", "none", "none", "balanced");
        space.Add("ensemble", "Networks whose logits are averaged.", "5", integer: true);
        var metric = Opt("--metric", "Score of each fold: accuracy or macro-f1 (higher is better).", "accuracy");
        metric.AcceptOnlyFromAmong("accuracy", "macro-f1");
        var command = new Command("tune", "Choose hyper-parameters by stratified k-fold cross-validation on the training rows, then train, score and save the best.") { metric };
        setup.AddTo(command);
        space.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var seed = r.GetValue(common.Seed);
            var path = r.GetValue(setup.Data)!;
            var textColumns = setup.TextNames(r);
            var labelColumn = r.GetValue(setup.Label)!;
            var test = r.GetValue(setup.Test);
            if (!(test > 0 && test < 1)) throw new CliException($"--test must be in (0, 1); received {test}.");
            var (texts, labels, _, ids) = ReadLabelled(path, textColumns, labelColumn);
            // The same stratified test split as `train` with this seed; the folds divide only the training rows.
            var (trainRows, _) = Splits.Stratified(ids, test, seed);
            var k = r.GetValue(space.Folds);
            IReadOnlyList<Fold> folds;
            try
            {
                folds = new StratifiedKFold(k, shuffle: true, seed).Split([.. trainRows.Select(i => ids[i])]);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{path}: {CliErrors.Message(e)}");
            }
            var baseline = setup.Read(r, seed);
            baseline.Validate();
            // The search can take long; an output that cannot be written must fail now, not after it.
            CliFiles.CheckOutput(r.GetValue(setup.Output)!, "--output", path);
            var log = TrainingLog.Open(r.GetValue(setup.LogDir)!);
            var searchSpace = space.Read(r);
            var name = r.GetValue(metric)!;
            terminal.Settings("classify tune", [
                ("data", $"{CliFiles.Show(path)} ({texts.Length:N0} rows)"), ("text", string.Join(" + ", textColumns)), ("label", labelColumn),
                ("search space", searchSpace.ToString()), ("search", $"{r.GetValue(space.Search)}, {(r.GetValue(space.Trials) is var t && t > 0 ? $"≤ {t}" : "all")} trials" +
                    (r.GetValue(space.Minutes) > 0 ? $", ≤ {r.GetValue(space.Minutes)} minutes" : "")),
                ("folds", $"{k} stratified folds of the {trainRows.Length} training rows"), ("score", $"{name} on each fold's validation rows, mean over folds"),
                ("fixed", $"{LevelName(baseline.Level)} tokens ≤ {baseline.MaxTokens}, {(baseline.Bidirectional ? "bidirectional" : "unidirectional")}, ≤ {baseline.Epochs} epochs, patience {baseline.Patience}"),
                ("test", $"stratified {test:P0}, used only by the final model"), ("seed", seed), ("results", r.GetValue(space.Results)), ("output", r.GetValue(setup.Output)),
            ]);
            var tuner = SearchSpaceOptions.Tuner(searchSpace, space.Options(r, name == "accuracy" ? "val_accuracy" : "val_macro_f1", seed, SearchSpaceOptions.Progress(terminal, name)) with
            {
                Mode = Callbacks.MonitorMode.Max,
            });
            var stop = new TrainingDisplay.StopOnCancel(terminal.Cancel);
            var result = tuner.Search(folds, (h, fold, _) =>
            {
                terminal.Cancel.ThrowIfCancellationRequested();
                var classifier = TextClassifier.Train([.. fold.Train.Select(i => texts[trainRows[i]])], [.. fold.Train.Select(i => labels[trainRows[i]])],
                    Candidate(baseline, h), callbacks: [stop]);
                terminal.Cancel.ThrowIfCancellationRequested();
                var report = classifier.Evaluate([.. fold.Validation.Select(i => texts[trainRows[i]])], [.. fold.Validation.Select(i => labels[trainRows[i]])]);
                return name == "accuracy" ? report.Accuracy : report.MacroF1;
            });
            space.Report(terminal, r, result, name);
            var bestTrial = SearchSpaceOptions.Best(result);
            terminal.Line($"Best: {bestTrial.HyperParameters} ({name} {bestTrial.Mean:G4} ± {bestTrial.Std:G3}); training it on all {trainRows.Length} training rows.");
            var search = space.Summary(r, result, name);
            return RunTrain(terminal, path, textColumns, labelColumn, Candidate(baseline, bestTrial.HyperParameters), test, r.GetValue(setup.Output)!, r.GetValue(setup.Plot)!, log, search);
        }));
        return command;
    }

    static TextClassifierOptions Candidate(TextClassifierOptions baseline, HyperParameters h) => baseline with
    {
        Units = h.GetInt("units"), EmbeddingSize = h.GetInt("embedding"), MaxLength = h.GetInt("max_length"), Dropout = h.GetFloat("dropout"),
        LearningRate = h.GetFloat("learning_rate"), BatchSize = h.GetInt("batch_size"),
        Pooling = h.Get<string>("pooling") == "concat" ? TextPooling.Concat : TextPooling.Last, HeadDropout = h.GetFloat("head_dropout"),
        WeightDropout = h.GetFloat("weight_dropout"), EmbeddingDropout = h.GetFloat("embedding_dropout"),
        ClassWeight = h.Get<string>("class_weight") == "balanced" ? TextClassWeight.Balanced : TextClassWeight.None, Ensemble = h.GetInt("ensemble"),
    };
}
