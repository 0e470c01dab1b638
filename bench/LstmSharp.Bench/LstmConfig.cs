// LstmConfig: the network shapes the benchmark measures, and the FLOP count used to turn times into GFLOP/s.
using System.Globalization;

namespace LstmSharp.Bench;

/// <summary>
/// One benchmarked network: <see cref="Layers"/> stacked LSTM layers of <see cref="Units"/> units over
/// input <c>[Batch, Steps, Inputs]</c>; every layer returns its full sequence (like PyTorch's nn.LSTM output).
/// </summary>
internal sealed record LstmConfig(int Batch, int Steps, int Inputs, int Units, int Layers)
{
    /// <summary>The configurations of the standard run (batch, steps, inputs, units, layers).</summary>
    public static readonly IReadOnlyList<LstmConfig> Standard =
    [
        new(1, 100, 32, 128, 1),     // latency: one sequence, small model
        new(32, 100, 32, 128, 1),    // small model, a typical mini-batch
        new(64, 50, 128, 256, 2),    // medium stacked model
        new(128, 35, 650, 650, 2),   // Zaremba et al. 2014 "medium" PTB language model shape
        new(16, 200, 1, 64, 1),      // univariate time series: long sequence, tiny GEMMs
    ];

    /// <summary>"(B, T, I, H, L)" as in the tables.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"({Batch}, {Steps}, {Inputs}, {Units}, {Layers})");

    /// <summary>
    /// Forward FLOPs of the matrix products: Σ over layers of 2·(I_l + H)·4H·B·T, where I_l is the layer's
    /// input width (Inputs for the first layer, Units after). Pointwise gate math (≈ 10·H·B·T per layer) is not counted.
    /// </summary>
    public double ForwardFlops
    {
        get
        {
            double flops = 0;
            for (var l = 0; l < Layers; l++)
            {
                var inputs = l == 0 ? Inputs : Units;
                flops += 2.0 * (inputs + Units) * 4.0 * Units * Batch * Steps;
            }
            return flops;
        }
    }

    /// <summary>Training step FLOPs ≈ 3 × forward: the backward pass does two products per forward product (∂input/∂h and ∂weights).</summary>
    public double TrainingFlops => 3 * ForwardFlops;

    /// <summary>True for the configurations big enough that each run takes a sizeable fraction of a second.</summary>
    public bool IsLarge => ForwardFlops > 5e9;
}
