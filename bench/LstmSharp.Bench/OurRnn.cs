// OurRnn: the LstmSharp side of the network benchmark, a stack of Lstm or Gru layers driven through the public
// API exactly as a user would: Forward for inference; Forward, Backward and Sgd.Step for a training step.
using LstmSharp.Layers;
using LstmSharp.Optimizers;

namespace LstmSharp.Bench;

/// <summary>
/// <see cref="RnnConfig.Layers"/> chained <see cref="Lstm"/> or <see cref="Gru"/> layers (reset after, PyTorch's
/// form), all with ReturnSequences = true, plus a fixed input and output gradient. The peers are built from
/// <see cref="Layers"/>' weights.
/// </summary>
internal sealed class OurRnn
{
    readonly Sgd _sgd = new(0.01f);

    public OurRnn(RnnConfig config, int seed)
    {
        Config = config;
        var random = new Random(seed);
        Input = RandomTensor(random, 1f, config.Batch, config.Steps, config.Inputs);
        // The gradient of a mean over the outputs, so repeated SGD steps keep the weights in a sane range.
        DOutput = RandomTensor(random, 1f / (config.Batch * config.Steps), config.Batch, config.Steps, config.Units);
        Layers = new Rnn[config.Layers];
        var width = config.Inputs;
        for (var l = 0; l < config.Layers; l++)
        {
            Layers[l] = config.Cell switch
            {
                CellKind.Lstm => new Lstm(config.Units, new LstmOptions { ReturnSequences = true, Name = $"lstm{l}" }),
                CellKind.Gru => new Gru(config.Units, new GruOptions { ReturnSequences = true, Name = $"gru{l}" }),
                _ => throw new ArgumentOutOfRangeException(nameof(config), config.Cell, "Unknown cell kind."),
            };
            Layers[l].Build([config.Steps, width], seed: seed + 1 + l);
            // Biases start at zero (the GRU's, the LSTM's apart from its forget gate), which would let a peer with
            // its bias blocks in the wrong order or place pass the checks; noise in ±0.2 makes every block count.
            foreach (var name in new[] { "bias_ih", "bias_hh" })
            {
                var bias = Parameter(l, name).Value.Span;
                for (var i = 0; i < bias.Length; i++) bias[i] += 0.4f * random.NextSingle() - 0.2f;
            }
            width = config.Units;
        }
    }

    public RnnConfig Config { get; }

    public Rnn[] Layers { get; }

    /// <summary>x [B, T, I], uniform in [-1, 1].</summary>
    public Tensor Input { get; }

    /// <summary>∂loss/∂output [B, T, H], uniform in [-1, 1] / (B·T).</summary>
    public Tensor DOutput { get; }

    /// <summary>Inference: the output [B, T, H] of the last layer (a buffer the layer owns).</summary>
    public Tensor Forward()
    {
        var x = Input;
        foreach (var layer in Layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>One training step: clear gradients, forward, backward from <see cref="DOutput"/>, SGD (lr 0.01) on every layer.</summary>
    public void TrainStep()
    {
        ComputeGradients();
        foreach (var layer in Layers) _sgd.Step(layer.Parameters);
    }

    /// <summary>Clears the gradients and fills them by one forward and backward pass, without updating the weights.</summary>
    public void ComputeGradients()
    {
        foreach (var layer in Layers) layer.ZeroGradients();
        var x = Input;
        foreach (var layer in Layers) x = layer.Forward(x, training: true);
        var d = DOutput;
        for (var l = Layers.Length - 1; l >= 0; l--) d = Layers[l].Backward(d);
    }

    /// <summary>Parameter <paramref name="name"/> (PyTorch's name, e.g. weight_ih) of layer <paramref name="layer"/>.</summary>
    public Parameter Parameter(int layer, string name)
        => Layers[layer].Parameters.Single(p => p.Name == name + "_l0");

    static Tensor RandomTensor(Random random, float scale, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var span = t.Span;
        for (var i = 0; i < span.Length; i++) span[i] = (2 * random.NextSingle() - 1) * scale;
        return t;
    }
}
