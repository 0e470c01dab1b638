// LstmActivation: which per-step quantity of an LSTM Lstm.Activations reads (gate order i, f, g, o as everywhere).
namespace LstmSharp.Layers;

/// <summary>A per-step, per-unit quantity of an LSTM's forward pass.</summary>
public enum LstmActivation
{
    /// <summary>The input gate i = σ(…), in (0, 1).</summary>
    InputGate,

    /// <summary>The forget gate f = σ(…), in (0, 1).</summary>
    ForgetGate,

    /// <summary>The candidate cell value g = tanh(…), in (−1, 1).</summary>
    Candidate,

    /// <summary>The output gate o = σ(…), in (0, 1).</summary>
    OutputGate,

    /// <summary>The cell state c' = f ⊙ c + i ⊙ g after the step (unbounded; Karpathy et al. show tanh(c')).</summary>
    Cell,

    /// <summary>The hidden state h' = o ⊙ tanh(c') after the step, in (−1, 1).</summary>
    Hidden,
}
