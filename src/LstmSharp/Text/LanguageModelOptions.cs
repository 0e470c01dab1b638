// LanguageModelOptions: tokens, network size and truncated-BPTT training of a LanguageModel, as an init-only record.
using LstmSharp.Data;
using LstmSharp.Internals;

namespace LstmSharp.Text;

/// <summary>Settings of a <see cref="LanguageModel"/>; the defaults are a character-level 2 × 256 LSTM.</summary>
public sealed record LanguageModelOptions
{
    /// <summary>Characters, words or subword pieces (<see cref="TokenLevel.Subword"/>: byte-pair encoding learned on the training text, <see cref="MaxTokens"/> pieces). Default <see cref="TokenLevel.Character"/>.</summary>
    public TokenLevel Level { get; init; } = TokenLevel.Character;

    /// <summary>Vocabulary limit including padding and the unknown token. Default 20,000.</summary>
    public int MaxTokens { get; init; } = 20000;

    /// <summary>Lower-case the text first. Default false (characters keep their case).</summary>
    public bool Lowercase { get; init; }

    /// <summary>Embedding dimension. Default 64.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>Units of each LSTM layer. Default 256.</summary>
    public int Units { get; init; } = 256;

    /// <summary>Stacked stateful LSTM layers. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Input dropout of each LSTM layer. Default 0.1.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>DropConnect on each LSTM's recurrent weights in training (<see cref="Layers.RnnOptions.WeightDropout"/>; AWD-LSTM uses 0.5). Default 0.</summary>
    public float WeightDropout { get; init; }

    /// <summary>Whole words (rows of the embedding) dropped per batch in training (<see cref="Layers.Embedding"/>'s dropout; AWD-LSTM uses 0.1). Default 0.</summary>
    public float EmbeddingDropout { get; init; }

    /// <summary>Steps of truncated back-propagation through time (chunk length). Default 64.</summary>
    public int Steps { get; init; } = 64;

    /// <summary>Parallel streams per batch. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam learning rate. Default 0.004.</summary>
    public float LearningRate { get; init; } = 0.004f;

    /// <summary>Multiply the learning rate by this after every epoch (1 = constant). Default 0.9.</summary>
    public float LearningRateDecay { get; init; } = 0.9f;

    /// <summary>Clip gradients to this global norm (0 = off). Default 5.</summary>
    public float ClipNorm { get; init; } = 5f;

    /// <summary>Seed for weights. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(MaxTokens >= 3, nameof(MaxTokens), MaxTokens, "at least 3");
        Guard.Option(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "at least 1");
        Guard.Option(Units >= 1, nameof(Units), Units, "at least 1");
        Guard.Option(Layers >= 1, nameof(Layers), Layers, "at least 1");
        Guard.Option(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "in [0, 1)");
        Guard.Option(WeightDropout is >= 0f and < 1f, nameof(WeightDropout), WeightDropout, "in [0, 1)");
        Guard.Option(EmbeddingDropout is >= 0f and < 1f, nameof(EmbeddingDropout), EmbeddingDropout, "in [0, 1)");
        Guard.Option(Steps is >= 1 and <= LanguageModel.MaxSteps, nameof(Steps), Steps, $"in [1, {LanguageModel.MaxSteps}]");
        Guard.Option(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Guard.Option(LearningRate > 0f && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive");
        Guard.Option(LearningRateDecay is > 0f and <= 1f, nameof(LearningRateDecay), LearningRateDecay, "in (0, 1]");
        Guard.Option(ClipNorm >= 0f, nameof(ClipNorm), ClipNorm, "0 (off) or positive");
    }
}
