// Options shared by the recurrent layers, as init-only records with Keras's defaults.
using LstmSharp.Initializers;

namespace LstmSharp.Layers;

/// <summary>Options every recurrent layer has.</summary>
public record RnnOptions
{
    /// <summary>Return the hidden state of every step, <c>[batch, time, units]</c>, instead of only the last, <c>[batch, units]</c>. Default false.</summary>
    public bool ReturnSequences { get; init; }

    /// <summary>
    /// Process the input from its last step to its first (Keras <c>go_backwards</c>); the returned sequence is in
    /// processing order, i.e. reversed. Default false.
    /// </summary>
    public bool GoBackwards { get; init; }

    /// <summary>
    /// Carry the state from one forward pass to the next (Keras <c>stateful=True</c>), for truncated
    /// back-propagation through time over long streams: a forward pass without an explicit initial state starts
    /// from the final state (<see cref="Rnn.FinalState"/>: h, and c for an LSTM) of the previous pass instead of
    /// zeros. Row b of each batch must therefore continue row b of the previous batch (see
    /// <see cref="Data.TextBatches"/>); with a mask a row carries the state after its last real step. The carried
    /// state is a constant: gradients stop at the start of each pass. A pass whose batch size differs from the
    /// previous pass's starts from zeros, so <c>Predict</c> on one sequence works after training on 64 streams.
    /// <see cref="Rnn.ResetStates"/> (or <see cref="Model.ResetStates"/>) starts again from zeros.
    /// <para>
    /// Give <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/> <c>Shuffle = false</c> and a batch size that divides the samples, so its
    /// batches keep the streams' order (<see cref="Data.TextBatches.ToSamples"/> lays them out); Fit resets the state at the start of every epoch and before
    /// validation unless <see cref="FitOptions.ResetStatesEachEpoch"/> is false. <c>Evaluate</c> and
    /// <c>Predict</c> continue from the current state. Inside <see cref="Bidirectional"/> each
    /// direction carries its own state, as in Keras (the backward one the state after the batch's first step). ONNX
    /// export runs every sequence from a zero state. Default false.
    /// </para>
    /// </summary>
    public bool Stateful { get; init; }

    /// <summary>Layer name; defaults to the type name.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Give the layer its biases <c>bias_ih_l0</c> and <c>bias_hh_l0</c> (PyTorch <c>bias</c>, Keras
    /// <c>use_bias</c>); without them every gate is a pure product of the weights. Default true.
    /// </summary>
    public bool UseBias { get; init; } = true;

    /// <summary>
    /// With a mask and <see cref="ReturnSequences"/>: a padded step's output is zero (true), or repeats the
    /// output of the sample's last real step before it, zero if there is none (false: Keras's
    /// <c>zero_output_for_mask=False</c>, the default of its <c>RNN</c> base layer). The state
    /// passes padded steps unchanged either way. Default true.
    /// </summary>
    public bool ZeroOutputForMask { get; init; } = true;

    /// <summary>
    /// Fraction of the input features dropped in training, with one mask per sequence for all its steps
    /// (variational dropout, Gal &amp; Ghahramani 2016; Keras's <c>dropout</c>). Default 0.
    /// </summary>
    public float Dropout
    {
        get;
        init => field = value is >= 0f and < 1f ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, $"Dropout must be in [0, 1); received {value}.");
    }

    /// <summary>
    /// Fraction of the previous hidden state dropped before the recurrent product in training, one mask per
    /// sequence (Keras's <c>recurrent_dropout</c>). Default 0.
    /// </summary>
    public float RecurrentDropout
    {
        get;
        init => field = value is >= 0f and < 1f ? value : throw new ArgumentOutOfRangeException(nameof(RecurrentDropout), value, $"RecurrentDropout must be in [0, 1); received {value}.");
    }

    /// <summary>
    /// Fraction of the recurrent kernel's elements dropped in training (DropConnect on <c>weight_hh_l0</c>, the weight
    /// drop of Merity et al. 2018's AWD-LSTM; fastai's <c>WeightDropout</c>): each training pass draws one mask over
    /// the elements of W_hh and uses W_hh ⊙ mask / (1 − p) at every step, and the gradient reaches W_hh through the
    /// same mask and scale. Inside <see cref="Bidirectional"/> each direction draws its own mask. AWD-LSTM uses 0.5.
    /// Default 0.
    /// </summary>
    public float WeightDropout
    {
        get;
        init => field = value is >= 0f and < 1f ? value : throw new ArgumentOutOfRangeException(nameof(WeightDropout), value, $"WeightDropout must be in [0, 1); received {value}.");
    }

    /// <summary>How <c>weight_ih_l0</c> starts. Default <see cref="GlorotUniform"/>.</summary>
    public Initializer KernelInitializer { get; init; } = new GlorotUniform();

    /// <summary>How <c>weight_hh_l0</c> starts. Default <see cref="Orthogonal"/>.</summary>
    public Initializer RecurrentInitializer { get; init; } = new Orthogonal();

    /// <summary>
    /// How <c>bias_ih_l0</c> starts (<c>bias_hh_l0</c> starts at zero, so their sum is Keras's single bias).
    /// Default <see cref="Zeros"/>.
    /// </summary>
    public Initializer BiasInitializer { get; init; } = new Zeros();

    /// <summary>Penalty on the input kernel <c>weight_ih_l0</c>.</summary>
    public Regularizer? KernelRegularizer { get; init; }

    /// <summary>Penalty on the recurrent kernel <c>weight_hh_l0</c>.</summary>
    public Regularizer? RecurrentRegularizer { get; init; }

    /// <summary>Penalty on the biases <c>bias_ih_l0</c> and <c>bias_hh_l0</c>.</summary>
    public Regularizer? BiasRegularizer { get; init; }
}

/// <summary>Options of <see cref="Gru"/>.</summary>
public sealed record GruOptions : RnnOptions
{
    /// <summary>
    /// Apply the reset gate after the recurrent product, <c>n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))</c> —
    /// PyTorch's only form, Keras 3's default (<c>reset_after=True</c>), ONNX <c>linear_before_reset=1</c>. False
    /// applies it before, <c>n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn)</c>: Cho et al. 2014's original GRU,
    /// Keras 2's default (<c>reset_after=False</c>) and the ONNX default (<c>linear_before_reset=0</c>). Default true.
    /// </summary>
    public bool ResetAfter { get; init; } = true;
}

/// <summary>Options of <see cref="Lstm"/>.</summary>
public sealed record LstmOptions : RnnOptions
{
    /// <summary>
    /// Gers–Schmidhuber peephole connections: diagonal weights <c>p_i, p_f</c> on <c>c_{t-1}</c> and <c>p_o</c> on
    /// <c>c_t</c>, stored as <c>weight_peephole_l0</c> <c>[3·units]</c> in that order. Default false.
    /// </summary>
    public bool Peepholes { get; init; }

    /// <summary>Initialise the forget-gate bias to 1 (Keras <c>unit_forget_bias</c>, Jozefowicz et al. 2015). Default true.</summary>
    public bool UnitForgetBias { get; init; } = true;

    /// <summary>
    /// Chrono initialisation (Tallec &amp; Ollivier 2018) for dependencies up to this many steps: forget-gate
    /// biases <c>log(U(1, T − 1))</c> and input-gate biases their negatives, so units start remembering over
    /// 1 … T steps instead of about 1/(1 − σ(1)) ≈ 4. Overrides <see cref="UnitForgetBias"/>. Default null (off).
    /// </summary>
    public int? ChronoMaxSteps
    {
        get;
        init => field = value is null or >= 3 ? value : throw new ArgumentOutOfRangeException(nameof(ChronoMaxSteps), value, $"ChronoMaxSteps must be at least 3; received {value}.");
    }
}
