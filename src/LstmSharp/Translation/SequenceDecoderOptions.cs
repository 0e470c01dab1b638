// SequenceDecoderOptions: the start and end tokens and the length limit of a SequenceDecoder, as an init-only record.
using LstmSharp.Internals;

namespace LstmSharp.Translation;

/// <summary>
/// Settings of a <see cref="SequenceDecoder"/>. The output length limit is <see cref="MaxLength"/>, or, when
/// <see cref="MaxLengthRatio"/> is positive, ⌈ratio · source length⌉ + <see cref="MaxLengthOffset"/> capped by
/// <see cref="MaxLength"/> (fairseq's <c>max_len_a · |x| + max_len_b</c>); the source length counts the non-padding
/// ids. A length counts decoding steps, the end token included.
/// </summary>
public sealed record SequenceDecoderOptions
{
    /// <summary>The id fed to the decoder first (id 0 is padding, so it must be at least 1). Default 1.</summary>
    public int StartId { get; init; } = 1;

    /// <summary>The id that ends a hypothesis (not part of the returned tokens). Default 2.</summary>
    public int EndId { get; init; } = 2;

    /// <summary>The most decoding steps, and the cap of the ratio rule. Default 100.</summary>
    public int MaxLength { get; init; } = 100;

    /// <summary>Steps per source token (0 = off: <see cref="MaxLength"/> alone). Default 0.</summary>
    public float MaxLengthRatio { get; init; }

    /// <summary>Steps added to the ratio rule. Default 10.</summary>
    public int MaxLengthOffset { get; init; } = 10;

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(StartId >= 1, nameof(StartId), StartId, "at least 1 (0 is padding)");
        Guard.Option(EndId >= 1, nameof(EndId), EndId, "at least 1 (0 is padding)");
        Guard.Option(MaxLength >= 1, nameof(MaxLength), MaxLength, "at least 1");
        Guard.Option(MaxLengthRatio >= 0f && float.IsFinite(MaxLengthRatio), nameof(MaxLengthRatio), MaxLengthRatio, "0 (off) or positive");
        Guard.Option(MaxLengthOffset >= 0, nameof(MaxLengthOffset), MaxLengthOffset, "0 or positive");
    }

    /// <summary>The step limit for a source of <paramref name="sourceLength"/> non-padding ids: at least 1.</summary>
    internal int MaxLengthFor(int sourceLength)
    {
        if (MaxLengthRatio <= 0f) return MaxLength;
        var byRatio = Math.Ceiling((double)MaxLengthRatio * sourceLength) + MaxLengthOffset;
        return (int)Math.Clamp(byRatio, 1, MaxLength);
    }
}
