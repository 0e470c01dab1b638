// RnnConfig: the network shapes the benchmark measures, for each cell kind, and the FLOP count used to turn
// times into GFLOP/s.
using System.Globalization;

namespace LstmSharp.Bench;

/// <summary>The recurrent cell of a benchmarked network.</summary>
internal enum CellKind
{
    /// <summary>LstmSharp's <c>Lstm</c>, ONNX <c>LSTM</c>, PyTorch <c>nn.LSTM</c>: 4 gate blocks (i, f, g, o).</summary>
    Lstm,

    /// <summary>LstmSharp's <c>Gru</c> (reset after), ONNX <c>GRU</c> with linear_before_reset = 1, PyTorch <c>nn.GRU</c>: 3 gate blocks (r, z, n).</summary>
    Gru,
}

/// <summary>
/// One benchmarked network: <see cref="Layers"/> stacked <see cref="Cell"/> layers of <see cref="Units"/> units
/// over input <c>[Batch, Steps, Inputs]</c>; every layer returns its full sequence (like PyTorch's nn.LSTM / nn.GRU output).
/// </summary>
internal sealed record RnnConfig(int Batch, int Steps, int Inputs, int Units, int Layers, CellKind Cell = CellKind.Lstm)
{
    /// <summary>The shapes of the standard run (batch, steps, inputs, units, layers), measured for every cell kind.</summary>
    public static readonly IReadOnlyList<RnnConfig> Standard =
    [
        new(1, 100, 32, 128, 1),     // latency: one sequence, small model
        new(32, 100, 32, 128, 1),    // small model, a typical mini-batch
        new(64, 50, 128, 256, 2),    // medium stacked model
        new(128, 35, 650, 650, 2),   // Zaremba et al. 2014 "medium" PTB language model shape
        new(16, 200, 1, 64, 1),      // univariate time series: long sequence, tiny GEMMs
    ];

    /// <summary>"(B, T, I, H, L)" as in the tables (the cell kind is the table's).</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"({Batch}, {Steps}, {Inputs}, {Units}, {Layers})");

    /// <summary>"LSTM" or "GRU".</summary>
    public string CellName => Cell.ToString().ToUpperInvariant();

    /// <summary>Gate blocks per layer: 4 for the LSTM, 3 for the GRU.</summary>
    public int Gates => Cell == CellKind.Lstm ? 4 : 3;

    /// <summary>
    /// Forward FLOPs of the matrix products: Σ over layers of 2·(I_l + H)·G·H·B·T, where I_l is the layer's
    /// input width (Inputs for the first layer, Units after) and G the gate blocks (4 LSTM, 3 GRU). Pointwise
    /// gate math (≈ 10·H·B·T per layer) is not counted.
    /// </summary>
    public double ForwardFlops
    {
        get
        {
            double flops = 0;
            for (var l = 0; l < Layers; l++)
            {
                var inputs = l == 0 ? Inputs : Units;
                flops += 2.0 * (inputs + Units) * Gates * Units * Batch * Steps;
            }
            return flops;
        }
    }

    /// <summary>Training step FLOPs ≈ 3 × forward: the backward pass does two products per forward product (∂input/∂h and ∂weights).</summary>
    public double TrainingFlops => 3 * ForwardFlops;

    /// <summary>True for the configurations big enough that each run takes a sizeable fraction of a second.</summary>
    public bool IsLarge => ForwardFlops > 5e9;
}
