// TextClassifier: labels texts — tokenizer, Embedding (id 0 = padding, masked), a (bidirectional) LSTM and a
// softmax layer — trained with a stratified validation split and early stopping, scored with a classification report.
using System.Text.Json;
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.IO;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp.Text;

/// <summary>Predicts one of a fixed set of labels for a text.</summary>
public sealed partial class TextClassifier
{
    const string TokenizerKey = "lstmsharp.classify.tokenizer";
    const string ClassesKey = "lstmsharp.classify.classes";
    // TrainingData, as the `lstm` tool has written it from the start: the text columns comma-separated.
    const string TextColumnsKey = "lstmsharp.classify.text_columns";
    const string LabelColumnKey = "lstmsharp.classify.label_column";

    readonly int _batchSize;   // texts per Predict call, within the work-buffer limit
    string? _source;           // the file it was loaded from, for errors about what the network makes

    TextClassifier(Model model, Tokenizer tokenizer, string[] classes, ModelFileLimits? limits = null)
    {
        Model = model;
        Tokenizer = tokenizer;
        Classes = classes;
        _batchSize = (limits ?? ModelFileLimits.Default).BatchSize(ModelFile.WorkBytesPerSample(model), 128);
    }

    /// <summary>The network: Embedding → (Bidirectional) LSTM → Dense(classes) logits.</summary>
    public Model Model { get; }

    /// <summary>Text ↔ ids.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The labels, in class-id order (sorted ordinally).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Tokens read per text.</summary>
    public int MaxLength => Model.InputShape[0];

    /// <summary>
    /// The columns of the table it was trained on (texts, label), for whoever evaluates or predicts from another
    /// table later; null when not recorded. <see cref="Train"/> leaves it null (it sees texts, not a table);
    /// <see cref="Save"/> writes it and <see cref="Load"/> reads it back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A field out of range (see <see cref="TextClassifierTrainingData.Validate"/>).</exception>
    public TextClassifierTrainingData? TrainingData
    {
        get;
        set
        {
            value?.Validate();
            field = value;
        }
    }

    /// <summary>The class id of each label in <paramref name="labels"/>; a label the classifier does not know is an error naming it and its row.</summary>
    public int[] ClassIds(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var ids = new int[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            ids[i] = Array.IndexOf((string[])Classes, labels[i]);
            if (ids[i] < 0)
            {
                throw new ArgumentException($"Row {i + 1} has the label '{SafeTensors.Excerpt(labels[i] ?? "null")}', which the classifier does not know; it knows: " +
                    $"{string.Join(", ", Classes.Take(20).Select(c => SafeTensors.Excerpt(c)))}{(Classes.Count > 20 ? $" and {Classes.Count - 20} more" : "")}.", nameof(labels));
            }
        }
        return ids;
    }

    /// <summary>
    /// Trains on <paramref name="texts"/> with <paramref name="labels"/>: the classes are the distinct labels (at
    /// least two), the vocabulary is fitted on the training texts only, and a stratified
    /// <see cref="TextClassifierOptions.ValidationFraction"/> of them drives early stopping. With
    /// <see cref="TextClassifierOptions.Ensemble"/> above 1 it trains that many networks one after the other (see
    /// <see cref="TrainMember"/>; <paramref name="progress"/> and <paramref name="callbacks"/> see each one's training
    /// in turn) and joins them (<see cref="Join"/>).
    /// </summary>
    /// <param name="texts">The training texts.</param>
    /// <param name="labels">One label per text.</param>
    /// <param name="options">Tokens, network and training.</param>
    /// <param name="progress">Receives a report after every batch and epoch.</param>
    /// <param name="callbacks">More callbacks for <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/>.</param>
    /// <param name="pretrained">
    /// A language model to start from (ULMFiT, Howard &amp; Ruder 2018): its tokenizer replaces the fitted one and
    /// its embedding and LSTM layers the classifier's (one direction, its sizes; <see cref="TextClassifierOptions.Level"/>,
    /// <see cref="TextClassifierOptions.MaxTokens"/>, <see cref="TextClassifierOptions.EmbeddingSize"/>,
    /// <see cref="TextClassifierOptions.Units"/>, <see cref="TextClassifierOptions.Layers"/> and
    /// <see cref="TextClassifierOptions.Bidirectional"/> are then its). First it is fine-tuned for
    /// <see cref="TextClassifierOptions.LanguageModelEpochs"/> on the training texts (the model passed in is changed).
    /// </param>
    public static TextClassifier Train(IReadOnlyList<string> texts, IReadOnlyList<string> labels, TextClassifierOptions options,
        IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null, LanguageModel? pretrained = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var members = new TextClassifier[options.Ensemble];
        for (var m = 0; m < members.Length; m++) members[m] = TrainMember(texts, labels, options, m, progress, callbacks, pretrained);
        return members.Length == 1 ? members[0] : Join(members);
    }

    /// <summary>
    /// Trains network <paramref name="member"/> (from 0) of an ensemble of <see cref="TextClassifierOptions.Ensemble"/>:
    /// every member has the same validation split and vocabulary (from <see cref="TextClassifierOptions.Seed"/>) and its
    /// own initial weights, shuffling and dropout (from <see cref="TextClassifierOptions.Seed"/> + 7919 · member). With
    /// a <paramref name="pretrained"/> language model, member 0 fine-tunes it first and the others start from it as it
    /// then is. <see cref="Join"/> makes the ensemble of the trained members; for an ensemble of one, member 0 is what
    /// <see cref="Train"/> returns.
    /// </summary>
    public static TextClassifier TrainMember(IReadOnlyList<string> texts, IReadOnlyList<string> labels, TextClassifierOptions options, int member,
        IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null, LanguageModel? pretrained = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (member < 0 || member >= options.Ensemble)
            throw new ArgumentOutOfRangeException(nameof(member), member, $"member must be in [0, {options.Ensemble}) for an ensemble of {options.Ensemble}; received {member}.");
        if (texts.Count != labels.Count) throw new ArgumentException($"Expected one label per text; received {texts.Count} texts and {labels.Count} labels.", nameof(labels));
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
            throw new ArgumentException($"A classifier needs at least two classes; every label is '{(classes.Length == 0 ? "" : classes[0])}'.", nameof(labels));
        var ids = labels.Select(l => Array.BinarySearch(classes, l, StringComparer.Ordinal)).ToArray();

        int[] train, validation;
        if (options.ValidationFraction > 0f) (train, validation) = Splits.Stratified(ids, options.ValidationFraction, options.Seed);
        else (train, validation) = (Enumerable.Range(0, texts.Count).ToArray(), []);
        var seed = options.Seed + 7919 * member;
        Model model;
        Tokenizer tokenizer;
        if (pretrained is not null)
        {
            if (member == 0) FineTune(pretrained, [.. train.Select(i => texts[i])], [.. validation.Select(i => texts[i])], options);
            tokenizer = pretrained.Tokenizer;
            model = FromLanguageModel(pretrained, options, classes.Length, seed);
        }
        else
        {
            tokenizer = Tokenizer.Fit(train.Select(i => texts[i]), options.Level, options.MaxTokens, options.Lowercase);
            model = Build(options, tokenizer.VocabularySize, classes.Length, seed);
        }
        var all = new List<Callback>(callbacks ?? []);
        Compile(model, options, train.Length, all);
        var classifier = new TextClassifier(model, tokenizer, classes);

        var (x, y) = classifier.Encode(train.Select(i => texts[i]).ToArray(), train.Select(i => ids[i]).ToArray());
        var fit = new FitOptions { Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = seed, Progress = progress, Callbacks = all, ThrowOnDivergence = true };
        if (options.ClassWeight == TextClassWeight.Balanced)
        {
            var counts = new int[classes.Length];
            foreach (var i in train) counts[ids[i]]++;
            fit = fit with { ClassWeights = Enumerable.Range(0, classes.Length).Where(c => counts[c] > 0).ToDictionary(c => c, c => train.Length / (float)(classes.Length * counts[c])) };
        }
        EarlyStopping? stopping = null;
        if (validation.Length > 0)
        {
            fit = fit with { ValidationData = classifier.Encode(validation.Select(i => texts[i]).ToArray(), validation.Select(i => ids[i]).ToArray()) };
            if (options.Patience > 0) all.Add(stopping = new EarlyStopping("val_loss", options.Patience, restoreBestWeights: true));
        }
        var history = model.Fit(x, y, fit);
        classifier.Histories = [history];
        classifier.KeptEpochs = [stopping is { BestEpoch: > 0 } s ? s.BestEpoch : history.Epochs];
        return classifier;
    }

    /// <summary>
    /// The ensemble of <paramref name="members"/> (trained by <see cref="TrainMember"/>, or any classifiers with the same
    /// tokenizer, classes and text length): one network that runs each member's and averages their logits (the
    /// normalised geometric mean of their probabilities); it saves, loads, exports and explains as one model. Each
    /// member's network is renamed <c>member_1</c>, <c>member_2</c>, … (in order) to keep the layer names apart.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two members, or members that read or label differently.</exception>
    public static TextClassifier Join(IReadOnlyList<TextClassifier> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2) throw new ArgumentException($"An ensemble needs at least two members; received {members.Count}.", nameof(members));
        var first = members[0];
        var tokenizer = first.Tokenizer.ToJson();
        for (var m = 1; m < members.Count; m++)
        {
            if (members[m].Tokenizer.ToJson() != tokenizer || !members[m].Classes.SequenceEqual(first.Classes) || members[m].MaxLength != first.MaxLength)
                throw new ArgumentException($"Member {m + 1} reads or labels differently from member 1 (tokenizer, classes or text length); an ensemble's members share all three.", nameof(members));
        }
        for (var m = 0; m < members.Count; m++) members[m].Model.Name = $"member_{m + 1}";   // layer names must differ within the ensemble
        var input = new Input(first.MaxLength) { Name = "tokens" };
        var model = new Model([input], [new Average("logits").Call([.. members.Select(c => c.Model.Call(input))])], name: "classifier");
        return new TextClassifier(model, first.Tokenizer, (string[])first.Classes)
        {
            Histories = [.. members.SelectMany(c => c.Histories)], KeptEpochs = [.. members.SelectMany(c => c.KeptEpochs)],
        };
    }

    /// <summary>Each network's training logs: one per member of an ensemble (empty for a loaded classifier).</summary>
    public IReadOnlyList<History> Histories { get; private set; } = [];

    /// <summary>The epoch whose weights each network has (early stopping's best, else the last): one per member of an ensemble (empty for a loaded classifier).</summary>
    public IReadOnlyList<int> KeptEpochs { get; private set; } = [];

    /// <summary>ULMFiT's second stage: the language model trained on the task's own texts (the validation texts score it).</summary>
    static void FineTune(LanguageModel model, string[] train, string[] validation, TextClassifierOptions options)
    {
        if (options.LanguageModelEpochs == 0) return;
        var (trainText, validText) = validation.Length > 0 ? (string.Join("\n", train), string.Join("\n", validation)) : LanguageModel.SplitText(string.Join("\n", train), 0.1);
        model.Train(Batches(trainText), Batches(validText), new LanguageModelTraining { Epochs = options.LanguageModelEpochs });

        // As many streams of the language model's chunk length as the text fills, up to the batch size.
        TextBatches Batches(string text)
        {
            var ids = model.Encode(text);
            var steps = Math.Min(model.Steps, Math.Max(1, ids.Length - 1));
            return new TextBatches(ids, Math.Clamp(ids.Length / (steps + 1), 1, options.BatchSize), steps);
        }
    }

    static Model Build(TextClassifierOptions options, int vocabulary, int classes, int seed)
    {
        var input = new Input(options.MaxLength) { Name = "tokens" };
        var x = new Embedding(vocabulary, options.EmbeddingSize, "embedding", dropout: options.EmbeddingDropout).Call(input);
        IReadOnlyList<Symbol> states = [];
        for (var l = 1; l <= options.Layers; l++)
        {
            var lstm = new Lstm(options.Units, new LstmOptions { Dropout = options.Dropout, WeightDropout = options.WeightDropout, ReturnSequences = true, Name = $"lstm_{l}" });
            (x, states) = options.Bidirectional ? new Bidirectional(lstm, MergeMode.Concat, $"lstm_{l}").CallWithState(x) : lstm.CallWithState(x);
        }
        var last = options.Bidirectional ? new Concatenate(name: "last").Call(states[0], states[2]) : states[0];
        return Head(options, input, x, last, classes, seed);
    }

    /// <summary>The pooling and output layer over the encoder's outputs <paramref name="sequence"/> and final state <paramref name="last"/>.</summary>
    static Model Head(TextClassifierOptions options, Input input, Symbol sequence, Symbol last, int classes, int seed)
    {
        var pooled = options.Pooling == TextPooling.Concat
            ? new Concatenate(name: "concat_pooling").Call(last, new GlobalMaxPooling1D("max_pooling").Call(sequence), new GlobalAveragePooling1D("mean_pooling").Call(sequence))
            : last;
        if (options.HeadDropout > 0f) pooled = new Dropout(options.HeadDropout, seed, "head_dropout").Call(pooled);
        return new Model([input], [new Dense(classes, name: "logits").Call(pooled)], seed, "classifier");
    }

    /// <summary>
    /// Adam with the options' learning rate, constant or slanted triangular over every step of <paramref name="trainTexts"/>
    /// for <see cref="TextClassifierOptions.Epochs"/> epochs; the discriminative rates and the gradual unfreezing
    /// callback (added to <paramref name="callbacks"/>) over the layer groups.
    /// </summary>
    static void Compile(Model model, TextClassifierOptions options, int trainTexts, List<Callback> callbacks)
    {
        var groups = LayerGroups(model);
        if (options.DiscriminativeFactor != 1f) Discriminative.Apply(groups, options.DiscriminativeFactor);
        if (options.GradualUnfreezing) callbacks.Add(new GradualUnfreezing(groups));
        var steps = (long)options.Epochs * ((trainTexts + options.BatchSize - 1) / options.BatchSize);
        var schedule = options.Schedule == TextSchedule.SlantedTriangular && steps >= 10 ? new SlantedTriangular(options.LearningRate, steps) : null;
        model.Compile(new Adam(options.LearningRate) { GlobalClipNorm = 5f, Schedule = schedule }, new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalAccuracy());
    }

    /// <summary>ULMFiT's layer groups, input to output: the embedding, each recurrent layer, and the head (every layer with weights after them).</summary>
    internal static Layer[][] LayerGroups(Model model)
    {
        var weighted = model.Layers.Where(l => l.Parameters.Count > 0).ToArray();
        var lastEncoder = Array.FindLastIndex(weighted, l => l is Embedding or Rnn or Bidirectional);
        return [.. weighted.Take(lastEncoder + 1).Select(l => new[] { l }), weighted.Skip(lastEncoder + 1).ToArray()];
    }

    /// <summary>The classifier on a language model's embedding and LSTM layers (their weights copied), reading one way.</summary>
    static Model FromLanguageModel(LanguageModel language, TextClassifierOptions options, int classes, int seed)
    {
        var embedding = language.Model.Layers.OfType<Embedding>().Single();
        var recurrent = language.Model.Layers.OfType<Lstm>().ToArray();
        if (recurrent.Length == 0 || recurrent.Length != language.Model.Layers.OfType<Rnn>().Count())
            throw new ArgumentException("A pre-trained encoder must be a language model of LSTM layers.", nameof(language));
        var input = new Input(options.MaxLength) { Name = "tokens" };
        var x = new Embedding(embedding.VocabularySize, embedding.Dimension, "embedding", dropout: options.EmbeddingDropout).Call(input);
        IReadOnlyList<Symbol> states = [];
        for (var l = 0; l < recurrent.Length; l++)
        {
            var o = recurrent[l].LstmOptions;
            (x, states) = new Lstm(recurrent[l].Units, o with { Stateful = false, ReturnSequences = true, Dropout = options.Dropout, WeightDropout = options.WeightDropout, Name = $"lstm_{l + 1}" }).CallWithState(x);
        }
        var model = Head(options, input, x, states[0], classes, seed);
        var targets = model.Layers.Where(l => l is Embedding or Lstm).ToArray();
        Layer[] sources = [embedding, .. recurrent];
        for (var i = 0; i < sources.Length; i++)
            for (var p = 0; p < sources[i].Parameters.Count; p++) sources[i].Parameters[p].Value.Span.CopyTo(targets[i].Parameters[p].Value.Span);
        return model;
    }

    (Tensor X, Tensor Y) Encode(IReadOnlyList<string> texts, int[] ids)
    {
        var x = Tokenizer.EncodeBatch(texts, MaxLength, out _);
        return (x, new Tensor([.. ids.Select(i => (float)i)], ids.Length));
    }

    /// <summary>Class probabilities <c>[texts, classes]</c> for <paramref name="texts"/>.</summary>
    /// <exception cref="InvalidDataException">The network made a probability that is not finite (damaged weights).</exception>
    public float[][] PredictProbabilities(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        var logits = Model.Predict(Tokenizer.EncodeBatch(texts, MaxLength, out _), _batchSize).Span;
        var c = Classes.Count;
        var result = new float[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = new float[c];
            KernelSet.Default.SoftMax(logits.Slice(i * c, c), 1, c, result[i]);
            if (!float.IsFinite(result[i].Sum()))
                throw ModelTasks.NotFinite(_source, "The classifier", $"the probabilities for text {i + 1} are not finite");
        }
        return result;
    }

    /// <summary>The most probable class id of each text.</summary>
    public int[] Predict(IReadOnlyList<string> texts)
        => [.. PredictProbabilities(texts).Select(p => Array.IndexOf(p, p.Max()))];

    /// <summary>Accuracy, per-class precision, recall and F1 and the confusion matrix on labelled texts.</summary>
    public ClassificationReport Evaluate(IReadOnlyList<string> texts, IReadOnlyList<string> labels)
    {
        var actual = ClassIds(labels);
        return ClassificationReport.Compute(actual, Predict(texts), Classes.Count);
    }

    /// <summary>Saves the network with its vocabulary, labels and <see cref="TrainingData"/> (atomically, see <see cref="Model.Save"/>).</summary>
    public void Save(string path)
    {
        Model.Metadata[ModelTasks.Key] = ModelTasks.Classify;
        Model.Metadata[TokenizerKey] = Tokenizer.ToJson();
        Model.Metadata[ClassesKey] = JsonSerializer.Serialize(Classes, TextJsonContext.Default.IReadOnlyListString);
        if (TrainingData is { } data)
        {
            Model.Metadata[TextColumnsKey] = string.Join(",", data.TextColumns);
            Model.Metadata[LabelColumnKey] = data.LabelColumn;
        }
        else
        {
            Model.Metadata.Remove(TextColumnsKey);
            Model.Metadata.Remove(LabelColumnKey);
        }
        Model.Save(path);
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>; a model file made for another task is refused.</summary>
    /// <remarks>
    /// A valid classifier file is a valid model file (see <see cref="Model.Load"/>) made for the classify task, with a
    /// valid tokenizer (see <see cref="Tokenizer.FromJson"/>) and a class list of at least two distinct, non-null
    /// labels; its network reads ids [length] (1 to <see cref="TextClassifierOptions.MaxMaxLength"/> tokens) through
    /// an Embedding of exactly the tokenizer's vocabulary, and ends in one output per class; one text's work buffers
    /// fit <see cref="ModelFileLimits.MaxWorkBytes"/>.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid classifier file; the message names it and says why.</exception>
    public static TextClassifier Load(string path, ModelFileLimits? limits = null)
    {
        limits ??= ModelFileLimits.Default;
        var model = Model.Load(path, limits);
        var task = ModelTasks.Of(model);
        if (task != ModelTasks.Classify || !model.Metadata.TryGetValue(TokenizerKey, out var json) || !model.Metadata.TryGetValue(ClassesKey, out var classesJson))
            throw ModelTasks.WrongKind(path, task, ModelTasks.Classify);
        var tokenizer = ModelTasks.ReadTokenizer(path, json);
        string?[] classes;
        try
        {
            classes = [.. JsonSerializer.Deserialize(classesJson, TextJsonContext.Default.IReadOnlyListString) ?? []];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the class list in this model file is damaged ({SafeTensors.Excerpt(e.Message, 400)}).", e);
        }
        if (classes.Length < 2 || classes.Any(c => c is null) || classes.Distinct(StringComparer.Ordinal).Count() != classes.Length)
            throw new InvalidDataException($"{path}: the class list in this model file is damaged: it needs at least two distinct labels, none null; it holds {classes.Length} entries.");
        if (model.OutputShape.Count != 1 || classes.Length != model.OutputShape[0])
            throw new InvalidDataException($"{path}: {classes.Length} classes disagree with the network's output [{string.Join(", ", model.OutputShape)}].");
        ModelTasks.CheckTokenInput(path, model, tokenizer, model.InputShape.Count == 1 && model.InputShape[0] is >= 1 and <= TextClassifierOptions.MaxMaxLength,
            $"ids [length] with a length of 1 to {TextClassifierOptions.MaxMaxLength}");
        return new TextClassifier(model, tokenizer, classes!, limits) { TrainingData = ReadTrainingData(model.Metadata), _source = path };
    }

    /// <summary>The training data a file records: null when it records none, or only empty entries, or only one of the two.</summary>
    static TextClassifierTrainingData? ReadTrainingData(IDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(TextColumnsKey, out var text) || !metadata.TryGetValue(LabelColumnKey, out var label) || label.Length == 0) return null;
        var columns = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return columns.Length == 0 ? null : new TextClassifierTrainingData { TextColumns = columns, LabelColumn = label };
    }
}
