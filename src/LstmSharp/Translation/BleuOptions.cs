// BleuOptions: the n-gram order and the smoothing of corpus BLEU, as an init-only record.
using LstmSharp.Internals;

namespace LstmSharp.Translation;

/// <summary>Settings of <see cref="Bleu"/>. The weights are uniform, 1 / <see cref="MaxOrder"/> each.</summary>
public sealed record BleuOptions
{
    /// <summary>The highest n-gram order N (BLEU-N). Default 4.</summary>
    public int MaxOrder { get; init; } = 4;

    /// <summary>What a zero precision becomes. Default <see cref="BleuSmoothing.None"/>.</summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.None;

    /// <summary>The match count given to a zero order by <see cref="BleuSmoothing.Epsilon"/>. Default 0.1 (NLTK's).</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(MaxOrder >= 1, nameof(MaxOrder), MaxOrder, "at least 1");
        Guard.Option(Enum.IsDefined(Smoothing), nameof(Smoothing), Smoothing, "None, Epsilon or Nist");
        Guard.Option(Epsilon > 0 && double.IsFinite(Epsilon), nameof(Epsilon), Epsilon, "positive and finite");
    }
}
