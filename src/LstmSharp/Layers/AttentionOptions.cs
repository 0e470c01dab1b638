// AttentionOptions: how an Attention layer scores a query against keys (Luong et al. 2015), scales, masks and
// drops its weights, and whether it returns them.
namespace LstmSharp.Layers;

/// <summary>How <see cref="Attention"/> scores query step i against key step j (Luong et al. 2015, §3.1).</summary>
public enum AttentionScore
{
    /// <summary><c>score = qᵢ · kⱼ</c> (Keras's <c>Attention</c>).</summary>
    Dot,

    /// <summary><c>score = qᵢᵀ W kⱼ</c> with a learned <c>weight [D, D]</c>.</summary>
    General,

    /// <summary><c>score = vᵀ tanh(W_q qᵢ + W_k kⱼ)</c> with learned <c>weight_query [A, D]</c>, <c>weight_key [A, D]</c>, <c>v [A]</c>.</summary>
    Concat,

    /// <summary>
    /// <c>score = Σ_d s_d tanh(q_{i,d} + k_{j,d})</c>, Bahdanau et al. 2015's form with the projections left to the layers
    /// before (Keras's <c>AdditiveAttention</c>); <c>s</c> is a learned <c>scale [D]</c> with <see cref="AttentionOptions.LearnScale"/>, else 1.
    /// </summary>
    Additive,
}

/// <summary>Options of <see cref="Attention"/>; defaults follow Keras's <c>Attention</c>.</summary>
public sealed record AttentionOptions
{
    /// <summary>The score function. Default <see cref="AttentionScore.Dot"/>.</summary>
    public AttentionScore Score { get; init; } = AttentionScore.Dot;

    /// <summary>
    /// Multiply the scores by a learned scalar <c>scale</c> that starts at 1 (Keras's <c>use_scale</c>); for
    /// <see cref="AttentionScore.Additive"/> the scale is a vector <c>[D]</c> inside the sum. Default false.
    /// </summary>
    public bool LearnScale { get; init; }

    /// <summary>Multiply the scores by 1/√D (scaled dot-product attention, Vaswani et al. 2017). Default false.</summary>
    public bool ScaleByDimension { get; init; }

    /// <summary>Fraction of the attention weights dropped in training (Keras's <c>dropout</c>). Default 0.</summary>
    public float Dropout
    {
        get;
        init => field = value is >= 0f and < 1f ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, $"Dropout must be in [0, 1); received {value}.");
    }

    /// <summary>Query step i attends only to value steps j ≤ i (Keras's <c>use_causal_mask</c>), for a decoder attending to itself. Default false.</summary>
    public bool Causal { get; init; }

    /// <summary>Give the attention weights <c>[*, Tq, Tv]</c> as a second output (Keras's <c>return_attention_scores</c>). Default false.</summary>
    public bool ReturnAttentionScores { get; init; }

    /// <summary>Attention units A of <see cref="AttentionScore.Concat"/>; default (null) the query's width D.</summary>
    public int? Units
    {
        get;
        init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Units), value, $"Units must be positive; received {value}.");
    }

    /// <summary>Layer name; defaults to <c>attention</c>.</summary>
    public string? Name { get; init; }
}
