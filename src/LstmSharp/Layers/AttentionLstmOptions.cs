// AttentionLstmOptions: the attention score, width and input feeding of an AttentionLstm decoder, as an init-only record.
namespace LstmSharp.Layers;

/// <summary>Options of <see cref="AttentionLstm"/>; the defaults are Bahdanau's score with Luong's input feeding (OpenNMT-py's decoder).</summary>
public sealed record AttentionLstmOptions
{
    /// <summary>
    /// How the step's hidden state h scores memory step j: <see cref="AttentionScore.Concat"/> (the default) is
    /// Bahdanau's <c>vᵀ tanh(W_q h + W_m m_j)</c> with <c>W_m m_j</c> computed once per sequence;
    /// <see cref="AttentionScore.General"/> is Luong's <c>hᵀ W m_j</c>; <see cref="AttentionScore.Dot"/> is <c>h · m_j</c>
    /// (the memory as wide as the units). <see cref="AttentionScore.Additive"/> is not a decoder score.
    /// </summary>
    public AttentionScore Score
    {
        get;
        init => field = value != AttentionScore.Additive
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Score), value, "AttentionLstm scores with Concat (Bahdanau), General or Dot; Additive (Keras's parameter-free form) is not one of them.");
    } = AttentionScore.Concat;

    /// <summary>Attention units A of the <see cref="AttentionScore.Concat"/> score; default (null) the layer's units.</summary>
    public int? AttentionUnits
    {
        get;
        init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(AttentionUnits), value, $"AttentionUnits must be positive; received {value}.");
    }

    /// <summary>
    /// Luong's input feeding: step t's LSTM input is the step's input concatenated with the attentional vector of step
    /// t−1, so each step knows what was attended to before. Default true.
    /// </summary>
    public bool InputFeeding { get; init; } = true;

    /// <summary>Give the attention weights of every step, <c>[*, time, memory time]</c>, as an output too. Default false.</summary>
    public bool ReturnAttentionScores { get; init; }

    /// <summary>Start the forget-gate bias at 1 (Jozefowicz et al. 2015), as <see cref="LstmOptions.UnitForgetBias"/>. Default true.</summary>
    public bool UnitForgetBias { get; init; } = true;

    /// <summary>Layer name; defaults to <c>attention_lstm</c>.</summary>
    public string? Name { get; init; }
}
