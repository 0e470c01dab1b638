// SamplingOptions: how the next token is drawn from a model's scores — temperature, top-k and nucleus (top-p).
namespace LstmSharp.Data;

/// <summary>
/// How <see cref="TokenSampler"/> and <see cref="Sampler"/> turn a row of scores into a token: scale by
/// <see cref="Temperature"/>, keep the <see cref="TopK"/> most likely tokens, then the smallest set of those whose
/// probability reaches <see cref="TopP"/>, renormalise and draw. The defaults draw from the scores unchanged.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// Divides the logits (for probabilities: raises them to the power 1/temperature) before the softmax: below 1
    /// sharpens the distribution, above 1 flattens it; 0 is greedy, always the most likely token (the first of
    /// equals), and ignores <see cref="TopK"/> and <see cref="TopP"/>. Default 1.
    /// </summary>
    public float Temperature
    {
        get;
        init => field = value >= 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Temperature), value, $"Temperature must be finite and at least 0; received {value}.");
    } = 1f;

    /// <summary>Keep only the k most likely tokens (top-k sampling, Fan et al. 2018); 0 keeps all. Default 0.</summary>
    public int TopK
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(TopK), value, $"TopK must be 0 (off) or positive; received {value}.");
    }

    /// <summary>
    /// Nucleus sampling (Holtzman et al. 2019): keep the smallest set of most likely tokens whose probability
    /// (after <see cref="TopK"/>, renormalised) sums to at least p — always at least one token; 1 keeps all.
    /// Must be in (0, 1]. Default 1.
    /// </summary>
    public float TopP
    {
        get;
        init => field = value is > 0f and <= 1f ? value : throw new ArgumentOutOfRangeException(nameof(TopP), value, $"TopP must be in (0, 1]; received {value}.");
    } = 1f;

    /// <summary>
    /// The scores are logits (a linear last layer; −∞ bans a token) rather than probabilities (a softmax last
    /// layer: non-negative, not all zero). Default false, as the losses' <c>fromLogits</c>.
    /// </summary>
    public bool FromLogits { get; init; }
}
