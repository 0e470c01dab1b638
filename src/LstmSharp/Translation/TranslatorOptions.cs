// TranslatorOptions: tokens, lengths, the encoder–decoder's size and attention, and training of a Translator, as an
// init-only record.
using LstmSharp.Data;
using LstmSharp.Internals;
using LstmSharp.Layers;

namespace LstmSharp.Translation;

/// <summary>
/// Settings of a <see cref="Translator"/>; the defaults are a bidirectional LSTM encoder and an attention decoder with
/// Bahdanau's score and input feeding (<see cref="AttentionLstm"/>), 256 units, on words with their punctuation.
/// </summary>
public sealed record TranslatorOptions
{
    /// <summary>How source texts are split. Default <see cref="TokenLevel.Punctuated"/> (words and punctuation marks).</summary>
    public TokenLevel SourceLevel { get; init; } = TokenLevel.Punctuated;

    /// <summary>How target texts are split (and joined again). Default <see cref="TokenLevel.Punctuated"/>.</summary>
    public TokenLevel TargetLevel { get; init; } = TokenLevel.Punctuated;

    /// <summary>Lower-case both sides first. Default false (translations keep their case).</summary>
    public bool Lowercase { get; init; }

    /// <summary>Source vocabulary limit, padding and [UNK] included. Default 16,000.</summary>
    public int MaxSourceTokens { get; init; } = 16000;

    /// <summary>Target vocabulary limit, padding and [UNK] included (the start and end tokens come on top). Default 16,000.</summary>
    public int MaxTargetTokens { get; init; } = 16000;

    /// <summary>Source tokens read per text: a longer source is cut to its first ones (in training and translation alike). Default 100.</summary>
    public int MaxSourceLength { get; init; } = 100;

    /// <summary>Output tokens per translation, the end token included (a longer training target is cut). Default 100.</summary>
    public int MaxTargetLength { get; init; } = 100;

    /// <summary>Embedding width of both sides. Default 128.</summary>
    public int EmbeddingSize { get; init; } = 128;

    /// <summary>Decoder units, and encoder units in all (a bidirectional encoder has half per direction). Default 256.</summary>
    public int Units { get; init; } = 256;

    /// <summary>Stacked encoder layers; the last one's final state starts the decoder. Default 1.</summary>
    public int EncoderLayers { get; init; } = 1;

    /// <summary>Read the source both ways (each direction <see cref="Units"/>/2, concatenated). Default true.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>Attend over the encoder's steps (an <see cref="AttentionLstm"/> decoder); false: a plain LSTM decoder started from the encoder's state. Default true.</summary>
    public bool Attention { get; init; } = true;

    /// <summary>The attention score: Concat (Bahdanau), General or Dot (Luong). Default Concat.</summary>
    public AttentionScore Score { get; init; } = AttentionScore.Concat;

    /// <summary>Luong's input feeding in the attention decoder. Default true.</summary>
    public bool InputFeeding { get; init; } = true;

    /// <summary>Dropout on the embeddings and the decoder's output. Default 0.2.</summary>
    public float Dropout { get; init; } = 0.2f;

    /// <summary>Adam learning rate (gradients clipped to a global norm of 5). Default 0.002.</summary>
    public float LearningRate { get; init; } = 0.002f;

    /// <summary>
    /// Halve the learning rate when an epoch does not lower the validation loss (Keras's <c>ReduceLROnPlateau</c> with
    /// factor 0.5 and patience 1; 0 = never), as NMT systems decay theirs once the loss levels off. Default 0.5.
    /// </summary>
    public float LearningRateDecay { get; init; } = 0.5f;

    /// <summary>Most epochs. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Sentence pairs per batch (batches hold pairs of similar length). Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Early stopping patience on validation loss, best weights kept (0 = off). Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Fraction of the training pairs held out for validation (when no validation pairs are given). Default 0.05.</summary>
    public float ValidationFraction { get; init; } = 0.05f;

    /// <summary>Validation pairs translated (greedily) after each epoch for <c>val_bleu</c> and <c>val_exact_match</c> (0 = off). Default 200.</summary>
    public int BleuSamples { get; init; } = 200;

    /// <summary>Seed for weights, the validation split, batching and dropout. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(Enum.IsDefined(SourceLevel), nameof(SourceLevel), SourceLevel, "a TokenLevel");
        Guard.Option(Enum.IsDefined(TargetLevel), nameof(TargetLevel), TargetLevel, "a TokenLevel");
        Guard.Option(MaxSourceTokens >= 3, nameof(MaxSourceTokens), MaxSourceTokens, "at least 3");
        Guard.Option(MaxTargetTokens >= 3, nameof(MaxTargetTokens), MaxTargetTokens, "at least 3");
        Guard.Option(MaxSourceLength >= 1, nameof(MaxSourceLength), MaxSourceLength, "at least 1");
        Guard.Option(MaxTargetLength >= 2, nameof(MaxTargetLength), MaxTargetLength, "at least 2 (a token and the end)");
        Guard.Option(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        Guard.Option(Units >= (Bidirectional ? 2 : 1) && (!Bidirectional || Units % 2 == 0), nameof(Units), Units, Bidirectional ? "even and at least 2 (half per direction)" : "at least 1");
        Guard.Option(EncoderLayers >= 1, nameof(EncoderLayers), EncoderLayers, "at least 1");
        Guard.Option(Score is AttentionScore.Concat or AttentionScore.General or AttentionScore.Dot, nameof(Score), Score, "Concat, General or Dot");
        Guard.Option(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "in [0, 1)");
        Guard.Option(LearningRate > 0f && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive");
        Guard.Option(LearningRateDecay is >= 0f and < 1f, nameof(LearningRateDecay), LearningRateDecay, "in [0, 1) (0 = never)");
        Guard.Option(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Guard.Option(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Guard.Option(Patience >= 0, nameof(Patience), Patience, "0 (off) or more");
        Guard.Option(ValidationFraction is >= 0f and < 1f, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        Guard.Option(BleuSamples >= 0, nameof(BleuSamples), BleuSamples, "0 (off) or more");
    }
}
