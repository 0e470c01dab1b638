// LanguageModel: a character- or word-level language model — tokenizer, embedding, stacked stateful LSTMs and a
// per-step softmax — trained with truncated back-propagation through time, scored in bits per token, and sampled.
using System.Diagnostics;
using System.Globalization;
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;

namespace LstmSharp.Text;

/// <summary>
/// Predicts the next token of a text. Training (<see cref="Train"/>) walks <see cref="TextBatches"/> in order: each
/// batch continues the streams of the one before, so the stateful layers carry their state across batches while
/// gradients stop at the batch edge (truncated BPTT).
/// </summary>
public sealed partial class LanguageModel
{
    const string TokenizerKey = "lstmsharp.text.tokenizer";
    const string OptionsKey = "lstmsharp.text.steps";
    readonly float _learningRate, _decay;   // epoch e trains at learningRate · decay^(e−1)
    string? _source;                        // the file it was loaded from, for errors about what the network makes

    LanguageModel(Model model, Tokenizer tokenizer, int steps, float decay = 1f)
    {
        Model = model;
        Tokenizer = tokenizer;
        Steps = steps;
        _learningRate = model.Optimizer?.LearningRate ?? 0f;
        _decay = decay;
    }

    /// <summary>The network: Embedding → stateful LSTM × layers → Dense(vocabulary) logits per step.</summary>
    public Model Model { get; }

    /// <summary>Text ↔ ids.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Truncated-BPTT chunk length used in training.</summary>
    public int Steps { get; }

    /// <summary>Fits the vocabulary on <paramref name="trainingText"/> and builds an untrained network.</summary>
    public static LanguageModel Create(string trainingText, LanguageModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainingText);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tokenizer = Tokenizer.Fit([trainingText], options.Level, options.MaxTokens, options.Lowercase);
        if (tokenizer.VocabularySize < 3) throw new ArgumentException("The training text holds no tokens.", nameof(trainingText));
        var layers = new List<Layer> { new Embedding(tokenizer.VocabularySize, options.EmbeddingSize, dropout: options.EmbeddingDropout) };
        for (var l = 0; l < options.Layers; l++)
            layers.Add(new Lstm(options.Units, new LstmOptions { ReturnSequences = true, Stateful = true, Dropout = options.Dropout, WeightDropout = options.WeightDropout }));
        layers.Add(new Dense(tokenizer.VocabularySize));
        var model = new Sequential(options.Seed, new Input(-1), [.. layers]);
        model.Compile(new Adam(options.LearningRate) { GlobalClipNorm = options.ClipNorm > 0f ? options.ClipNorm : null }, new SparseCategoricalCrossentropy(fromLogits: true));
        return new LanguageModel(model, tokenizer, options.Steps, options.LearningRateDecay);
    }

    /// <summary>The ids of <paramref name="text"/> (unknown tokens become <see cref="Tokenizer.UnknownId"/>).</summary>
    public int[] Encode(string text) => Tokenizer.Encode(text);

    /// <summary>
    /// Splits <paramref name="text"/> into a training part and the last <paramref name="validationFraction"/> of it for
    /// validation (in characters, so a word may be cut at the seam).
    /// </summary>
    public static (string Training, string Validation) SplitText(string text, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(text);
        Internals.Guard.Option(validationFraction is > 0 and < 1, nameof(validationFraction), validationFraction, "in (0, 1)");
        var cut = (int)(text.Length * (1 - validationFraction));
        return (text[..cut], text[cut..]);
    }

    /// <summary>
    /// Trains with truncated BPTT: <see cref="Model.Fit(IBatchSource, FitOptions?)"/> over <paramref name="training"/>
    /// in order (each epoch from a zero state, at the learning rate of its epoch, see
    /// <see cref="LanguageModelOptions.LearningRateDecay"/>), validating on <paramref name="validation"/> after every
    /// epoch, keeping (and saving, given <see cref="LanguageModelTraining.BestModelPath"/>) the best, until the epochs
    /// or the time budget run out or a callback stops it. A loss that becomes NaN or infinite throws
    /// <see cref="TrainingDivergedException"/>.
    /// </summary>
    public LanguageModelRun Train(TextBatches training, TextBatches validation, LanguageModelTraining options)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var budget = new TimeBudget(clock, options.MaxDuration);
        var best = new BestEpoch(this, clock, options);
        List<Callback> callbacks = [budget, best, .. options.Callbacks];
        if (_decay < 1f) callbacks.Insert(0, new LearningRateScheduler((epoch, _) => _learningRate * MathF.Pow(_decay, epoch)));
        var history = Model.Fit(training, new FitOptions
        {
            Epochs = options.Epochs, ResetStatesEachEpoch = true, ValidationBatches = validation, ThrowOnDivergence = true,
            Progress = options.Progress, Callbacks = callbacks,
        });
        Model.ResetStates();
        return new LanguageModelRun(history, best.Epoch, best.Loss, budget.OutOfTime);
    }

    /// <summary>Stops training after the batch in which the time budget runs out.</summary>
    sealed class TimeBudget(Stopwatch clock, TimeSpan? budget) : Callback
    {
        public bool OutOfTime { get; private set; }

        public override void OnBatchEnd(Model model, int batch, float loss)
        {
            if (budget is not { } b || clock.Elapsed < b) return;
            OutOfTime = true;
            model.StopTraining = true;
        }
    }

    /// <summary>After each validated epoch: keeps the best, saves it, tells the caller.</summary>
    sealed class BestEpoch(LanguageModel owner, Stopwatch clock, LanguageModelTraining options) : Callback
    {
        public int Epoch { get; private set; }

        public double Loss { get; private set; } = double.PositiveInfinity;

        public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
        {
            var valid = (double)logs["val_loss"];
            var improved = valid < Loss;
            if (improved)
            {
                (Epoch, Loss) = (epoch, valid);
                if (options.BestModelPath is { } path) owner.Save(path);
            }
            options.EpochEnd?.Invoke(new LanguageModelEpoch(epoch, logs["loss"], valid, improved, clock.Elapsed));
        }
    }

    /// <summary>Mean cross-entropy in nats per token over <paramref name="batches"/>, in order from a zero state.</summary>
    /// <exception cref="InvalidDataException">The loss is not finite (damaged weights).</exception>
    public double Evaluate(TextBatches batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        Model.ResetStates();
        var loss = Model.Evaluate(batches)["loss"];
        Model.ResetStates();
        return double.IsFinite(loss) ? loss : throw Damaged("its loss is");
    }

    InvalidDataException Damaged(string what) => ModelTasks.NotFinite(_source, "The language model", $"{what} not finite");

    /// <summary>
    /// Continues <paramref name="prompt"/> by <paramref name="length"/> tokens, yielding each one's text as it is
    /// made (words come with a leading space). An empty prompt starts after a line break (or the most common token).
    /// </summary>
    /// <exception cref="InvalidDataException">The network made a score that is not finite (damaged weights).</exception>
    public IEnumerable<string> Generate(string prompt, int length, SamplingOptions sampling, TokenSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(sampler);
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, $"The length must be 0 or more; received {length}.");
        return Run();

        IEnumerable<string> Run()
        {
            var ids = Encode(prompt);
            if (ids.Length == 0)
            {
                var newline = Tokenizer.Vocabulary.ToList().IndexOf("\n");
                ids = [newline > Tokenizer.UnknownId ? newline : Tokenizer.UnknownId + 1];
            }
            Model.ResetStates();
            var x = new Tensor([.. ids.Select(i => (float)i)], 1, ids.Length);
            var vocabulary = Tokenizer.VocabularySize;
            var scores = new float[vocabulary];
            var step = new Tensor(new float[1], 1, 1);
            var options = sampling with { FromLogits = true };
            for (var n = 0; n < length; n++)
            {
                var output = Model.Forward(x).Span;
                output.Slice(output.Length - vocabulary, vocabulary).CopyTo(scores);
                if (scores.AsSpan().IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) >= 0)
                    throw Damaged("its next-token scores are");
                scores[Tokenizer.PaddingId] = float.NegativeInfinity;
                scores[Tokenizer.UnknownId] = float.NegativeInfinity;
                var id = sampler.Next(scores, options);
                yield return Tokenizer.Level switch
                {
                    TokenLevel.Word => " " + Tokenizer.Decode([id]),
                    // a piece that starts a word starts with a space; the others continue the word before them
                    TokenLevel.Subword => Tokenizer.Vocabulary[id] is var piece && piece.StartsWith(BytePairEncoding.WordStart, StringComparison.Ordinal)
                        ? " " + piece[BytePairEncoding.WordStart.Length..] : Tokenizer.Vocabulary[id],
                    _ => Tokenizer.Decode([id]),
                };
                step.Span[0] = id;
                x = step;
            }
            Model.ResetStates();
        }
    }

    /// <summary>Saves the network with its vocabulary (atomically, see <see cref="Model.Save"/>).</summary>
    public void Save(string path)
    {
        Model.Metadata[ModelTasks.Key] = ModelTasks.Text;
        Model.Metadata[TokenizerKey] = Tokenizer.ToJson();
        Model.Metadata[OptionsKey] = Steps.ToString(CultureInfo.InvariantCulture);
        Model.Save(path);
    }

    /// <summary>The longest truncated-BPTT chunk a model file may record.</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Loads a language model saved by <see cref="Save"/>; a model file made for another task is refused.</summary>
    /// <remarks>
    /// A valid language-model file is a valid model file (see <see cref="Model.Load"/>) made for the text task, compiled
    /// (training and scoring need its optimizer and loss), with a valid tokenizer (see <see cref="Tokenizer.FromJson"/>)
    /// and BPTT steps of 1 to <see cref="MaxSteps"/>; its network reads ids [time] of any length through an Embedding
    /// of exactly the tokenizer's vocabulary, carries its state through stateful recurrent layers that return
    /// sequences (generation feeds one token at a time), and ends in one output per token of the vocabulary.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid language-model file; the message names it and says why.</exception>
    public static LanguageModel Load(string path, ModelFileLimits? limits = null)
    {
        var model = Model.Load(path, limits);
        var task = ModelTasks.Of(model);
        if (task != ModelTasks.Text || !model.Metadata.TryGetValue(TokenizerKey, out var json))
            throw ModelTasks.WrongKind(path, task, ModelTasks.Text);
        var tokenizer = ModelTasks.ReadTokenizer(path, json);
        ModelTasks.CheckTokenInput(path, model, tokenizer, model is Sequential && model.InputShape is [-1], "ids [time] of any length through a Sequential chain");
        if (model.OutputShape.Count != 2 || model.OutputShape[^1] != tokenizer.VocabularySize)
            throw new InvalidDataException($"{path}: the vocabulary ({tokenizer.VocabularySize} tokens) disagrees with the network's output [{string.Join(", ", model.OutputShape)}]; expected [time, {tokenizer.VocabularySize}].");
        var recurrent = model.Layers.OfType<Rnn>().ToArray();
        if (recurrent.Length == 0 || recurrent.Any(r => !r.Options.Stateful || !r.Options.ReturnSequences))
            throw new InvalidDataException($"{path}: a language model's recurrent layers must be stateful and return sequences; this network's are not ({recurrent.Length} recurrent layer(s)).");
        if (model.Optimizer is null || model.Loss is null)
            throw new InvalidDataException($"{path}: the model file holds no compile settings (optimizer and loss); a language model needs them to train and score; train one with {nameof(LanguageModel)}.{nameof(Create)} and {nameof(Train)}.");
        var steps = 100;
        if (model.Metadata.TryGetValue(OptionsKey, out var s) && !(int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out steps) && steps is >= 1 and <= MaxSteps))
            throw new InvalidDataException($"{path}: the BPTT steps in this model file are '{SafeTensors.Excerpt(s)}'; expected a whole number in [1, {MaxSteps}].");
        return new LanguageModel(model, tokenizer, steps) { _source = path };
    }
}
