// TextClassifierOptions: tokens, network size and training of a TextClassifier, as an init-only record.
using LstmSharp.Data;
using LstmSharp.Internals;

namespace LstmSharp.Text;

/// <summary>Settings of a <see cref="TextClassifier"/>; the defaults are five word-level bidirectional LSTM(64)s with concat pooling, their logits averaged.</summary>
public sealed record TextClassifierOptions
{
    /// <summary>Words or characters. Default <see cref="TokenLevel.Word"/>.</summary>
    public TokenLevel Level { get; init; } = TokenLevel.Word;

    /// <summary>Vocabulary limit, including padding and the unknown token. Default 20,000.</summary>
    public int MaxTokens { get; init; } = 20000;

    /// <summary>Lower-case texts first. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>The largest <see cref="MaxLength"/> accepted: a million tokens.</summary>
    public const int MaxMaxLength = 1_000_000;

    /// <summary>Tokens kept per text, 1 to <see cref="MaxMaxLength"/> (longer texts are cut at the end; shorter ones padded and masked). Default 200.</summary>
    public int MaxLength { get; init; } = 200;

    /// <summary>Embedding dimension. Default 64.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>LSTM units (per direction). Default 64.</summary>
    public int Units { get; init; } = 64;

    /// <summary>Read the text both ways (Bidirectional, concatenated). Default true. A pre-trained encoder reads one way, as its language model did.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>Stacked LSTM layers. Default 1. A pre-trained encoder has its language model's.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>
    /// What the output layer reads of the encoded text: the last state (<see cref="TextPooling.Last"/>), or it with
    /// the maximum and the mean of every step's output (<see cref="TextPooling.Concat"/>, ULMFiT's head).
    /// Default <see cref="TextPooling.Concat"/> (chosen by cross-validation on two text sets: see the README).
    /// </summary>
    public TextPooling Pooling { get; init; } = TextPooling.Concat;

    /// <summary>Dropout on the pooled features before the output layer. Default 0.5.</summary>
    public float HeadDropout { get; init; } = 0.5f;

    /// <summary>
    /// With a pre-trained language model: epochs of fine-tuning it on the training texts (ULMFiT's second stage)
    /// before the classifier starts from it; 0 = use it as it is. Default 1.
    /// </summary>
    public int LanguageModelEpochs { get; init; } = 1;

    /// <summary>Input dropout of the LSTM. Default 0.5.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>DropConnect on each LSTM's recurrent weights in training (<see cref="Layers.RnnOptions.WeightDropout"/>). Default 0.</summary>
    public float WeightDropout { get; init; }

    /// <summary>Whole words (rows of the embedding) dropped per batch in training (<see cref="Layers.Embedding"/>'s dropout). Default 0.</summary>
    public float EmbeddingDropout { get; init; }

    /// <summary>Adam learning rate (the peak of a slanted triangular schedule). Default 0.002.</summary>
    public float LearningRate { get; init; } = 0.002f;

    /// <summary>
    /// The learning rate over training: constant, or slanted triangular over all <see cref="Epochs"/> (Howard &amp; Ruder
    /// 2018: a rise over the first 10 % of the steps to <see cref="LearningRate"/>, then a fall to 1/32 of it; constant when
    /// the epochs hold fewer than 10 steps). Default constant.
    /// </summary>
    public TextSchedule Schedule { get; init; } = TextSchedule.Constant;

    /// <summary>
    /// Discriminative fine-tuning: each layer group (the embedding, each LSTM, the head) learns this many times slower than
    /// the one above it (ULMFiT uses 2.6; 1 = every layer at the same rate). Default 1.
    /// </summary>
    public float DiscriminativeFactor { get; init; } = 1f;

    /// <summary>Gradual unfreezing: the head alone trains in epoch 1, then one more layer group from the top per epoch (ULMFiT). Default false.</summary>
    public bool GradualUnfreezing { get; init; }

    /// <summary>Most epochs. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Early stopping patience on validation loss, best weights kept (0 = off). Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Fraction of the training texts held out (stratified) for validation. Default 0.1.</summary>
    public float ValidationFraction { get; init; } = 0.1f;

    /// <summary>Networks trained (each from its own initial weights, on the same split) whose logits the classifier averages. Default 5.</summary>
    public int Ensemble { get; init; } = 5;

    /// <summary>
    /// How the loss weighs each class: equally per text, or <see cref="TextClassWeight.Balanced"/> (scikit-learn's
    /// <c>class_weight="balanced"</c>: texts / (classes · the class's texts), so every class weighs the same in total). Default per text.
    /// </summary>
    public TextClassWeight ClassWeight { get; init; } = TextClassWeight.None;

    /// <summary>Seed for weights, the validation split, shuffling and dropout. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(MaxTokens >= 3, nameof(MaxTokens), MaxTokens, "at least 3");
        Guard.Option(MaxLength is >= 1 and <= MaxMaxLength, nameof(MaxLength), MaxLength, $"in [1, {MaxMaxLength}]");
        Guard.Option(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        Guard.Option(Units >= 1, nameof(Units), Units, "at least 1");
        Guard.Option(Layers >= 1, nameof(Layers), Layers, "at least 1");
        Guard.Option(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "Last or Concat");
        Guard.Option(HeadDropout is >= 0f and < 1f, nameof(HeadDropout), HeadDropout, "in [0, 1)");
        Guard.Option(LanguageModelEpochs >= 0, nameof(LanguageModelEpochs), LanguageModelEpochs, "0 or more");
        Guard.Option(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "in [0, 1)");
        Guard.Option(WeightDropout is >= 0f and < 1f, nameof(WeightDropout), WeightDropout, "in [0, 1)");
        Guard.Option(EmbeddingDropout is >= 0f and < 1f, nameof(EmbeddingDropout), EmbeddingDropout, "in [0, 1)");
        Guard.Option(LearningRate > 0f && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive");
        Guard.Option(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "Constant or SlantedTriangular");
        Guard.Option(DiscriminativeFactor >= 1f && float.IsFinite(DiscriminativeFactor), nameof(DiscriminativeFactor), DiscriminativeFactor, "1 (off) or more");
        Guard.Option(Ensemble is >= 1 and <= 100, nameof(Ensemble), Ensemble, "in [1, 100]");
        Guard.Option(Enum.IsDefined(ClassWeight), nameof(ClassWeight), ClassWeight, "None or Balanced");
        Guard.Option(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Guard.Option(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Guard.Option(Patience >= 0, nameof(Patience), Patience, "0 (off) or more");
        Guard.Option(ValidationFraction is >= 0f and < 1f, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
    }
}

/// <summary>How a <see cref="TextClassifier"/> pools the encoded text for its output layer.</summary>
public enum TextPooling
{
    /// <summary>The final state (both directions' when bidirectional).</summary>
    Last,

    /// <summary>The final state, the maximum and the mean over the real steps, concatenated (Howard &amp; Ruder 2018).</summary>
    Concat,
}

/// <summary>The learning rate of a <see cref="TextClassifier"/> over its training.</summary>
public enum TextSchedule
{
    /// <summary>The learning rate throughout.</summary>
    Constant,

    /// <summary>ULMFiT's slanted triangular rates (<see cref="Optimizers.SlantedTriangular"/>) peaking at the learning rate.</summary>
    SlantedTriangular,
}

/// <summary>How a <see cref="TextClassifier"/>'s loss weighs the classes.</summary>
public enum TextClassWeight
{
    /// <summary>Every text weighs 1.</summary>
    None,

    /// <summary>Each class's texts weigh texts / (classes · the class's texts), as scikit-learn's <c>class_weight="balanced"</c>.</summary>
    Balanced,
}
